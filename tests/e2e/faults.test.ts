/**
 * Injected faults: the ledger fails on purpose after taking its locks, just
 * before commit, or after commit but before answering. Clients retry with
 * their keys until they get an answer. No partial movement is ever visible,
 * no lock is left held, and each key completes exactly once.
 */
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { FAULT_POINTS } from '../../src/config';
import { runAudit } from '../../testkit/audit';
import type { Client, GraphQLResponse } from '../../testkit/client';
import { databaseKinds, freshDatabase, queryDatabase } from '../../testkit/databases';
import { DEPOSIT, SEND, signInProvider, signUp, type Person } from '../../testkit/fixtures';
import { startServerOn, stopAllServers } from '../../testkit/server';

after(stopAllServers);

const codeOf = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code ?? 'ok';

for (const kind of databaseKinds()) {
  describe(`injected faults on ${kind}`, () => {
    for (const point of FAULT_POINTS) {
      it(`${point}: nothing partial, no lock left, each key completes once`, async () => {
        const database = await freshDatabase(kind);
        const server = await startServerOn(database.url, {
          WALLET_FAULT_INJECTION: point,
          WALLET_FAULT_RATE: '0.5',
          SIGNUP_RATE_PER_HOUR: '0',
        });
        assert.match(server.output(), new RegExp(`"database":"${kind}"`));
        const codes: string[] = [];
        /** Sends until the answer is not our fault: what a careful client does with its key. */
        const untilAnswered = async (client: Client, query: string, variables: object) => {
          for (let attempt = 0; attempt < 40; attempt++) {
            const response = await client.gql(query, variables as Record<string, unknown>);
            codes.push(codeOf(response));
            if (codeOf(response) !== 'INTERNAL_SERVER_ERROR') return response;
          }
          throw new Error('never answered');
        };
        try {
          const provider = await signInProvider(server.url);
          const people: Person[] = [];
          for (let i = 0; i < 10; i++) people.push(await signUp(server.url));
          for (const person of people) {
            const funded = await untilAnswered(provider, DEPOSIT, {
              input: { walletId: person.walletId, amount: '20.00', reference: randomUUID() },
            });
            assert.equal(codeOf(funded), 'ok');
          }
          const answers = await Promise.all(
            people.map(async (sender, i) => {
              const mine: GraphQLResponse[] = [];
              for (let n = 0; n < 10; n++) {
                let to = randomInt(people.length - 1);
                if (to >= i) to++;
                mine.push(
                  await untilAnswered(sender.client, SEND, {
                    input: {
                      toWalletId: people[to].walletId,
                      amount: `${randomInt(1, 5)}.00`,
                      idempotencyKey: randomUUID(),
                    },
                  }),
                );
              }
              return mine;
            }),
          );
          const finals = answers.flat().map(codeOf);
          assert.ok(codes.includes('INTERNAL_SERVER_ERROR'), 'faults were injected');
          assert.ok(!codes.includes('WALLET_BUSY'), 'no lock was left held');
          assert.deepEqual(
            finals.filter((c) => c !== 'ok' && c !== 'INSUFFICIENT_FUNDS'),
            [],
          );
          const [ledger] = await queryDatabase<Record<string, unknown>>(
            database.url,
            `SELECT (SELECT COUNT(*) FROM transfers) AS transfers,
                    (SELECT COUNT(DISTINCT idempotency_key) FROM transfers) AS keys,
                    (SELECT COUNT(*) FROM operations WHERE type = 'DEPOSIT') AS deposits,
                    (SELECT CAST(SUM(balance_minor) AS TEXT) FROM wallets) AS balances`,
          );
          const succeeded = finals.filter((c) => c === 'ok').length;
          assert.equal(Number(ledger.transfers), succeeded, 'each answered transfer once, no more');
          assert.equal(Number(ledger.keys), succeeded);
          assert.equal(Number(ledger.deposits), people.length, 'each deposit once');
          assert.equal(String(ledger.balances), String(people.length * 2000));
        } finally {
          await server.stop();
        }
        const audit = await runAudit(database.url);
        assert.equal(audit.code, 0, audit.output);
        await database.drop();
      });
    }
  });
}
