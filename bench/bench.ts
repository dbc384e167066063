/**
 * `npm run bench`: walletToWallet over HTTP against a real server on a fresh
 * database. Prints transfers/s counted from the ledger (distinct successes,
 * not responses), latency percentiles, refusals, and whether money was
 * conserved and `wallet audit` passed. Figures, not a test.
 *
 *   npm run bench -- [--db sqlite|postgres] [--duration 10] [--connections 64]
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
  url: string,
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
  return autocannon({
    url: `${url}/graphql`,
    connections,
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
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'sqlite' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '64' },
    },
  });
  const kind = values.db as DatabaseKind;
  if (kind === 'postgres' && !process.env.POSTGRES_TEST_URL) {
    throw new Error('--db postgres needs POSTGRES_TEST_URL (a server to create a database on)');
  }
  const seconds = Number(values.duration);
  const connections = Number(values.connections);
  const database = await freshDatabase(kind);
  const server = await startServerOn(database.url, { SIGNUP_RATE_PER_HOUR: '0' });
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
      `bench: ${kind}, ${USERS} signed-in users, ${connections} connections, ${seconds} s per pattern`,
    );
    for (const pattern of ['random', 'hot-pair'] as const) {
      await drive(server.url, people, pattern, 2, connections, new Map()); // warm-up, not counted
      const before = await ledgerTotals(database.url);
      const refusals = new Map<string, number>();
      const result = await drive(server.url, people, pattern, seconds, connections, refusals);
      const after = await ledgerTotals(database.url);
      const transfers = after.transfers - before.transfers;
      const refused = [...refusals].map(([code, n]) => `${code}:${n}`).join(',') || 'none';
      console.log(
        `${kind} ${pattern.padEnd(8)} transfers/s=${(transfers / seconds).toFixed(0)} ` +
          `p50=${result.latency.p50}ms p99=${result.latency.p99}ms requests=${result.requests.total} ` +
          `refusals=${refused} non2xx=${result.non2xx} errors=${result.errors} ` +
          `conserved=${after.totalMinor === before.totalMinor}`,
      );
    }
  } finally {
    await server.stop();
  }
  const audit = await runAudit(database.url);
  console.log(`audit: exit ${audit.code} ${audit.output.trim().split('\n').pop()}`);
  await database.drop();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
