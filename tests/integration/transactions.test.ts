/**
 * Database.transaction when many start at once. On SQLite they are committed
 * together (group commit, each in its own savepoint); on PostgreSQL each is
 * its own transaction. Either way every transaction must stand alone: all of
 * it or none of it, and answered only once it is durable.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Sql } from '../../src/db/database';
import {
  databaseKinds,
  migratedDatabase,
  queryDatabase,
  type MigratedDatabase,
} from '../helpers/databases';

/** What a transaction in a burst does after its first insert. */
type Ending = 'commit' | 'throw' | 'duplicate';

class Refused extends Error {}

for (const kind of databaseKinds()) {
  describe(`transactions started together on ${kind}`, () => {
    let env: MigratedDatabase;
    before(async () => {
      env = await migratedDatabase(kind);
    });
    after(async () => env?.close());

    let burst = 0;
    /** Starts one transaction per ending in the same event-loop turn; their outcomes. */
    async function runBurst(endings: Ending[]) {
      const prefix = `burst-${++burst}-`;
      const work = (i: number, ending: Ending) => async (sql: Sql) => {
        await sql.run('INSERT INTO settings (key, value) VALUES (?, ?)', [`${prefix}${i}`, 'a']);
        await sql.run('INSERT INTO settings (key, value) VALUES (?, ?)', [`${prefix}${i}b`, 'b']);
        if (ending === 'throw') throw new Refused();
        // A statement the database refuses: the first insert again.
        if (ending === 'duplicate') {
          await sql.run('INSERT INTO settings (key, value) VALUES (?, ?)', [`${prefix}${i}`, 'c']);
        }
        return i;
      };
      const outcomes = await Promise.allSettled(
        endings.map((ending, i) => env.db.transaction(work(i, ending))),
      );
      const rows = await queryDatabase<{ key: string }>(
        env.url,
        'SELECT key FROM settings WHERE key LIKE ?',
        [`${prefix}%`],
      );
      return { prefix, outcomes, keys: new Set(rows.map((row) => row.key)) };
    }

    it('keeps each transaction whole: the committed ones entire, the failed ones without a trace', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.constantFrom<Ending>('commit', 'throw', 'duplicate'), {
            minLength: 1,
            maxLength: 40,
          }),
          async (endings) => {
            const { prefix, outcomes, keys } = await runBurst(endings);
            endings.forEach((ending, i) => {
              const outcome = outcomes[i];
              if (ending === 'commit') {
                assert.deepEqual(outcome, { status: 'fulfilled', value: i });
                assert.ok(keys.has(`${prefix}${i}`) && keys.has(`${prefix}${i}b`));
              } else {
                assert.equal(outcome.status, 'rejected');
                if (ending === 'throw') assert.ok(outcome.reason instanceof Refused);
                assert.ok(!keys.has(`${prefix}${i}`) && !keys.has(`${prefix}${i}b`));
              }
            });
            assert.equal(keys.size, 2 * endings.filter((e) => e === 'commit').length);
          },
        ),
        { numRuns: 25 },
      );
    });

    it('answers a transaction only once another connection can see what it wrote', async () => {
      const key = (i: number) => `visible-${i}`;
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          env.db
            .transaction((sql) =>
              sql.run('INSERT INTO settings (key, value) VALUES (?, ?)', [key(i), 'x']),
            )
            .then(async () => {
              const rows = await queryDatabase(env.url, 'SELECT 1 FROM settings WHERE key = ?', [
                key(i),
              ]);
              assert.equal(rows.length, 1, `${key(i)} committed before it was answered`);
            }),
        ),
      );
    });

    if (kind === 'sqlite') {
      it('fails every transaction of a group whose COMMIT fails, and keeps none of it', async () => {
        const inserted = (i: number) => `group-fails-${i}`;
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) =>
            env.db.transaction(async (sql) => {
              await sql.run('INSERT INTO settings (key, value) VALUES (?, ?)', [inserted(i), 'x']);
              if (i === 5) {
                // A foreign key checked only at COMMIT: a wallet of nobody.
                await sql.run('PRAGMA defer_foreign_keys = ON');
                await sql.run(
                  `INSERT INTO wallets (id, user_id, currency, balance_minor, lock_version, created_at)
                   VALUES ('no-owner', 'nobody', 'USD', 0, 0, 0)`,
                );
              }
            }),
          ),
        );
        assert.ok(outcomes.every((outcome) => outcome.status === 'rejected'));
        const rows = await queryDatabase(
          env.url,
          "SELECT key FROM settings WHERE key LIKE 'group-fails-%'",
        );
        assert.deepEqual(rows, []);
        // The connection is usable afterwards.
        assert.equal(await env.db.transaction(async () => 'next'), 'next');
      });
    }
  });
}
