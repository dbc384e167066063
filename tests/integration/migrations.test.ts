import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { migrate, openDatabase } from '../../src/db/open';
import { createLogger } from '../../src/logger';
import { MIGRATIONS } from '../../src/db/migrations';
import { WALLET_TRANSFER_V6 } from '../../src/db/migrations/1764900000000-statements';
import { walletTransferDefinition } from '../../src/db/postgres/wallet-transfer';
import { databaseKinds, freshDatabase, queryDatabase, testConfig } from '../../testkit/databases';
import { MAIN } from '../../testkit/server';

for (const kind of databaseKinds()) {
  describe(`migrations on ${kind}`, () => {
    it('migrate from empty, after which the entities show no drift', async () => {
      const fresh = await freshDatabase(kind);
      const db = await openDatabase(testConfig(fresh.url), createLogger('error'));
      try {
        assert.equal(db.kind, kind);
        assert.deepEqual(await migrate(db), [
          'InitialSchema1763700000000',
          'AppendOnlyLedger1763800000000',
          'PartialKeyIndexes1763900000000',
          'TransferLegsIndex1764000000000',
          'RateLimitWindowIndex1764100000000',
          'TransferFunction1764200000000',
          'TransferWritesEachWalletOnce1764300000000',
          'TransferLockWaitBounded1764400000000',
          'Holds1764500000000',
          'Refunds1764600000000',
          'PaymentRequests1764700000000',
          'EventsAndWebhooks1764800000000',
          'Statements1764900000000',
          'WebhookEndpointStart1765000000000',
          'SessionOwners1765100000000',
          'WalletTransferWhole1765200000000',
        ]);
        assert.deepEqual(await migrate(db), [], 'a second run has nothing to do');
        // The latest four migrations can be undone (Statements puts the function before it back) and made again.
        for (let i = 0; i < 4; i++) await db.dataSource.undoLastMigration();
        assert.deepEqual(await migrate(db), [
          'Statements1764900000000',
          'WebhookEndpointStart1765000000000',
          'SessionOwners1765100000000',
          'WalletTransferWhole1765200000000',
        ]);
        // What `typeorm migration:generate` would write: nothing.
        const drift = await db.dataSource.driver.createSchemaBuilder().log();
        assert.deepEqual(
          drift.upQueries.map((q) => q.query),
          [],
        );
      } finally {
        await db.close();
        await fresh.drop();
      }
    });

    it('install the transfer function as its one file says (SQLite has none)', async () => {
      // The file is what the migrations built before it, edit by edit: the same text.
      assert.equal(walletTransferDefinition(), WALLET_TRANSFER_V6);
      if (kind !== 'postgres') return;
      const fresh = await freshDatabase(kind);
      const db = await openDatabase(testConfig(fresh.url), createLogger('error'));
      try {
        await migrate(db);
        const [row] = await queryDatabase<{ body: string }>(
          fresh.url,
          "SELECT prosrc AS body FROM pg_proc WHERE proname = 'wallet_transfer'",
        );
        const body = /AS \$\$([\s\S]*)\$\$/.exec(walletTransferDefinition())?.[1];
        assert.equal(row.body, body, 'the database runs the body the file holds');
      } finally {
        await db.close();
        await fresh.drop();
      }
    });

    it('leave keyless rows out of the key indexes (which the drift check cannot see)', async () => {
      const fresh = await freshDatabase(kind);
      const db = await openDatabase(testConfig(fresh.url), createLogger('error'));
      try {
        await migrate(db);
        const definition = async (index: string) => {
          const [row] = await queryDatabase<{ definition: string }>(
            fresh.url,
            kind === 'sqlite'
              ? 'SELECT sql AS definition FROM sqlite_master WHERE name = ?'
              : 'SELECT indexdef AS definition FROM pg_indexes WHERE indexname = $1',
            [index],
          );
          return row.definition;
        };
        assert.match(
          await definition('ux_operations_initiator_reference'),
          /^CREATE UNIQUE INDEX .* WHERE \(?"?reference"? IS NOT NULL\)?$/,
        );
        assert.match(
          await definition('ux_transfers_initiator_key'),
          /^CREATE UNIQUE INDEX .* WHERE \(?"?idempotency_key"? IS NOT NULL\)?$/,
        );
        // A repeated transfer finds its leg by the transfer, not among all of its wallet's operations.
        assert.match(
          await definition('ix_operations_transfer'),
          /^CREATE INDEX .*\(\s*"?transfer_id"?\s*\) WHERE \(?"?transfer_id"? IS NOT NULL\)?$/,
        );
      } finally {
        await db.close();
        await fresh.drop();
      }
    });

    it('are safe when instances start together (one applies, the others wait)', async () => {
      const fresh = await freshDatabase(kind);
      try {
        const run = () =>
          promisify(execFile)(process.execPath, [MAIN, 'migrate'], {
            env: { ...process.env, DATABASE_URL: fresh.url, LOG_LEVEL: 'error' },
          });
        await Promise.all([run(), run(), run()]);
        const rows = await queryDatabase<{ n: unknown }>(
          fresh.url,
          'SELECT COUNT(*) AS n FROM migrations',
        );
        assert.equal(Number(rows[0].n), MIGRATIONS.length, 'each migration applied once');
      } finally {
        await fresh.drop();
      }
    });
  });
}
