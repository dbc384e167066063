/**
 * Database.transaction when many start at once. On SQLite they are committed
 * together (group commit, each in its own savepoint); on PostgreSQL each is
 * its own transaction. Either way every transaction must stand alone: all of
 * it or none of it, and answered only once it is durable.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import type { Database } from '../../src/db/database';
import { CANCEL_GRACE_MS } from '../../src/db/postgres/cancel';
import type { Sql } from '../../src/db/sql';
import { openDatabase } from '../../src/db/open';
import type { DomainError } from '../../src/domain/errors';
import { createLogger } from '../../src/logger';
import { statementsCancelled } from '../../src/metrics';
import {
  databaseKinds,
  executeOnDatabase,
  migratedDatabase,
  queryDatabase,
  testConfig,
  type MigratedDatabase,
} from '../../testkit/databases';
import { TcpProxy } from '../helpers/tcp-proxy';
import { PostgresTlsFront, PostgresUnixSocketFront } from '../helpers/postgres-fronts';

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

    /** The service's Database on `databaseUrl` as `change` alters it (another role, a proxy). */
    const openAt = (databaseUrl: string, change: (url: URL) => void) => {
      const url = new URL(databaseUrl);
      change(url);
      return openDatabase(testConfig(url.toString()), createLogger('error'));
    };

    const cancelledCount = async () => (await statementsCancelled.get()).values[0]?.value ?? 0;

    if (kind === 'postgres') {
      /** A statement sleeping past its deadline on `db` is cancelled: WALLET_BUSY soon after it. */
      const assertCancelledInTime = async (db: Database) => {
        const startedMs = Date.now();
        await assert.rejects(
          db.read((sql) => sql.rows('SELECT pg_sleep(5)'), startedMs + 100),
          (error: DomainError) => error.code === 'WALLET_BUSY',
        );
        const elapsedMs = Date.now() - startedMs;
        assert.ok(elapsedMs < 100 + CANCEL_GRACE_MS + 1_000, `answered after ${elapsedMs} ms`);
      };

      /** Where the test database listens, for a proxy or front to reach it. */
      const databaseTarget = () => {
        const { hostname, port } = new URL(env.url);
        return { host: hostname, port: Number(port || 5432) };
      };

      it('cancels a statement still running past its deadline: WALLET_BUSY, nothing kept, its connection closed', async () => {
        const sleepingPids: number[] = [];
        const sleepPastDeadline = async (sql: Sql) => {
          const [{ pid }] = await sql.rows<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          sleepingPids.push(pid);
          await sql.rows('SELECT pg_sleep(10)');
        };
        const cancelledBefore = await cancelledCount();
        const startedMs = Date.now();
        const outcomes = await Promise.allSettled([
          env.db.transaction(async (sql) => {
            await sql.run('INSERT INTO settings (key, value) VALUES (?, ?)', ['cancelled', 'x']);
            await sleepPastDeadline(sql);
          }, startedMs + 300),
          env.db.read(sleepPastDeadline, startedMs + 300),
        ]);
        const elapsedMs = Date.now() - startedMs;
        for (const outcome of outcomes) {
          assert.equal(outcome.status, 'rejected');
          assert.equal((outcome.reason as DomainError).code, 'WALLET_BUSY');
        }
        assert.ok(elapsedMs < 300 + CANCEL_GRACE_MS + 1_000, `answered after ${elapsedMs} ms`);
        assert.equal((await cancelledCount()) - cancelledBefore, 2, 'counted for /metrics');
        assert.deepEqual(
          await queryDatabase(env.url, "SELECT key FROM settings WHERE key = 'cancelled'"),
          [],
        );
        // Closed, not pooled: a cancel that landed late would meet nobody's statement.
        for (let i = 0; ; i++) {
          const open = await queryDatabase(
            env.url,
            `SELECT pid FROM pg_stat_activity WHERE pid IN (${sleepingPids.join(', ')})`,
          );
          if (open.length === 0) break;
          assert.ok(i < 40, `connections ${JSON.stringify(open)} still open`);
          await sleep(50);
        }
        // A statement done within its deadline is not touched, nor its connection.
        const [{ pid }] = await env.db.read(
          (sql) => sql.rows<{ pid: number }>('SELECT pg_backend_pid() AS pid'),
          Date.now() + 100,
        );
        await sleep(100 + CANCEL_GRACE_MS + 100);
        const still = await queryDatabase(
          env.url,
          `SELECT state FROM pg_stat_activity WHERE pid = ${Number(pid)}`,
        );
        assert.deepEqual(still, [{ state: 'idle' }]);
      });

      it('cancels also when the database takes no more connections: the cancel needs no login', async () => {
        // A role allowed one connection, the one the statement runs on (roles, not
        // the superuser the tests run as, are held to connection limits).
        const role = `wallet_cancel_${randomBytes(4).toString('hex')}`;
        await executeOnDatabase(env.url, [`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 1`]);
        const limited = await openAt(env.url, (url) => (url.username = role));
        try {
          await assertCancelledInTime(limited);
        } finally {
          await limited.close();
          await executeOnDatabase(env.url, [`DROP ROLE ${role}`]);
        }
      });

      /** As the front saw it: the one cancel sent went through it. */
      const assertCancelledThrough = async (db: Database, front: { cancelsRelayed: number }) => {
        await assertCancelledInTime(db);
        assert.equal(front.cancelsRelayed, 1);
      };

      for (const negotiation of ['postgres', 'direct']) {
        it(`sends the cancel over TLS when the pool uses TLS (sslnegotiation=${negotiation})`, async () => {
          const front = await PostgresTlsFront.to(databaseTarget());
          const db = await openAt(env.url, (url) => {
            url.hostname = '127.0.0.1';
            url.port = String(front.port);
            url.searchParams.set('sslmode', 'no-verify');
            url.searchParams.set('sslnegotiation', negotiation);
          });
          try {
            // The front refuses plain TCP: a cancel sent in the clear would not stop the sleep.
            await assertCancelledThrough(db, front);
            assert.equal(front.plainRefused, 0);
          } finally {
            await db.close();
            await front.close();
          }
        });
      }

      it('sends the cancel over the Unix socket when the pool uses one', async () => {
        const front = await PostgresUnixSocketFront.to(databaseTarget());
        const db = await openAt(env.url, (url) => url.searchParams.set('host', front.directory));
        try {
          await assertCancelledThrough(db, front);
        } finally {
          await db.close();
          await front.close();
        }
      });

      it('sends at most four cancels at once, so a database that does not answer them cannot pile them up', async () => {
        const proxy = await TcpProxy.to(databaseTarget());
        proxy.restore();
        const db = await openAt(env.url, (url) => {
          url.hostname = '127.0.0.1';
          url.port = String(proxy.port);
        });
        try {
          // Six connections open, then the proxy answers no new one: the statements
          // run on the six, and every cancel's own connection hangs.
          await Promise.all(
            Array.from({ length: 6 }, () => db.read((sql) => sql.rows('SELECT 1'))),
          );
          proxy.holdNew();
          const cancelledBefore = await cancelledCount();
          const deadlineMs = Date.now() + 100;
          const outcomes = await Promise.allSettled(
            Array.from({ length: 6 }, () =>
              db.read((sql) => sql.rows('SELECT pg_sleep(1)'), deadlineMs),
            ),
          );
          // No cancel arrived, so every statement ran to its end; four were sent.
          assert.ok(outcomes.every((outcome) => outcome.status === 'fulfilled'));
          assert.equal((await cancelledCount()) - cancelledBefore, 4);
        } finally {
          await db.close();
          await proxy.close();
        }
      });
    }

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
