/**
 * `npm run bench`: walletToWallet over HTTP against a real server on a fresh
 * database. Prints transfers/s counted from the ledger (distinct successes,
 * not responses), latency percentiles, refusals, and whether money was
 * conserved and `wallet audit` passed. Figures, not a test.
 *
 *   npm run bench -- [--db sqlite|postgres] [--instances 1|2] [--duration 10] [--connections 64]
 *
 * With --instances 2, two server processes share the database and the
 * connections are split between them, as behind a load balancer.
 */
import { parseArgs } from 'node:util';
import { randomInt } from 'node:crypto';
import { runAudit } from '../tests/helpers/audit';
import { freshDatabase, queryDatabase, type DatabaseKind } from '../tests/helpers/databases';
import { DEPOSIT, SEND, signInProvider, signUp, type Person } from '../tests/helpers/fixtures';
import { startServerOn } from '../tests/helpers/server';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: object) => Promise<AutocannonResult>;

interface AutocannonResult {
  latency: { p50: number; p99: number };
  requests: { total: number };
  non2xx: number;
  errors: number;
}

const USERS = 100;

async function ledgerTotals(databaseUrl: string) {
  const [row] = await queryDatabase<{ transfers: unknown; total: unknown }>(
    databaseUrl,
    `SELECT (SELECT COUNT(*) FROM transfers) AS transfers,
            (SELECT CAST(SUM(balance_minor) AS TEXT) FROM wallets) AS total`,
  );
  return { transfers: Number(row.transfers), totalMinor: BigInt(String(row.total ?? '0')) };
}

async function drive(
  urls: string[],
  people: Person[],
  pattern: 'random' | 'hot-pair',
  seconds: number,
  connections: number,
  refusals: Map<string, number>,
) {
  let turn = 0;
  const body = (): string => {
    let from: Person;
    let to: Person;
    if (pattern === 'hot-pair') {
      // Alternate direction so both wallets stay funded.
      [from, to] = turn++ % 2 === 0 ? [people[0], people[1]] : [people[1], people[0]];
    } else {
      const i = randomInt(people.length);
      let j = randomInt(people.length - 1);
      if (j >= i) j++;
      [from, to] = [people[i], people[j]];
    }
    return JSON.stringify({
      query: SEND,
      variables: { input: { toWalletId: to.walletId, amount: '1.00' } },
      cookie: from.client.cookie,
    });
  };
  const runs = urls.map((url) =>
    autocannon({
      url: `${url}/graphql`,
      connections: Math.max(1, Math.floor(connections / urls.length)),
      duration: seconds,
      requests: [
        {
          method: 'POST',
          setupRequest: (request: Record<string, unknown>) => {
            const { cookie, ...payload } = JSON.parse(body());
            return {
              ...request,
              headers: { 'content-type': 'application/json', cookie },
              body: JSON.stringify(payload),
            };
          },
          onResponse: (_status: number, responseBody: string) => {
            const match = /"code":"([A-Z_]+)"/.exec(responseBody);
            if (match) refusals.set(match[1], (refusals.get(match[1]) ?? 0) + 1);
          },
        },
      ],
    }),
  );
  const results = await Promise.all(runs);
  // Percentiles of the busiest instance's load generator; totals summed.
  return {
    latency: {
      p50: Math.max(...results.map((r) => r.latency.p50)),
      p99: Math.max(...results.map((r) => r.latency.p99)),
    },
    requests: { total: results.reduce((sum, r) => sum + r.requests.total, 0) },
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'sqlite' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '64' },
      instances: { type: 'string', default: '1' },
    },
  });
  const kind = values.db as DatabaseKind;
  if (kind === 'postgres' && !process.env.POSTGRES_TEST_URL) {
    throw new Error('--db postgres needs POSTGRES_TEST_URL (a server to create a database on)');
  }
  const seconds = Number(values.duration);
  const connections = Number(values.connections);
  const database = await freshDatabase(kind);
  const instances = Number(values.instances);
  const servers = [];
  for (let i = 0; i < instances; i++) {
    servers.push(await startServerOn(database.url, { SIGNUP_RATE_PER_HOUR: '0' }));
  }
  const urls = servers.map((s) => s.url);
  const server = servers[0];
  try {
    const provider = await signInProvider(server.url);
    const people: Person[] = [];
    for (let i = 0; i < USERS; i += 20) {
      people.push(...(await Promise.all(Array.from({ length: 20 }, () => signUp(server.url)))));
    }
    await Promise.all(
      people.map((p, i) =>
        provider.ok(DEPOSIT, {
          input: { walletId: p.walletId, amount: '1000000.00', reference: `bench-${i}` },
        }),
      ),
    );
    console.log(
      `bench: ${kind}, ${instances} instance(s), ${USERS} signed-in users, ${connections} connections, ${seconds} s per pattern`,
    );
    for (const pattern of ['random', 'hot-pair'] as const) {
      await drive(urls, people, pattern, 2, connections, new Map()); // warm-up, not counted
      const before = await ledgerTotals(database.url);
      const refusals = new Map<string, number>();
      const result = await drive(urls, people, pattern, seconds, connections, refusals);
      const after = await ledgerTotals(database.url);
      const transfers = after.transfers - before.transfers;
      const refused = [...refusals].map(([code, n]) => `${code}:${n}`).join(',') || 'none';
      console.log(
        `${kind} x${instances} ${pattern.padEnd(8)} transfers/s=${(transfers / seconds).toFixed(0)} ` +
          `p50=${result.latency.p50}ms p99=${result.latency.p99}ms requests=${result.requests.total} ` +
          `refusals=${refused} non2xx=${result.non2xx} errors=${result.errors} ` +
          `conserved=${after.totalMinor === before.totalMinor}`,
      );
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  const audit = await runAudit(database.url);
  console.log(`audit: exit ${audit.code} ${audit.output.trim().split('\n').pop()}`);
  await database.drop();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
