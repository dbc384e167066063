import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { lists } from '../../src/domain/pages';
import { transfersPage } from '../../src/db/queries';
import { databaseKinds, migratedDatabase, type MigratedDatabase } from '../../testkit/databases';
import { fundedWallets } from '../helpers/ledger-fixtures';

const WALLETS = 3;

for (const kind of databaseKinds()) {
  describe(`a wallet's transfers, page by page, on ${kind}`, () => {
    let env: MigratedDatabase;
    before(async () => {
      env = await migratedDatabase(kind);
    });
    after(async () => env?.close());

    it('holds every transfer the wallet sent or received, once, newest first', async () => {
      // A transfer as the indexes of its two wallets, never one wallet to itself.
      const transfer = fc
        .tuple(fc.nat(WALLETS - 1), fc.integer({ min: 1, max: WALLETS - 1 }))
        .map(([from, step]) => [from, (from + step) % WALLETS] as const);
      await fc.assert(
        fc.asyncProperty(
          fc.array(transfer, { maxLength: 30 }),
          fc.nat(WALLETS - 1),
          fc.integer({ min: 1, max: 7 }),
          async (transfers, listed, pageSize) => {
            const wallets = await fundedWallets(env.services, WALLETS, '1000.00');
            const made: { id: string; from: number; to: number }[] = [];
            for (const [from, to] of transfers) {
              const result = await env.services.ledger.transfer({
                initiatorUserId: wallets[from].userId,
                source: wallets[from],
                target: wallets[to],
                amount: '1.00',
                details: null,
                idempotencyKey: null,
              });
              made.push({ id: result.transfer.id, from, to });
            }
            const expected = made
              .filter(({ from, to }) => from === listed || to === listed)
              .map(({ id }) => id)
              .reverse();

            const seen: string[] = [];
            let beforeSeq: bigint | null = null;
            for (;;) {
              const rows = await env.db.read((sql) =>
                transfersPage(
                  sql,
                  { first: pageSize, beforeSeq, list: lists.transfers(wallets[listed].id) },
                  wallets[listed].id,
                ),
              );
              const page = rows.slice(0, pageSize);
              seen.push(...page.map((row) => row.id));
              // One row over the page says whether another follows.
              if (rows.length <= pageSize) break;
              assert.equal(rows.length, pageSize + 1);
              // A page that repeats rows must not keep the walk going for ever.
              assert.ok(seen.length <= expected.length, 'no more rows than transfers');
              beforeSeq = page[page.length - 1].seq;
            }
            assert.deepEqual(seen, expected);
          },
        ),
        { numRuns: 20 },
      );
    });
  });
}
