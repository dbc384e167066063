/**
 * Two server processes on one database, as behind a load balancer: clients
 * round-robin across them, sessions work on both, money is conserved, and the
 * wallet lock serializes only movements that share a wallet.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { runAudit } from '../../testkit/audit';
import { Client } from '../../testkit/client';
import {
  databaseKinds,
  freshDatabase,
  ledgerSnapshot,
  queryDatabase,
  type FreshDatabase,
} from '../../testkit/databases';
import {
  DEPOSIT,
  LOGIN,
  SEND,
  fund,
  signInProvider,
  signUp,
  type Person,
} from '../../testkit/fixtures';
import { holdWalletLock } from '../../testkit/locks';
import { startServerOn, stopAllServers, type TestServer } from '../../testkit/server';
import { codeOf } from '../helpers/refusals';

after(stopAllServers);

const LOCK_TIMEOUT_MS = 1500;

/** The same session (a person's, or the provider's client), sent to another instance. */
function on(server: TestServer, signedIn: Person | Client): Client {
  const client = new Client(server.url);
  client.cookie = (signedIn instanceof Client ? signedIn : signedIn.client).cookie;
  return client;
}

async function totalMinor(url: string): Promise<bigint> {
  const [row] = await queryDatabase<{ total: unknown }>(
    url,
    'SELECT CAST(SUM(balance_minor) AS TEXT) AS total FROM wallets',
  );
  return BigInt(String(row.total ?? '0'));
}

for (const kind of databaseKinds()) {
  describe(`two instances on one ${kind} database`, () => {
    let database: FreshDatabase;
    let servers: TestServer[];
    let provider: Client;

    before(async () => {
      database = await freshDatabase(kind);
      const env = {
        SIGNUP_RATE_PER_HOUR: '0',
        LOGIN_MAX_FAILURES: '3',
        LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS),
      };
      servers = [await startServerOn(database.url, env), await startServerOn(database.url, env)];
      provider = await signInProvider(servers[0].url);
    });
    after(async () => {
      await Promise.all(servers?.map((s) => s.stop()) ?? []);
      await database?.drop();
    });

    it(`both serve from the ${kind} driver`, () => {
      for (const server of servers)
        assert.match(server.output(), new RegExp(`"database":"${kind}"`));
    });

    it('(b) a session made on one instance works on the other; logout on either ends it on both at once', async () => {
      const person = await signUp(servers[0].url);
      assert.equal((await on(servers[0], person).ok('{ me { id } }')).me.id, person.userId);
      assert.equal((await on(servers[1], person).ok('{ me { id } }')).me.id, person.userId);
      await on(servers[1], person).ok('mutation { logout }');
      assert.equal((await on(servers[0], person).ok('{ me { id } }')).me, null);
      assert.equal((await on(servers[1], person).ok('{ me { id } }')).me, null);
    });

    it('count failed logins across both instances', async () => {
      const person = await signUp(servers[0].url);
      const login = (server: TestServer, password: string) =>
        new Client(server.url).gql(LOGIN, { input: { email: person.email, password } });
      for (const server of [servers[0], servers[1], servers[0]]) {
        assert.equal(codeOf(await login(server, 'wrong-password')), 'INVALID_CREDENTIALS');
      }
      assert.equal(codeOf(await login(servers[1], person.password)), 'RATE_LIMITED');
    });

    it('(a) 100 clients round-robin across both: money conserved, audit clean', async () => {
      const people: Person[] = [];
      for (let i = 0; i < 100; i += 20) {
        people.push(
          ...(await Promise.all(
            Array.from({ length: 20 }, (_, j) => signUp(servers[(i + j) % 2].url)),
          )),
        );
      }
      await Promise.all(people.map((p) => fund(provider, p.walletId, '50.00')));
      const before = await totalMinor(database.url);
      const codes: string[] = [];
      await Promise.all(
        people.map(async (sender, i) => {
          for (let n = 0; n < 30; n++) {
            let target = randomInt(people.length);
            while (target === i) target = randomInt(people.length);
            const response = await on(servers[(i + n) % 2], sender).gql(SEND, {
              input: {
                toWalletId: people[target].walletId,
                amount: `${randomInt(1, 10)}.${String(randomInt(100)).padStart(2, '0')}`,
              },
            });
            codes.push(codeOf(response));
          }
        }),
      );
      const unexpected = codes.filter((c) => c !== 'ok' && c !== 'INSUFFICIENT_FUNDS');
      assert.deepEqual(unexpected, []);
      assert.equal(await totalMinor(database.url), before);
      const negative = await queryDatabase(
        database.url,
        'SELECT id FROM wallets WHERE balance_minor < 0',
      );
      assert.deepEqual(negative, []);
      const audit = await runAudit(database.url);
      assert.equal(audit.code, 0, audit.output);
    });

    it("(c') opposing transfers on both instances for 10 s never deadlock", async () => {
      const [a, b] = [await signUp(servers[0].url), await signUp(servers[1].url)];
      await fund(provider, a.walletId, '100.00');
      await fund(provider, b.walletId, '100.00');
      const until = Date.now() + 10_000;
      const codes: string[] = [];
      const worker = async (from: Person, to: Person, server: TestServer) => {
        while (Date.now() < until) {
          const response = await on(server, from).gql(SEND, {
            input: { toWalletId: to.walletId, amount: '1.00' },
          });
          codes.push(codeOf(response));
        }
      };
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          i % 2 === 0
            ? worker(a, b, servers[i % 4 < 2 ? 0 : 1])
            : worker(b, a, servers[i % 4 < 2 ? 1 : 0]),
        ),
      );
      const unexpected = codes.filter((c) => c !== 'ok' && c !== 'INSUFFICIENT_FUNDS');
      assert.deepEqual(unexpected, [], 'no deadlock, no busy wallet, no internal error');
      assert.ok(codes.filter((c) => c === 'ok').length > 0);
      for (const server of servers) {
        assert.doesNotMatch(server.output(), /40P01|deadlock/i);
      }
      const audit = await runAudit(database.url);
      assert.equal(audit.code, 0, audit.output);
    });

    it('a repeat while its wallet is held answers from the ledger: the original, or IDEMPOTENCY_CONFLICT, before WALLET_BUSY', async () => {
      const [a, b] = [await signUp(servers[0].url), await signUp(servers[1].url)];
      const reference = `held-${randomInt(1e9)}`;
      const deposit = { walletId: a.walletId, amount: '10.00', reference };
      const deposited = await provider.gql(DEPOSIT, { input: deposit });
      assert.equal(codeOf(deposited), 'ok');
      const send = { toWalletId: b.walletId, amount: '1.00', idempotencyKey: `key-${reference}` };
      const sent = await on(servers[0], a).gql(SEND, { input: send });
      assert.equal(codeOf(sent), 'ok');

      const release = await holdWalletLock(database.url, a.walletId);
      const before = await ledgerSnapshot(database.url);
      try {
        const [sentAgain, conflicting, depositedAgain, fresh] = await Promise.all([
          on(servers[1], a).gql(SEND, { input: send }),
          on(servers[1], a).gql(SEND, { input: { ...send, amount: '2.00' } }),
          provider.gql(DEPOSIT, { input: deposit }),
          on(servers[0], a).gql(SEND, { input: { ...send, idempotencyKey: `new-${reference}` } }),
        ]);
        assert.equal(codeOf(sentAgain), 'ok', 'the original transfer');
        assert.equal(
          sentAgain.data.walletToWallet.transfer.id,
          sent.data.walletToWallet.transfer.id,
        );
        assert.equal(codeOf(conflicting), 'IDEMPOTENCY_CONFLICT');
        assert.equal(codeOf(depositedAgain), 'ok', 'the original deposit');
        assert.equal(
          depositedAgain.data.externalToWallet.operation.id,
          deposited.data.externalToWallet.operation.id,
        );
        assert.equal(codeOf(fresh), 'WALLET_BUSY', 'a new key waits for the lock');
      } finally {
        await release();
      }
      assert.equal(await ledgerSnapshot(database.url), before, 'nothing moved');
    });

    it('(e) concurrent debits across both instances never take more than the balance', async () => {
      const [payer, payee] = [await signUp(servers[0].url), await signUp(servers[1].url)];
      await fund(provider, payer.walletId, '1.00');
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          on(servers[i % 2], payer).gql(SEND, {
            input: { toWalletId: payee.walletId, amount: '0.10' },
          }),
        ),
      );
      const codes = responses.map(codeOf);
      assert.equal(codes.filter((c) => c === 'ok').length, 10);
      assert.equal(codes.filter((c) => c === 'INSUFFICIENT_FUNDS').length, 40);
      assert.equal((await payer.client.ok('{ wallet { balance } }')).wallet.balance, '0.00');
    });

    if (kind === 'postgres') {
      // SQLite has one writer at a time by design; these are PostgreSQL's row locks.
      it('(c) a held wallet lock stops only movements on that wallet', async () => {
        const [a, b, c, d] = await Promise.all(
          Array.from({ length: 4 }, (_, i) => signUp(servers[i % 2].url)),
        );
        await fund(provider, a.walletId, '10.00');
        await fund(provider, c.walletId, '10.00');

        // Held shorter than LOCK_TIMEOUT_MS: the movement waits, then completes.
        let release = await holdWalletLock(database.url, a.walletId);
        let aDone = false;
        const aToB = on(servers[0], a)
          .gql(SEND, { input: { toWalletId: b.walletId, amount: '1.00' } })
          .finally(() => (aDone = true));
        const cToD = await on(servers[1], c).gql(SEND, {
          input: { toWalletId: d.walletId, amount: '1.00' },
        });
        assert.equal(codeOf(cToD), 'ok', 'an unrelated transfer completes while A is held');
        await sleep(300);
        assert.equal(aDone, false, 'the transfer from A waits for the lock');
        await release();
        assert.equal(codeOf(await aToB), 'ok', 'and completes once the lock is free');

        // Held longer than LOCK_TIMEOUT_MS: WALLET_BUSY, and nothing moved.
        release = await holdWalletLock(database.url, a.walletId);
        const before = await ledgerSnapshot(database.url);
        try {
          const busy = await on(servers[1], a).gql(SEND, {
            input: { toWalletId: b.walletId, amount: '1.00' },
          });
          assert.equal(codeOf(busy), 'WALLET_BUSY');
        } finally {
          await release();
        }
        assert.equal(await ledgerSnapshot(database.url), before);
      });

      it('(g) a transfer waiting for both wallets in turn is WALLET_BUSY within one LOCK_TIMEOUT_MS', async () => {
        const [a, b] = [await signUp(servers[0].url), await signUp(servers[0].url)];
        await fund(provider, a.walletId, '10.00');
        const [low, high] = [a.walletId, b.walletId].sort();
        const releaseLow = await holdWalletLock(database.url, low);
        const releaseHigh = await holdWalletLock(database.url, high);
        const before = await ledgerSnapshot(database.url);
        try {
          const startedMs = Date.now();
          const sending = on(servers[0], a).gql(SEND, {
            input: { toWalletId: b.walletId, amount: '1.00' },
          });
          // Two thirds of the bound waiting for the first wallet, then the second's wait.
          await sleep((LOCK_TIMEOUT_MS * 2) / 3);
          await releaseLow();
          const busy = await sending;
          const waitedMs = Date.now() - startedMs;
          assert.equal(codeOf(busy), 'WALLET_BUSY');
          // Each wait bounded by itself would answer after ~5/3 of the bound.
          assert.ok(waitedMs < LOCK_TIMEOUT_MS + 400, `answered after ${waitedMs} ms`);
        } finally {
          await releaseHigh();
        }
        assert.equal(await ledgerSnapshot(database.url), before);
      });

      it('(i) a movement second in line at a held wallet is WALLET_BUSY within one LOCK_TIMEOUT_MS', async () => {
        // Inside PostgreSQL the second in line at a row waits twice, each wait
        // with the whole lock_timeout: for its place (until the first gives
        // up), then for the holder. First in line here: a deposit to each
        // held wallet; second: a transfer from one, a deposit to the other.
        const [a, b, c] = await Promise.all([0, 1, 0].map((i) => signUp(servers[i].url)));
        await fund(provider, a.walletId, '10.00');
        const deposit = (client: Client, walletId: string) =>
          client.gql(DEPOSIT, {
            input: { walletId, amount: '1.00', reference: `held-${randomInt(1e9)}` },
          });
        const timed = async (
          request: Promise<{ errors?: { extensions?: { code?: string } }[] }>,
        ) => {
          const startedMs = Date.now();
          const code = codeOf(await request);
          return { code, waitedMs: Date.now() - startedMs };
        };
        const releases = [
          await holdWalletLock(database.url, a.walletId),
          await holdWalletLock(database.url, c.walletId),
        ];
        const before = await ledgerSnapshot(database.url);
        try {
          const firsts = Promise.all([
            deposit(provider, a.walletId),
            deposit(provider, c.walletId),
          ]);
          await waitForLockWaiters(database.url, true, 2);
          await sleep(LOCK_TIMEOUT_MS / 3);
          const seconds = await Promise.all([
            timed(
              on(servers[1], a).gql(SEND, { input: { toWalletId: b.walletId, amount: '1.00' } }),
            ),
            timed(deposit(on(servers[1], provider), c.walletId)),
          ]);
          assert.deepEqual((await firsts).map(codeOf), ['WALLET_BUSY', 'WALLET_BUSY']);
          for (const [what, second] of [
            ['transfer', seconds[0]],
            ['deposit', seconds[1]],
          ] as const) {
            assert.equal(second.code, 'WALLET_BUSY', what);
            // Two whole waits would answer after ~5/3 of the bound.
            assert.ok(
              second.waitedMs < LOCK_TIMEOUT_MS + 400,
              `the second ${what} answered after ${second.waitedMs} ms`,
            );
          }
        } finally {
          for (const release of releases) await release();
        }
        assert.equal(await ledgerSnapshot(database.url), before, 'nothing moved');
      });

      /**
       * On an instance with a pool of 4, so one pass: `heldCount` wallets whose
       * locks are held elsewhere, six transfers from each. `waiters` of them
       * wait at the database; an unrelated transfer on the instance completes
       * while none of them is answered; then each is WALLET_BUSY, and only the
       * unrelated one moved money.
       */
      async function sixFromEachHeldWallet(heldCount: number, waiters: number, why: string) {
        const small = await startServerOn(database.url, {
          LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS),
          DB_POOL_SIZE: '4',
        });
        try {
          const people = await Promise.all(
            Array.from({ length: 2 * heldCount + 2 }, () => signUp(small.url)),
          );
          const [c, d] = people.slice(-2);
          const held = Array.from({ length: heldCount }, (_, i) => people.slice(2 * i, 2 * i + 2));
          for (const [from] of held) await fund(provider, from.walletId, '10.00');
          await fund(provider, c.walletId, '10.00');
          const releases = [];
          for (const [from] of held)
            releases.push(await holdWalletLock(database.url, from.walletId));
          try {
            let answered = 0;
            const fromHeld = held.flatMap(([from, to]) =>
              Array.from({ length: 6 }, () =>
                on(small, from)
                  .gql(SEND, { input: { toWalletId: to.walletId, amount: '1.00' } })
                  .finally(() => answered++),
              ),
            );
            await waitForLockWaiters(database.url, true);
            await sleep(300);
            assert.equal(await lockWaiterCount(database.url), waiters, why);
            const cToD = await on(small, c).gql(SEND, {
              input: { toWalletId: d.walletId, amount: '1.00' },
            });
            assert.equal(
              codeOf(cToD),
              'ok',
              'an unrelated transfer on the same instance completes',
            );
            assert.equal(answered, 0, 'while every transfer from a held wallet still waits');
            const codes = (await Promise.all(fromHeld)).map(codeOf);
            assert.deepEqual(
              codes,
              Array(6 * heldCount).fill('WALLET_BUSY'),
              'each one within its deadline',
            );
          } finally {
            for (const release of releases) await release();
          }
          const balances = await Promise.all(
            people.map(
              async (person) =>
                (await on(small, person).ok('{ wallet { balance } }')).wallet.balance,
            ),
          );
          const expected = [...held.flatMap(() => ['10.00', '0.00']), '9.00', '1.00'];
          assert.deepEqual(balances, expected);
        } finally {
          await small.stop();
        }
      }

      it("(f) one busy wallet holds at most half of an instance's connections; other transfers go on", async () => {
        await sixFromEachHeldWallet(
          1,
          2,
          "the wallet's first movement and the one pass wait at the database; the other movements on it wait in the process",
        );
      });

      it("(h) several busy wallets together leave an instance's connections to other transfers", async () => {
        await sixFromEachHeldWallet(
          2,
          3,
          "each held wallet's first movement and the one pass wait at the database; the rest wait in the process",
        );
      });

      it('(d) SIGKILL inside a movement leaves nothing partial; the other instance goes on', async () => {
        const doomedDb = database.url;
        const doomed = await startServerOn(doomedDb, { LOCK_TIMEOUT_MS: '30000' });
        const [x, y] = [await signUp(doomed.url), await signUp(doomed.url)];
        await fund(provider, x.walletId, '10.00');
        // Hold the higher id: the movement locks the lower one first, then waits inside its transaction.
        const [low, high] = [x.walletId, y.walletId].sort();
        const release = await holdWalletLock(doomedDb, high);
        const before = await ledgerSnapshot(doomedDb);
        // Handled here: the request fails when its server is killed.
        const stuck = on(doomed, x)
          .gql(SEND, {
            input: { toWalletId: y.walletId, amount: '5.00' },
          })
          .catch((error: unknown) => error);
        await waitForLockWaiters(doomedDb, true);
        assert.ok(low < high);
        await doomed.stop('SIGKILL');
        await stuck;
        // The transfer is one statement that would commit by itself once the
        // lock is free: PostgreSQL notices the dead client and ends it first.
        await waitForLockWaiters(doomedDb, false);
        await release();
        assert.equal(await ledgerSnapshot(doomedDb), before, 'no partial movement');
        const done = await on(servers[0], x).gql(SEND, {
          input: { toWalletId: y.walletId, amount: '5.00' },
        });
        assert.equal(codeOf(done), 'ok', 'the wallets are usable at once');
        const audit = await runAudit(doomedDb);
        assert.equal(audit.code, 0, audit.output);
      });
    }
  });
}

/** How many sessions of this database wait for a lock. */
async function lockWaiterCount(url: string): Promise<number> {
  const rows = await queryDatabase(
    url,
    `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
  );
  return rows.length;
}

/** Waits until at least `count` sessions are blocked on a lock (waiting) or none is (not waiting). */
async function waitForLockWaiters(url: string, waiting: boolean, count = 1): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await lockWaiterCount(url)) >= count === waiting) return;
    await sleep(50);
  }
  throw new Error(
    waiting
      ? 'no movement ever waited for the lock'
      : 'a movement still waits for the lock after its process died',
  );
}
