/**
 * Soak: a bounded run at a steady rate of mixed operations. Only business
 * refusals occur, and the heap after a forced collection at the end is at
 * most the heap at 10 s plus 20 MB (no leak that grows with traffic).
 */
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { runAudit } from '../../testkit/audit';
import { Client } from '../../testkit/client';
import { databaseKinds, freshDatabase } from '../../testkit/databases';
import { DEPOSIT, LOGIN, SEND, signInProvider, signUp, type Person } from '../../testkit/fixtures';
import { startServerOn, stopAllServers, type TestServer } from '../../testkit/server';

after(stopAllServers);

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const REQUESTS_PER_SECOND = 100;
const HEAP_GROWTH_MAX_BYTES = 20 * 1024 * 1024;
// Wrong passwords soon meet the per-email limit: that too is the rules working.
const BUSINESS_REFUSALS = new Set(['INSUFFICIENT_FUNDS', 'INVALID_CREDENTIALS', 'RATE_LIMITED']);

/** The server's heap after a forced collection (SIGUSR2 under --expose-gc), from /metrics. */
async function heapAfterCollection(server: TestServer): Promise<number> {
  server.process.kill('SIGUSR2');
  await sleep(500);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const line = metrics.split('\n').find((l) => l.startsWith('nodejs_heap_size_used_bytes '));
  return Number(line?.split(' ')[1]);
}

for (const kind of databaseKinds()) {
  describe(`soak on ${kind}`, () => {
    it(`${SOAK_SECONDS} s of mixed traffic: business refusals only, heap steady`, async () => {
      const database = await freshDatabase(kind);
      const server = await startServerOn(database.url, { SIGNUP_RATE_PER_HOUR: '0' }, [
        '--expose-gc',
      ]);
      assert.match(server.output(), new RegExp(`"database":"${kind}"`));
      const provider = await signInProvider(server.url);
      const people: Person[] = [];
      for (let i = 0; i < 20; i++) people.push(await signUp(server.url));
      const as = (person: Person) => {
        const client = new Client(server.url);
        client.cookie = person.client.cookie;
        return client;
      };
      const mixed = [
        (p: Person, q: Person) =>
          as(p).gql(SEND, {
            input: {
              toWalletId: q.walletId,
              amount: `${randomInt(1, 300)}.00`,
              idempotencyKey: randomUUID(),
            },
          }),
        (p: Person) =>
          provider.gql(DEPOSIT, {
            input: { walletId: p.walletId, amount: '50.00', reference: randomUUID() },
          }),
        (p: Person) =>
          as(p).gql('{ wallet { balance operations(first: 20) { nodes { id amount } } } }'),
        (p: Person) => as(p).gql('{ me { id wallets { id balance } } }'),
        (p: Person) =>
          new Client(server.url).gql(LOGIN, {
            input: { email: p.email, password: 'wrong-password' },
          }),
      ];
      const codes = new Map<string, number>();
      const pending = new Set<Promise<void>>();
      let heapAt10s = 0;
      const started = Date.now();
      try {
        while (Date.now() - started < SOAK_SECONDS * 1000) {
          const tickStarted = Date.now();
          for (let i = 0; i < REQUESTS_PER_SECOND / 10; i++) {
            const p = people[randomInt(people.length)];
            let q = people[randomInt(people.length)];
            while (q === p) q = people[randomInt(people.length)];
            const request = mixed[randomInt(mixed.length)](p, q).then((response) => {
              const code = response.errors?.[0]?.extensions?.code ?? 'ok';
              codes.set(code, (codes.get(code) ?? 0) + 1);
            });
            pending.add(request);
            void request.finally(() => pending.delete(request));
          }
          if (heapAt10s === 0 && Date.now() - started >= 10_000) {
            heapAt10s = await heapAfterCollection(server);
          }
          await sleep(Math.max(0, 100 - (Date.now() - tickStarted)));
        }
        await Promise.all(pending);
        const heapAtEnd = await heapAfterCollection(server);
        const summary = JSON.stringify(Object.fromEntries(codes));
        console.log(
          `soak on ${kind}: ${summary}; heap at 10 s ${heapAt10s} B, at end ${heapAtEnd} B`,
        );
        const unexpected = [...codes.keys()].filter((c) => c !== 'ok' && !BUSINESS_REFUSALS.has(c));
        assert.deepEqual(unexpected, [], summary);
        assert.ok(heapAt10s > 0 && heapAtEnd > 0, 'heap measured');
        assert.ok(
          heapAtEnd <= heapAt10s + HEAP_GROWTH_MAX_BYTES,
          `heap grew from ${heapAt10s} to ${heapAtEnd} bytes`,
        );
      } finally {
        await server.stop();
      }
      const audit = await runAudit(database.url);
      assert.equal(audit.code, 0, audit.output);
      await database.drop();
    });
  });
}
