/**
 * Many clients at once over HTTP: money is conserved, no balance goes
 * negative, every balance equals the sum of its operations (the audit), and
 * the only refusals are the ones the rules call for.
 */
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Client } from '../../testkit/client';
import { runAudit } from '../../testkit/audit';
import { databaseKinds, queryDatabase } from '../../testkit/databases';
import { DEPOSIT, SEND, fund, signInProvider, signUp, type Person } from '../../testkit/fixtures';
import { startServer, type TestEnvironment, stopAllServers } from '../../testkit/server';
import { codeOf } from '../helpers/refusals';

async function inBatches<T>(count: number, size: number, make: (i: number) => Promise<T>) {
  const results: T[] = [];
  for (let start = 0; start < count; start += size) {
    const batch = Array.from({ length: Math.min(size, count - start) }, (_, i) => make(start + i));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

async function totalMinor(databaseUrl: string): Promise<{ sum: bigint; negative: number }> {
  const rows = await queryDatabase<{ b: string }>(
    databaseUrl,
    'SELECT CAST(balance_minor AS TEXT) AS b FROM wallets',
  );
  return {
    sum: rows.reduce((sum, row) => sum + BigInt(row.b), 0n),
    negative: rows.filter((row) => BigInt(row.b) < 0n).length,
  };
}

function tally(codes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}

after(stopAllServers);

for (const kind of databaseKinds()) {
  describe(`concurrency on ${kind}`, () => {
    let env: TestEnvironment;
    let provider: Client;

    before(async () => {
      // One address signs up every test user here: the per-address limit is off.
      env = await startServer(kind, { SIGNUP_RATE_PER_HOUR: '0' });
      provider = await signInProvider(env.server.url);
    });
    after(async () => env?.close());

    it(`serves from the ${kind} driver`, () => {
      assert.match(env.server.output(), new RegExp(`"database":"${kind}"`));
    });

    it('100 clients x 100 random transfers between 100 wallets conserve money', async () => {
      const people = await inBatches(100, 20, () => signUp(env.server.url));
      await inBatches(100, 20, (i) => fund(provider, people[i].walletId, '500.00'));
      const before = await totalMinor(env.database.url);
      assert.equal(before.sum, 100n * 50_000n);

      const send = async (sender: Person): Promise<string[]> => {
        const codes: string[] = [];
        for (let n = 0; n < 100; n++) {
          let target = randomInt(100);
          while (people[target] === sender) target = randomInt(100);
          const cents = randomInt(1, 1001); // 0.01 .. 10.00
          const response = await sender.client.gql(SEND, {
            input: {
              toWalletId: people[target].walletId,
              amount: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
              idempotencyKey: randomUUID(),
            },
          });
          codes.push(codeOf(response));
        }
        return codes;
      };
      const codes = (await Promise.all(people.map(send))).flat();
      const counts = tally(codes);
      assert.deepEqual(
        Object.keys(counts).filter((code) => code !== 'ok' && code !== 'INSUFFICIENT_FUNDS'),
        [],
        `only INSUFFICIENT_FUNDS refusals: ${JSON.stringify(counts)}`,
      );
      assert.ok((counts.ok ?? 0) >= 9_000, `at least 90% succeed: ${JSON.stringify(counts)}`);

      const afterwards = await totalMinor(env.database.url);
      assert.equal(afterwards.sum, before.sum, 'the sum of balances is unchanged');
      assert.equal(afterwards.negative, 0, 'no balance is negative');
      const [{ transfers }] = await queryDatabase<{ transfers: unknown }>(
        env.database.url,
        'SELECT COUNT(*) AS transfers FROM transfers',
      );
      assert.equal(Number(transfers), counts.ok, 'one transfer row per success, none more');
      const audit = await runAudit(env.database.url);
      assert.equal(audit.code, 0, audit.output);
    });

    it('opposing transfers A->B and B->A at once never deadlock', async () => {
      const [a, b] = await Promise.all([signUp(env.server.url), signUp(env.server.url)]);
      await fund(provider, a.walletId, '100.00');
      await fund(provider, b.walletId, '100.00');
      const requests = Array.from({ length: 100 }, (_, i) => {
        const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
        return from.client.gql(SEND, { input: { toWalletId: to.walletId, amount: '1.00' } });
      });
      const counts = tally((await Promise.all(requests)).map(codeOf));
      assert.deepEqual(counts, { ok: 100 });
      const balances = await Promise.all([a, b].map((p) => p.client.ok('{ wallet { balance } }')));
      assert.deepEqual(
        balances.map((w) => w.wallet.balance),
        ['100.00', '100.00'],
      );
    });

    it('50 simultaneous debits of 0.10 against 1.00: exactly 10 succeed', async () => {
      const [payer, payee] = await Promise.all([signUp(env.server.url), signUp(env.server.url)]);
      await fund(provider, payer.walletId, '1.00');
      const requests = Array.from({ length: 50 }, () =>
        payer.client.gql(SEND, { input: { toWalletId: payee.walletId, amount: '0.10' } }),
      );
      const counts = tally((await Promise.all(requests)).map(codeOf));
      assert.deepEqual(counts, { ok: 10, INSUFFICIENT_FUNDS: 40 });
      assert.equal((await payer.client.ok('{ wallet { balance } }')).wallet.balance, '0.00');
      assert.equal((await payee.client.ok('{ wallet { balance } }')).wallet.balance, '1.00');
    });

    it('25 identical transfers at the same moment move money once, all with the same ids', async () => {
      const [payer, payee] = await Promise.all([signUp(env.server.url), signUp(env.server.url)]);
      await fund(provider, payer.walletId, '10.00');
      const input = { toWalletId: payee.walletId, amount: '2.50', idempotencyKey: randomUUID() };
      const responses = await Promise.all(
        Array.from({ length: 25 }, () => payer.client.gql(SEND, { input })),
      );
      assert.deepEqual(tally(responses.map(codeOf)), { ok: 25 });
      const ids = new Set(
        responses.map(
          (r) => `${r.data.walletToWallet.transfer.id}/${r.data.walletToWallet.operation.id}`,
        ),
      );
      assert.equal(ids.size, 1, 'every answer names the same transfer and operation');
      assert.equal((await payer.client.ok('{ wallet { balance } }')).wallet.balance, '7.50');
      assert.equal((await payee.client.ok('{ wallet { balance } }')).wallet.balance, '2.50');
    });

    it('25 identical deposits at the same moment credit once, all with the same ids', async () => {
      const person = await signUp(env.server.url);
      const input = { walletId: person.walletId, amount: '3.00', reference: randomUUID() };
      const responses = await Promise.all(
        Array.from({ length: 25 }, () => provider.gql(DEPOSIT, { input })),
      );
      assert.deepEqual(tally(responses.map(codeOf)), { ok: 25 });
      assert.equal(new Set(responses.map((r) => r.data.externalToWallet.operation.id)).size, 1);
      assert.equal((await person.client.ok('{ wallet { balance } }')).wallet.balance, '3.00');
      const audit = await runAudit(env.database.url);
      assert.equal(audit.code, 0, audit.output);
    });
  });
}
