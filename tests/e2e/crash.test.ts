/**
 * Crash under load: SIGKILL the server in the middle of concurrent transfers
 * and deposits, restart it on the same database, retry every request with
 * its key. Every request gets an answer, each key moves money at most once,
 * money is conserved, and the audit passes.
 */
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { runAudit } from '../../testkit/audit';
import { Client, type GraphQLResponse } from '../../testkit/client';
import { databaseKinds, freshDatabase, queryDatabase } from '../../testkit/databases';
import { DEPOSIT, SEND, fund, signInProvider, signUp, type Person } from '../../testkit/fixtures';
import { startServerOn, stopAllServers, type TestServer } from '../../testkit/server';

after(stopAllServers);

interface Sent {
  key: string;
  query: string;
  variables: Record<string, unknown>;
  /** Whose session sends it: a person's index, or -1 for the provider. */
  sender: number;
  first?: GraphQLResponse;
  retry?: GraphQLResponse;
}

const ANSWERS_BEFORE_KILL = 500;
const IN_FLIGHT_AT_KILL = 20;
const CLIENTS = 40;

function session(server: TestServer, cookie: string | null): Client {
  const client = new Client(server.url);
  client.cookie = cookie;
  return client;
}

function idsOf(response: GraphQLResponse | undefined): string | null {
  const data = response?.data;
  if (!data) return null;
  if (data.walletToWallet)
    return `${data.walletToWallet.transfer.id}/${data.walletToWallet.operation.id}`;
  return data.externalToWallet.operation.id;
}

for (const kind of databaseKinds()) {
  describe(`crash under load on ${kind}`, () => {
    it('SIGKILL with requests in flight; retries with keys move money exactly once', async () => {
      const database = await freshDatabase(kind);
      let server = await startServerOn(database.url, { SIGNUP_RATE_PER_HOUR: '0' });
      assert.match(server.output(), new RegExp(`"database":"${kind}"`));
      const provider = await signInProvider(server.url);
      const people: Person[] = [];
      for (let i = 0; i < 20; i++) people.push(await signUp(server.url));
      await Promise.all(people.map((p) => fund(provider, p.walletId, '100.00')));
      const cookies = people.map((p) => p.client.cookie);

      const sent: Sent[] = [];
      let answered = 0;
      let inFlight = 0;
      let killed = false;
      const next = (): Sent => {
        const key = randomUUID();
        if (randomInt(5) === 0) {
          const target = people[randomInt(people.length)];
          return {
            key,
            sender: -1,
            query: DEPOSIT,
            variables: { input: { walletId: target.walletId, amount: '1.00', reference: key } },
          };
        }
        const from = randomInt(people.length);
        let to = randomInt(people.length - 1);
        if (to >= from) to++;
        return {
          key,
          sender: from,
          query: SEND,
          variables: {
            input: {
              toWalletId: people[to].walletId,
              amount: `0.${String(randomInt(1, 100)).padStart(2, '0')}`,
              idempotencyKey: key,
            },
          },
        };
      };
      const cookieOf = (sender: number) => (sender === -1 ? provider.cookie : cookies[sender]);
      const doomed = server;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (!killed) {
            const request = next();
            sent.push(request);
            inFlight++;
            try {
              request.first = await session(doomed, cookieOf(request.sender)).gql(
                request.query,
                request.variables,
              );
              answered++;
            } catch {
              // No answer: the server died under it. The retry below settles it.
            } finally {
              inFlight--;
            }
            if (!killed && answered >= ANSWERS_BEFORE_KILL && inFlight >= IN_FLIGHT_AT_KILL) {
              killed = true;
              void doomed.stop('SIGKILL');
            }
          }
        }),
      );
      await doomed.stop('SIGKILL');
      const unanswered = sent.filter((r) => r.first === undefined).length;
      assert.ok(answered >= ANSWERS_BEFORE_KILL, `answers before the kill: ${answered}`);
      assert.ok(unanswered >= 1, `requests lost in flight: ${unanswered}`);

      server = await startServerOn(database.url);
      for (let i = 0; i < sent.length; i += CLIENTS) {
        await Promise.all(
          sent.slice(i, i + CLIENTS).map(async (request) => {
            request.retry = await session(server, cookieOf(request.sender)).gql(
              request.query,
              request.variables,
            );
          }),
        );
      }
      for (const request of sent) {
        const code = request.retry?.errors?.[0]?.extensions?.code ?? 'ok';
        assert.ok(['ok', 'INSUFFICIENT_FUNDS'].includes(code), `retry answered ${code}`);
        if (request.first?.data) {
          assert.equal(idsOf(request.retry), idsOf(request.first), 'a retry returns the original');
        }
      }

      const [counts] = await queryDatabase<{
        keyed: unknown;
        keys: unknown;
        refs: unknown;
        deposits: unknown;
      }>(
        database.url,
        `SELECT (SELECT COUNT(*) FROM transfers) AS keyed,
                (SELECT COUNT(DISTINCT idempotency_key) FROM transfers) AS keys,
                (SELECT COUNT(DISTINCT reference) FROM operations WHERE type = 'DEPOSIT') AS refs,
                (SELECT COUNT(*) FROM operations WHERE type = 'DEPOSIT') AS deposits`,
      );
      assert.equal(Number(counts.keyed), Number(counts.keys), 'each key moved money at most once');
      assert.equal(Number(counts.deposits), Number(counts.refs), 'each reference credited once');
      const succeeded = sent.filter((r) => r.retry?.data && r.query === SEND).length;
      assert.equal(Number(counts.keyed), succeeded, 'every transfer in the ledger was answered');
      const [sums] = await queryDatabase<{ balances: unknown; deposited: unknown }>(
        database.url,
        `SELECT (SELECT CAST(SUM(balance_minor) AS TEXT) FROM wallets) AS balances,
                (SELECT CAST(SUM(amount_minor) AS TEXT) FROM operations WHERE type = 'DEPOSIT') AS deposited`,
      );
      assert.equal(
        BigInt(String(sums.balances)),
        BigInt(String(sums.deposited)),
        'money conserved',
      );
      await server.stop();
      const audit = await runAudit(database.url);
      assert.equal(audit.code, 0, audit.output);
      await database.drop();
    });
  });
}
