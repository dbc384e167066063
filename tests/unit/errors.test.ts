import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphQLError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { DomainError } from '../../src/domain/errors';
import { formatError } from '../../src/graphql/error-format';

const inResolver = (original: Error) =>
  new GraphQLError(original.message, { path: ['walletToWallet'], originalError: original });

describe('error mapping', () => {
  it('keeps a DomainError code and message', () => {
    const error = new DomainError('INSUFFICIENT_FUNDS', 'Not enough money.');
    const out = formatError({ message: error.message, path: ['x'] }, inResolver(error));
    assert.deepEqual(out.extensions, { code: 'INSUFFICIENT_FUNDS' });
    assert.equal(out.message, 'Not enough money.');
  });

  it('answers anything unexpected with INTERNAL_SERVER_ERROR and no internals', () => {
    const error = new Error('SQLITE_ERROR: no such table: secret_table at /srv/app.js:12');
    const out = formatError({ message: error.message, path: ['x'] }, inResolver(error));
    assert.equal(out.extensions?.code, 'INTERNAL_SERVER_ERROR');
    assert.doesNotMatch(out.message, /SQLITE|secret_table|app\.js/);
    assert.equal('stacktrace' in (out.extensions ?? {}), false);
  });

  it('gives class-validator failures BAD_USER_INPUT with the reasons', () => {
    const error = new ArgumentValidationError([
      { property: 'name', constraints: { length: 'name must be 1 to 100 characters' } } as never,
    ]);
    const out = formatError({ message: error.message, path: ['signup'] }, inResolver(error));
    assert.equal(out.extensions?.code, 'BAD_USER_INPUT');
    assert.match(out.message, /name must be 1 to 100 characters/);
  });

  it("keeps Apollo's own codes for requests that never reached a resolver", () => {
    for (const code of ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']) {
      const error = new GraphQLError('bad request', { extensions: { code } });
      const out = formatError({ message: 'bad request', extensions: { code } }, error);
      assert.equal(out.extensions?.code, code);
    }
  });
});
