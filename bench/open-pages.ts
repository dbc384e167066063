/**
 * `npm run bench:pages`: what the web page's live updates cost the server.
 * Opens --pages simulated pages (1,000 by default) shared among --people
 * signed-in people; each sends the page's own refresh query (read from
 * src/web/api.ts, so it is the one the page sends) every --interval-ms,
 * each at its own phase, for --duration seconds, while a trickle of
 * payments (one a second) gives the pages something to find. Prints the
 * requests per second, the refresh latency and the server process's CPU.
 *
 *   npm run bench:pages -- [--db sqlite|postgres] [--pages 1000] [--people 50]
 *                          [--interval-ms 5000] [--duration 30]
 *
 * Figures, not a test of speed; it exits 1 if a refresh fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '../testkit/client';
import { freshDatabase, type DatabaseKind } from '../testkit/databases';
import { SEND, fund, signInProvider, signUp, type Person } from '../testkit/fixtures';
import { startServerOn } from '../testkit/server';
import { DEPLOYED_ENV } from './deployed';
import { cpuSecondsOf, percentile, serverUsage } from './proc';

/** The page's refresh query, as the page has it. */
function pageRefreshQuery(): string {
  const source = fs.readFileSync(
    path.resolve(__dirname, '..', '..', 'src', 'web', 'api.ts'),
    'utf8',
  );
  const found = /export const REFRESH = `([^`]*)`/.exec(source);
  if (!found) throw new Error('REFRESH not found in src/web/api.ts');
  return found[1];
}

async function main() {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'sqlite' },
      pages: { type: 'string', default: '1000' },
      people: { type: 'string', default: '50' },
      'interval-ms': { type: 'string', default: '5000' },
      duration: { type: 'string', default: '30' },
    },
  });
  const kind = values.db as DatabaseKind;
  const pages = Number(values.pages);
  const intervalMs = Number(values['interval-ms']);
  const durationMs = Number(values.duration) * 1000;
  const refresh = pageRefreshQuery();
  const database = await freshDatabase(kind);
  const server = await startServerOn(database.url, DEPLOYED_ENV);
  let failures = 0;
  try {
    const provider = await signInProvider(server.url);
    const people: Person[] = [];
    for (let i = 0; i < Number(values.people); i++) {
      const person = await signUp(server.url, `Page Person ${i}`);
      await fund(provider, person.walletId, '1000.00');
      people.push(person);
    }
    const latencies: number[] = [];
    const pid = server.process.pid as number;
    let stopped = false;
    const openPage = async (n: number) => {
      const person = people[n % people.length];
      const client = new Client(server.url);
      client.cookie = person.client.cookie;
      await new Promise((resolve) => setTimeout(resolve, (n * intervalMs) / pages)); // its phase
      while (!stopped) {
        const started = performance.now();
        const answer = await client.gql(refresh, { id: person.walletId });
        latencies.push(performance.now() - started);
        if (answer.errors) failures++;
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    };
    const payments = setInterval(() => {
      const [from, to] = [people[Math.floor(Math.random() * people.length)], people[0]];
      if (from !== to)
        void from.client.gql(SEND, { input: { toWalletId: to.walletId, amount: '0.01' } });
    }, 1000);
    const open = Array.from({ length: pages }, (_, n) => openPage(n));
    // Measure once every page has started polling.
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    latencies.length = 0;
    const cpuBefore = serverUsage(pid).cpuSeconds;
    const databaseCpuBefore = kind === 'postgres' ? cpuSecondsOf('postgres') : 0;
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    const seconds = (performance.now() - started) / 1000;
    const cpu = serverUsage(pid).cpuSeconds - cpuBefore;
    const databaseCpu = kind === 'postgres' ? cpuSecondsOf('postgres') - databaseCpuBefore : 0;
    const answered = latencies.length;
    const sorted = [...latencies].sort((a, b) => a - b);
    stopped = true;
    clearInterval(payments);
    await Promise.all(open);
    console.log(
      `${kind}: ${pages} open pages polling every ${intervalMs / 1000} s: ` +
        `${(answered / seconds).toFixed(0)} refreshes/s, latency p50 ${percentile(sorted, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(sorted, 99).toFixed(1)} ms; server CPU ${((cpu / seconds) * 100).toFixed(0)}% of one core ` +
        `(${((cpu / answered) * 1e6).toFixed(0)} µs a refresh)` +
        (kind === 'postgres'
          ? `, PostgreSQL's processes ${((databaseCpu / seconds) * 100).toFixed(0)}% (${((databaseCpu / answered) * 1e6).toFixed(0)} µs)`
          : '') +
        `; ${failures} failed`,
    );
  } finally {
    await server.stop();
    await database.drop();
  }
  if (failures > 0) process.exitCode = 1;
}

void main();
