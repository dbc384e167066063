import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { schemaText } from '../../src/graphql/schema';

describe('schema.graphql', () => {
  it('is exactly what the code emits (run `npm run schema` after changing the API)', () => {
    const committed = fs.readFileSync(
      path.resolve(__dirname, '..', '..', '..', 'schema.graphql'),
      'utf8',
    );
    assert.equal(committed, schemaText());
  });

  it('names the contract types and operations', () => {
    const text = schemaText();
    for (const name of [
      'scalar Money',
      'scalar DateTime',
      'enum Role',
      'type TransferPayload',
      'type ExternalPayload',
      'walletToWallet(input: WalletToWalletInput!): TransferPayload!',
      'operations(after: String, first: Int = 20): OperationConnection!',
    ]) {
      assert.ok(text.includes(name), name);
    }
  });
});
