/**
 * `npm run bench:instructions`: the server's work per request, counted in
 * instructions by valgrind's callgrind rather than timed. On a shared machine
 * whose speed drifts by ±20%, rates cannot show a change of a few percent;
 * counts repeat to within about 2%, so two builds can be compared one
 * after the other. Figures, not a test.
 *
 *   npm run bench:instructions -- [--request send|typename] [--requests 800] [--main dist/src/cli/main.js]
 *                                 [--db sqlite|postgres]
 *
 * A fresh database (SQLite unless --db postgres, which needs
 * POSTGRES_TEST_URL) gets 20 signed-in, funded users from a normal
 * server. Then the server runs twice under callgrind on that database: once
 * answering a warm-up of 200 requests, once answering the warm-up and
 * --requests more. The difference of the two totals, divided by --requests,
 * is the work of one request, start-up and warm-up cancelled out. Counts
 * cover the server process's own instructions (V8's compiled code included),
 * not the kernel's (on PostgreSQL, neither the database's own work nor the
 * round trips' system calls: only what the driver does in the process).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freshDatabase, type DatabaseKind } from '../testkit/databases';
import { SEND, signUpFunded, type Person } from '../testkit/fixtures';
import { MAIN, portListenedOn, serverEnv, startServerOn } from '../testkit/server';
import { DEPLOYED_ENV } from './deployed';
import { runBenchmark } from './load';

const USERS = 20;
const WARM_UP = 200;
/** Requests in flight at once: enough to form group commits, few enough for valgrind. */
const IN_FLIGHT = 8;

type RequestKind = 'send' | 'typename';

/** Runs the server under callgrind, sends `count` requests, and returns the instructions it executed. */
async function instructionsFor(
  main: string,
  databaseUrl: string,
  /** The body of a request from people[from]. */
  body: (from: number) => string,
  people: Person[],
  count: number,
): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wallet-callgrind-'));
  const out = path.join(dir, 'callgrind.out');
  const server = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      // V8 writes the code it runs: valgrind must notice code that changes.
      '--smc-check=all-non-file',
      `--callgrind-out-file=${out}`,
      process.execPath,
      main,
      'serve',
    ],
    {
      // PORT 0 (serverEnv's): a port picked at random could be in use.
      env: serverEnv(databaseUrl, DEPLOYED_ENV),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    server.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const listeningOn = portListenedOn(output);
      if (listeningOn !== undefined) resolve(listeningOn);
    });
    server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.once('exit', (code) =>
      reject(new Error(`server under valgrind exited ${code}:\n${output}`)),
    );
  });
  let sent = 0;
  const one = async () => {
    const from = sent++ % people.length;
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: people[from].client.cookie ?? '' },
      body: body(from),
    });
    const text = await response.text();
    if (!response.ok || text.includes('"errors"')) throw new Error(`request failed: ${text}`);
  };
  for (let i = 0; i < count; i += IN_FLIGHT) {
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count - i) }, one));
  }
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
  const profile = fs.readFileSync(out, 'utf8');
  fs.rmSync(dir, { recursive: true, force: true });
  const total = /^(?:summary|totals): (\d+)/m.exec(profile);
  if (!total) throw new Error('callgrind wrote no total');
  return Number(total[1]);
}

async function main(): Promise<boolean> {
  const { values } = parseArgs({
    options: {
      request: { type: 'string', default: 'send' },
      requests: { type: 'string', default: '800' },
      // Another build's entry point, to compare two builds.
      main: { type: 'string', default: MAIN },
      db: { type: 'string', default: 'sqlite' },
    },
  });
  const kind = values.request as RequestKind;
  const requests = Number(values.requests);
  const entry = path.resolve(values.main);
  const databaseKind = values.db as DatabaseKind;
  if (databaseKind === 'postgres' && !process.env.POSTGRES_TEST_URL) {
    throw new Error('--db postgres needs POSTGRES_TEST_URL (a server to create a database on)');
  }
  const database = await freshDatabase(databaseKind);
  try {
    // The build measured migrates the database too: its schema is part of what is measured.
    const setup = await startServerOn(database.url, DEPLOYED_ENV, [], entry);
    const people = await signUpFunded(setup.url, USERS, '1000000.00');
    await setup.stop();
    let keys = 0;
    const body =
      kind === 'send'
        ? (from: number) =>
            JSON.stringify({
              query: SEND,
              variables: {
                input: {
                  toWalletId: people[(from + 1) % USERS].walletId,
                  amount: '0.01',
                  idempotencyKey: `count-${keys++}`,
                },
              },
            })
        : () => '{"query":"{ __typename }"}';
    const base = await instructionsFor(entry, database.url, body, people, WARM_UP);
    const more = await instructionsFor(entry, database.url, body, people, WARM_UP + requests);
    console.log(
      `${kind} (${databaseKind}): ${((more - base) / requests / 1e6).toFixed(2)} million instructions per request ` +
        `(${requests} requests after a warm-up of ${WARM_UP}; ${path.relative(process.cwd(), entry)})`,
    );
  } finally {
    await database.drop();
  }
  return true;
}

runBenchmark(main);
