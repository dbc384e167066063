/**
 * `npm run bench:busy` (PostgreSQL, POSTGRES_TEST_URL set): what busy wallets
 * cost the other transfers of one instance (docs/design.md, "Busy wallets'
 * share of the pool"). 16 connections send transfers among the wallets of 94
 * users; beside them, 48 connections send from a few other wallets, which in
 * each phase are: none, a hot pair, or one, two or three wallets whose lock a
 * connection of the benchmark's own holds for the whole phase, as a
 * transaction in another process that does not end would.
 *
 *   npm run bench:busy -- [--duration 8] [--lock-timeout-ms 2000] [--main <another build's dist/src/cli/main.js>]
 *
 * Prints, per phase, the other transfers' rate (counted from the ledger) and
 * p99, and how the busy wallets' movements were answered (p99 and longest).
 * Figures, not a test of speed; but it exits 1 if money was not conserved,
 * the audit failed, the other transfers moved nothing in a phase, the busy
 * movements were never answered (keep the lock timeout below the phase), or
 * any answer was an error other than WALLET_BUSY.
 */
import { parseArgs } from 'node:util';
import { runAudit } from '../testkit/audit';
import { freshDatabase } from '../testkit/databases';
import { signUpFunded } from '../testkit/fixtures';
import { holdWalletLock } from '../testkit/locks';
import { MAIN, startServerOn } from '../testkit/server';
import { DEPLOYED_ENV } from './deployed';
import {
  describeRefusals,
  drive,
  keyedTransfers,
  ledgerTotals,
  randomPair,
  runBenchmark,
} from './load';

const USERS = 100;
/** people[0..5] are the busy wallets' owners and recipients; the others send among themselves. */
const BUSY_PEOPLE = 6;
const OTHER_CONNECTIONS = 16;
const BUSY_CONNECTIONS = 48;

interface Phase {
  name: string;
  /** Which people's wallets another connection holds locked for the phase. */
  held: number[];
  /** The busy movements' [from, to], taken in turn. */
  busyPairs: [number, number][];
}

const PHASES: Phase[] = [
  { name: 'no busy wallet', held: [], busyPairs: [] },
  {
    name: 'beside a hot pair',
    held: [],
    busyPairs: [
      [0, 1],
      [1, 0],
    ],
  },
  { name: 'one wallet held', held: [0], busyPairs: [[0, 1]] },
  {
    name: 'two wallets held',
    held: [0, 2],
    busyPairs: [
      [0, 1],
      [2, 3],
    ],
  },
  {
    name: 'three wallets held',
    held: [0, 2, 4],
    busyPairs: [
      [0, 1],
      [2, 3],
      [4, 5],
    ],
  },
];

/** Whether every guarantee held. */
async function main(): Promise<boolean> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '8' },
      'lock-timeout-ms': { type: 'string', default: '2000' },
      main: { type: 'string', default: MAIN },
    },
  });
  if (!process.env.POSTGRES_TEST_URL) {
    throw new Error('bench:busy needs POSTGRES_TEST_URL (a server to create a database on)');
  }
  const seconds = Number(values.duration);
  const violations: string[] = [];
  const database = await freshDatabase('postgres');
  const env = { ...DEPLOYED_ENV, LOCK_TIMEOUT_MS: values['lock-timeout-ms'] };
  const server = await startServerOn(database.url, env, [], values.main);
  try {
    const people = await signUpFunded(server.url, USERS, '1000000.00');
    const busyWalletIds = people.slice(0, BUSY_PEOPLE).map((p) => p.walletId);
    console.log(
      `bench:busy: postgres, 1 instance, ${USERS} signed-in users, ${OTHER_CONNECTIONS} connections ` +
        `for the other transfers and ${BUSY_CONNECTIONS} on the busy wallets, ${seconds} s per phase, ` +
        `LOCK_TIMEOUT_MS=${values['lock-timeout-ms']}`,
    );
    const send = keyedTransfers('0.01');
    const others = people.slice(BUSY_PEOPLE);
    const nextOther = () => {
      const [i, j] = randomPair(others.length);
      return send(others[i], others[j]);
    };
    const otherTransfers = async (phaseSeconds: number) => {
      const refusals = new Map<string, number>();
      const result = await drive(
        [server.url],
        '/graphql',
        nextOther,
        phaseSeconds,
        OTHER_CONNECTIONS,
        refusals,
      );
      return { result, refusals };
    };
    await otherTransfers(2); // warm-up, not counted

    for (const phase of PHASES) {
      const releases = [];
      for (const i of phase.held)
        releases.push(await holdWalletLock(database.url, people[i].walletId));
      try {
        let turn = 0;
        const nextBusy = () => {
          const [from, to] = phase.busyPairs[turn++ % phase.busyPairs.length];
          return send(people[from], people[to]);
        };
        const before = await ledgerTotals(database.url, busyWalletIds);
        const busyRefusals = new Map<string, number>();
        const [{ result, refusals }, busy] = await Promise.all([
          otherTransfers(seconds),
          phase.busyPairs.length === 0
            ? null
            : drive([server.url], '/graphql', nextBusy, seconds, BUSY_CONNECTIONS, busyRefusals),
        ]);
        const after = await ledgerTotals(database.url, busyWalletIds);
        const transfers = after.transfers - before.transfers;
        console.log(
          `${phase.name.padEnd(18)} others transfers/s=${(transfers / seconds).toFixed(0)} ` +
            `p50=${result.latency.p50}ms p99=${result.latency.p99}ms refusals=${describeRefusals([refusals])} | ` +
            (busy === null
              ? 'busy -'
              : `busy requests=${busy.requests.total} p99=${busy.latency.p99}ms max=${busy.latency.max}ms refusals=${describeRefusals([busyRefusals])}`),
        );
        if (transfers <= 0) violations.push(`${phase.name}: the other transfers moved nothing`);
        if (busy !== null && busy.requests.total === 0) {
          violations.push(
            `${phase.name}: no busy movement was answered (a phase shorter than the lock timeout?)`,
          );
        }
        for (const [code] of [...refusals, ...busyRefusals]) {
          if (code !== 'WALLET_BUSY')
            violations.push(`${phase.name}: a movement was answered ${code}`);
        }
        if (after.totalMinor !== before.totalMinor)
          violations.push(`${phase.name}: money not conserved`);
        if (result.errors + result.non2xx + (busy?.errors ?? 0) + (busy?.non2xx ?? 0) > 0) {
          violations.push(`${phase.name}: requests failed or were not answered 200`);
        }
      } finally {
        for (const release of releases) await release();
      }
    }
  } finally {
    await server.stop();
  }
  const audit = await runAudit(database.url);
  console.log(`audit: exit ${audit.code} ${audit.output.trim().split('\n').pop()}`);
  if (audit.code !== 0) violations.push(`wallet audit failed:\n${audit.output}`);
  await database.drop();
  if (violations.length > 0) {
    console.error(
      `bench:busy: every guarantee must hold, and these did not:\n${violations.join('\n')}`,
    );
  }
  return violations.length === 0;
}

runBenchmark(main);
