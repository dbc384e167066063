/**
 * `npm run bench`: walletToWallet over HTTP against a real server on a fresh
 * database, then each other movement kind (kinds.ts). Prints transfers/s
 * counted from the ledger (distinct successes, not responses; the other
 * kinds' from answers without an error), latency percentiles, CPU per
 * movement, refusals, and whether money was conserved and `wallet audit`
 * passed. Figures, not a test of speed; but it
 * exits 1 if money was not conserved, the audit failed, a pattern moved
 * nothing or a run did not finish (the floor failing to start, say).
 *
 *   npm run bench -- [--db sqlite|postgres] [--instances 1|2] [--duration 10] [--connections 64]
 *                    [--workers 1] [--runs 1] [--profile <dir>] [--no-floor]
 *                    [--main <another build's dist/src/cli/main.js>] [--json <file>]
 *                    [--kinds all|none|externalToWallet,captureHold,...]
 *
 * With --instances 2, two server processes share the database and the
 * connections are split between them, as behind a load balancer. After the
 * service, it measures the framework-free floor (floor.ts) the same way and
 * prints ratio= service / floor for each pattern.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { runAudit } from '../testkit/audit';
import { freshDatabase, type DatabaseKind } from '../testkit/databases';
import { signInProvider, signUpFunded, type Person } from '../testkit/fixtures';
import { kindLoads, type KindLoad } from './kinds';
import { MAIN, startServerOn, type TestServer } from '../testkit/server';
import { DEPLOYED_ENV } from './deployed';
import { FLOOR_SCHEMA } from './floor';
import { cpuSecondsOf, serverUsage, type Usage } from './proc';
import {
  describeRefusals,
  drive,
  keyedTransfers,
  ledgerTotals,
  median,
  randomPair,
  runBenchmark,
  type Request,
} from './load';

const USERS = 100;

/**
 * What went wrong in any run: money not conserved, an audit that failed, a
 * pattern that moved nothing. Printed at the end, and the exit code is 1, so
 * that no script (CI's included) takes such a run's figures for good ones.
 */
const violations: string[] = [];

/** The next request of a pattern: whose cookie, and the body. */
type NextRequest = (pattern: Pattern) => Request;
type Pattern = 'random' | 'hot-pair';

/** Picks sender and receiver indexes: any two, or one pair alternating direction. */
function pairPicker(count: number): (pattern: Pattern) => [number, number] {
  let turn = 0;
  return (pattern) =>
    pattern === 'hot-pair' ? (turn++ % 2 === 0 ? [0, 1] : [1, 0]) : randomPair(count);
}

interface Measured {
  transfersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Refusals by code (every one a business answer; errors fail the run). */
  refusals: Map<string, number>;
  /** The service's CPU time per transfer (not measured for the floor). */
  cpuPerTransferUs?: number;
  /** PostgreSQL's CPU time per transfer (0 on SQLite). */
  databaseCpuPerTransferUs?: number;
}

/** The port a floor prints once it listens; an error if it exits first. */
function listeningPort(child: ChildProcessByStdio<null, Readable, null>): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const port = /listening (\d+)/.exec(output)?.[1];
      if (port !== undefined) resolve(Number(port));
    });
    child.once('exit', (code) =>
      reject(new Error(`the floor exited (${code}) before it listened`)),
    );
  });
}

/** The floor, measured the same way in the same run: its own server and SQLite file. */
async function measureFloor(seconds: number, connections: number): Promise<Map<Pattern, Measured>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wallet-floor-'));
  const file = path.join(dir, 'floor.sqlite');
  const setup = new BetterSqlite3(file);
  setup.pragma('journal_mode = WAL');
  setup.exec(FLOOR_SCHEMA);
  const insertWallet = setup.prepare(
    'INSERT INTO wallets (id, user_id, balance_minor) VALUES (?, ?, ?)',
  );
  const insertSession = setup.prepare(
    'INSERT INTO sessions (sid, user_id, expires_at) VALUES (?, ?, ?)',
  );
  for (let i = 1; i <= USERS; i++) {
    insertWallet.run(i, i, 100_000_000);
    insertSession.run(`session-${i}`, i, Date.now() + 3_600_000);
  }
  const countTransfers = () =>
    (setup.prepare('SELECT COUNT(*) AS n FROM transfers').get() as { n: number }).n;
  // Port 0: a port picked at random could be in use (one was, in CI: EADDRINUSE).
  const floor = spawn(process.execPath, [path.join(__dirname, 'floor.js'), file, '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pick = pairPicker(USERS);
  const next: NextRequest = (pattern) => {
    const [from, to] = pick(pattern);
    return {
      cookie: `sid=session-${from + 1}`,
      body: JSON.stringify({ to: to + 1, amountMinor: 100 }),
    };
  };
  const measured = new Map<Pattern, Measured>();
  try {
    const url = `http://127.0.0.1:${await listeningPort(floor)}`;
    for (const pattern of ['random', 'hot-pair'] as const) {
      await drive([url], '/transfer', () => next(pattern), 2, connections, new Map());
      const before = countTransfers();
      const refusals = new Map<string, number>();
      const result = await drive(
        [url],
        '/transfer',
        () => next(pattern),
        seconds,
        connections,
        refusals,
      );
      const transfersPerSecond = (countTransfers() - before) / seconds;
      const line =
        `floor ${pattern.padEnd(8)} transfers/s=${transfersPerSecond.toFixed(0)} ` +
        `p50=${result.latency.p50}ms p99=${result.latency.p99}ms errors=${result.errors}`;
      console.log(line);
      measured.set(pattern, {
        transfersPerSecond,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        refusals,
      });
    }
  } finally {
    floor.kill();
    setup.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return measured;
}

/**
 * PostgreSQL's CPU seconds so far, all its processes on this machine (the
 * benchmarks' database is local); 0 on SQLite, which runs in the servers.
 */
function databaseCpuSeconds(kind: DatabaseKind): number {
  return kind === 'postgres' ? cpuSecondsOf('postgres') : 0;
}

/** Requests of a prepared kind's phase per second of --duration, and its warm-up's. */
const PREPARED_PER_SECOND = 200;
const PREPARED_WARM_UP = 100;

/**
 * One movement kind's phase (kinds.ts): its rate counted from answers
 * without an error, and the servers' CPU per movement. Money is not
 * conserved here (deposits and withdrawals move it in and out); the audit
 * after the run checks every kind's rows.
 */
async function measureKind(
  load: KindLoad,
  servers: TestServer[],
  run: ServiceRun,
): Promise<Measured> {
  const urls = servers.map((s) => s.url);
  const amount = load.prepare === undefined ? undefined : PREPARED_PER_SECOND * run.seconds;
  const warmUp = load.prepare === undefined ? undefined : PREPARED_WARM_UP;
  if (load.prepare !== undefined) await load.prepare((warmUp ?? 0) + (amount ?? 0));
  await drive(urls, '/graphql', load.next, 2, run.connections, new Map(), warmUp);
  const usageBefore = servers.map((s) => serverUsage(s.process.pid as number));
  const databaseCpuBefore = databaseCpuSeconds(run.kind);
  const refusals = new Map<string, number>();
  const result = await drive(
    urls,
    '/graphql',
    load.next,
    run.seconds,
    run.connections,
    refusals,
    amount,
  );
  const usageAfter = servers.map((s) => serverUsage(s.process.pid as number));
  const databaseCpuUs =
    ((databaseCpuSeconds(run.kind) - databaseCpuBefore) * 1e6) / Math.max(1, result.ok);
  const cpuUsed = usageAfter.reduce(
    (sum, after, i) => sum + after.cpuSeconds - usageBefore[i].cpuSeconds,
    0,
  );
  const perSecond = result.ok / result.elapsedSeconds;
  const cpuPerMovementUs = (cpuUsed * 1e6) / Math.max(1, result.ok);
  console.log(
    `${run.kind} x${run.instances} ${load.name} per second=${perSecond.toFixed(0)} ` +
      `p50=${result.latency.p50}ms p99=${result.latency.p99}ms requests=${result.requests.total} ` +
      `server-cpu/movement=${cpuPerMovementUs.toFixed(0)}us ` +
      (run.kind === 'postgres' ? `database-cpu/movement=${databaseCpuUs.toFixed(0)}us ` : '') +
      `refusals=${describeRefusals([refusals])} non2xx=${result.non2xx} errors=${result.errors}`,
  );
  if (result.ok === 0) violations.push(`${load.name}: no movement was made`);
  return {
    transfersPerSecond: perSecond,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    refusals,
    cpuPerTransferUs: cpuPerMovementUs,
    databaseCpuPerTransferUs: databaseCpuUs,
  };
}

/**
 * What the chosen stack itself allows on this machine: the same servers
 * answering `{ __typename }` for a signed-in user — express, express-session
 * (with its session store), Apollo — with no resolver and no ledger.
 * No transfer rate can pass it; it tells the stack's share of the gap to the floor.
 */
async function measureStackCeiling(
  urls: string[],
  people: Person[],
  seconds: number,
  connections: number,
): Promise<void> {
  let turn = 0;
  const next = (): Request => ({
    cookie: people[turn++ % people.length].client.cookie ?? '',
    body: '{"query":"{ __typename }"}',
  });
  await drive(urls, '/graphql', next, 2, connections, new Map());
  const result = await drive(urls, '/graphql', next, seconds, connections, new Map());
  console.log(
    `stack ceiling ({ __typename } signed in) requests/s=${(result.requests.total / seconds).toFixed(0)} ` +
      `p50=${result.latency.p50}ms p99=${result.latency.p99}ms non2xx=${result.non2xx} errors=${result.errors}`,
  );
}

/** Whether every guarantee held in every run. */
async function main(): Promise<boolean> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'sqlite' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '64' },
      instances: { type: 'string', default: '1' },
      // WORKERS of each instance (cluster mode).
      workers: { type: 'string', default: '1' },
      // Writes a V8 CPU profile of each server to this folder (open it in Chrome's DevTools).
      profile: { type: 'string' },
      // Runs everything this many times and prints the medians.
      runs: { type: 'string', default: '1' },
      // Skips the floor: for a quick look at the service alone.
      'no-floor': { type: 'boolean', default: false },
      // Serves another build (compare.ts): its entry point; the load and the checks stay this build's.
      main: { type: 'string' },
      // Writes the medians here as JSON (compare.ts reads them).
      json: { type: 'string' },
      // The other movement kinds' phases to run (kinds.ts), by name, comma-separated; 'none'
      // for walletToWallet alone (a build from before holds, refunds and payment requests).
      kinds: { type: 'string', default: 'all' },
    },
  });
  const kind = values.db as DatabaseKind;
  if (kind === 'postgres' && !process.env.POSTGRES_TEST_URL) {
    throw new Error('--db postgres needs POSTGRES_TEST_URL (a server to create a database on)');
  }
  const run: ServiceRun = {
    kind,
    seconds: Number(values.duration),
    connections: Number(values.connections),
    instances: Number(values.instances),
    workers: values.workers,
    profile: values.profile,
    main: values.main ?? MAIN,
    kinds: values.kinds === 'all' ? null : values.kinds.split(',').filter((k) => k !== 'none'),
  };
  const runs = Number(values.runs);
  const service = new Map<string, Measured[]>();
  const floor = new Map<string, Measured[]>();
  const keep = (into: Map<string, Measured[]>, measured: Map<string, Measured>) => {
    for (const [pattern, m] of measured) into.set(pattern, [...(into.get(pattern) ?? []), m]);
  };
  for (let i = 1; i <= runs; i++) {
    if (runs > 1) console.log(`run ${i} of ${runs}`);
    keep(service, await measureService(run));
    if (!values['no-floor']) keep(floor, await measureFloor(run.seconds, run.connections));
  }
  console.log(runs > 1 ? `medians of ${runs} runs:` : 'summary:');
  const medians: Medians[] = [];
  for (const [phase, measured] of service) {
    const rate = median(measured.map((m) => m.transfersPerSecond));
    const p50 = median(measured.map((m) => m.p50Ms));
    const p99 = median(measured.map((m) => m.p99Ms));
    const cpuUs = median(measured.map((m) => m.cpuPerTransferUs ?? 0));
    // walletToWallet's patterns, or another movement kind's phase.
    const isPattern = phase === 'random' || phase === 'hot-pair';
    const name = isPattern ? `walletToWallet ${phase}` : phase;
    const databaseCpuUs = median(measured.map((m) => m.databaseCpuPerTransferUs ?? 0));
    medians.push({ name, perSecond: rate, p99Ms: p99, cpuUs, databaseCpuUs });
    const floorRates = (floor.get(phase) ?? []).map((m) => m.transfersPerSecond);
    console.log(
      `${kind} x${run.instances}${run.workers === '1' ? '' : ` workers=${run.workers}`} ${name.padEnd(23)} ` +
        `median ${isPattern ? 'transfers/s' : 'per second'}=${rate.toFixed(0)} p50=${p50}ms p99=${p99}ms ` +
        `server-cpu/${isPattern ? 'transfer' : 'movement'}=${cpuUs.toFixed(0)}us ` +
        (kind === 'postgres' ? `database-cpu=${databaseCpuUs.toFixed(0)}us ` : '') +
        `refusals=${describeRefusals(measured.map((m) => m.refusals))}` +
        (floorRates.length > 0
          ? ` floor=${median(floorRates).toFixed(0)} ratio=${(rate / median(floorRates)).toFixed(2)}`
          : ''),
    );
  }
  if (values.json !== undefined) fs.writeFileSync(values.json, JSON.stringify(medians));
  if (violations.length > 0) {
    console.error(`bench: every guarantee must hold, and these did not:\n${violations.join('\n')}`);
  }
  return violations.length === 0;
}

/** One line of the summary, as --json writes it for compare.ts. */
export interface Medians {
  name: string;
  perSecond: number;
  p99Ms: number;
  cpuUs: number;
  /** PostgreSQL's (0 on SQLite). */
  databaseCpuUs: number;
}

interface ServiceRun {
  /** The server's entry point: this build's, or another's (--main). */
  main: string;
  /** The other kinds' phases to run by name; null for all of them. */
  kinds: string[] | null;
  kind: DatabaseKind;
  seconds: number;
  connections: number;
  instances: number;
  workers: string;
  profile: string | undefined;
}

/** The service on a fresh database: every pattern, then conservation and the audit. */
async function measureService(run: ServiceRun): Promise<Map<string, Measured>> {
  const { kind, seconds, connections, instances } = run;
  const database = await freshDatabase(kind);
  const servers: TestServer[] = [];
  for (let i = 0; i < instances; i++) {
    const profiling = run.profile
      ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(run.profile)}`]
      : [];
    const env = { ...DEPLOYED_ENV, WORKERS: run.workers };
    servers.push(await startServerOn(database.url, env, profiling, run.main));
  }
  const urls = servers.map((s) => s.url);
  const measured = new Map<string, Measured>();
  const server = servers[0];
  try {
    const people = await signUpFunded(server.url, USERS, '1000000.00');
    console.log(
      `bench: ${kind}, ${instances} instance(s) of ${run.workers} worker(s), ${USERS} signed-in users, ${connections} connections, ${seconds} s per pattern`,
    );
    const pick = pairPicker(people.length);
    const transfer = keyedTransfers('1.00');
    const next: NextRequest = (pattern) => {
      const [from, to] = pick(pattern);
      return transfer(people[from], people[to]);
    };
    for (const pattern of ['random', 'hot-pair'] as const) {
      await drive(urls, '/graphql', () => next(pattern), 2, connections, new Map()); // warm-up, not counted
      const before = await ledgerTotals(database.url);
      const usageBefore = servers.map((s) => serverUsage(s.process.pid as number));
      const databaseCpuBefore = databaseCpuSeconds(kind);
      const refusals = new Map<string, number>();
      const result = await drive(
        urls,
        '/graphql',
        () => next(pattern),
        seconds,
        connections,
        refusals,
      );
      // One reading of /proc after the run, so every figure covers the same span.
      const usageAfter = servers.map((s) => serverUsage(s.process.pid as number));
      const databaseCpuUsed = databaseCpuSeconds(kind) - databaseCpuBefore;
      const used = (of: (usage: Usage) => number) =>
        usageAfter.reduce((sum, after, i) => sum + of(after) - of(usageBefore[i]), 0);
      const cpuUsed = used((u) => u.cpuSeconds);
      const systemCpuUsed = used((u) => u.systemCpuSeconds);
      const writeCalls = used((u) => u.writeCalls);
      const readCalls = used((u) => u.readCalls);
      const writtenBytes = used((u) => u.writtenBytes);
      const preemptions = used((u) => u.preemptions);
      const after = await ledgerTotals(database.url);
      const transfers = after.transfers - before.transfers;
      const conserved = after.totalMinor === before.totalMinor;
      const transfersPerSecond = transfers / seconds;
      // The servers' CPU per transfer: steadier than a rate on a shared machine.
      const perTransfer = Math.max(1, transfers);
      const cpuPerTransferUs = (cpuUsed * 1e6) / perTransfer;
      const line =
        `${kind} x${instances} ${pattern.padEnd(8)} transfers/s=${transfersPerSecond.toFixed(0)} ` +
        `p50=${result.latency.p50}ms p99=${result.latency.p99}ms requests=${result.requests.total} ` +
        `server-cpu/transfer=${cpuPerTransferUs.toFixed(0)}us ` +
        `(system ${((systemCpuUsed * 1e6) / perTransfer).toFixed(0)}us) ` +
        (kind === 'postgres'
          ? `database-cpu/transfer=${((databaseCpuUsed * 1e6) / perTransfer).toFixed(0)}us `
          : '') +
        // Counted by the kernel, so as steady as the work itself: what SQLite writes shows here.
        `server-writes/transfer=${(writeCalls / perTransfer).toFixed(1)} calls ` +
        `${(writtenBytes / perTransfer / 1024).toFixed(1)}KiB ` +
        `server-reads/transfer=${(readCalls / perTransfer).toFixed(1)} ` +
        `server-preempted/transfer=${(preemptions / perTransfer).toFixed(2)} ` +
        `refusals=${describeRefusals([refusals])} non2xx=${result.non2xx} errors=${result.errors} ` +
        `conserved=${conserved}`;
      console.log(line);
      if (!conserved) violations.push(`${pattern}: money not conserved`);
      if (transfers <= 0) violations.push(`${pattern}: no transfer was made`);
      measured.set(pattern, {
        transfersPerSecond,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        refusals,
        cpuPerTransferUs,
        databaseCpuPerTransferUs: (databaseCpuUsed * 1e6) / perTransfer,
      });
    }
    const provider = await signInProvider(server.url);
    const loads = kindLoads(provider, people).filter(
      (load) => run.kinds === null || run.kinds.includes(load.name),
    );
    for (const load of loads) {
      measured.set(load.name, await measureKind(load, servers, run));
    }
    await measureStackCeiling(urls, people, seconds, connections);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  const audit = await runAudit(database.url, run.main);
  console.log(`audit: exit ${audit.code} ${audit.output.trim().split('\n').pop()}`);
  if (audit.code !== 0) violations.push(`wallet audit failed:\n${audit.output}`);
  await database.drop();
  return measured;
}

runBenchmark(main);
