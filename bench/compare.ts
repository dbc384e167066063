/**
 * `npm run bench:compare -- <git-ref>`: the benchmark of another build and
 * of this working tree, alternated, and the ratio of their medians. The ref
 * is built in a temporary worktree; this tree's benchmark drives both (the
 * same load and checks, the server's entry point swapped), so a change's
 * cost is one command and shows as a number. This machine drifts by ±20% an
 * hour: only runs alternated in one sitting compare.
 *
 *   npm run bench:compare -- <git-ref> [--db sqlite|postgres] [--instances 1|2]
 *                            [--rounds 2] [--duration 10] [--connections 64] [--kinds none]
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MAIN } from '../testkit/server';
import type { Medians } from './bench';
import { median } from './load';

const ROOT = path.resolve(__dirname, '..', '..');
const BENCH = path.join(__dirname, 'bench.js');

function run(command: string, args: string[], cwd: string): void {
  execFileSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** The ref checked out and built beside this tree; its server's entry point. */
function buildRef(ref: string, dir: string): string {
  run('git', ['worktree', 'add', '--detach', dir, ref], ROOT);
  const lock = (root: string) => fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8');
  if (lock(dir) === lock(ROOT)) {
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  } else {
    run('npm', ['ci', '--no-audit', '--no-fund'], dir);
  }
  run('npm', ['run', 'build'], dir);
  // Earlier builds started from dist/src/main.js.
  const entry = ['dist/src/cli/main.js', 'dist/src/main.js']
    .map((file) => path.join(dir, file))
    .find((file) => fs.existsSync(file));
  if (entry === undefined) throw new Error(`no server entry point in the build of ${ref}`);
  return entry;
}

/** One benchmark run serving `main`; its medians. */
function benchOnce(main: string, args: string[]): Promise<Medians[]> {
  const json = path.join(os.tmpdir(), `wallet-compare-${process.pid}-${Date.now()}.json`);
  const child = spawn(
    process.execPath,
    [BENCH, ...args, '--no-floor', '--main', main, '--json', json],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`the benchmark exited ${code}`));
      const medians = JSON.parse(fs.readFileSync(json, 'utf8')) as Medians[];
      fs.rmSync(json, { force: true });
      resolve(medians);
    });
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      db: { type: 'string', default: 'sqlite' },
      instances: { type: 'string', default: '1' },
      rounds: { type: 'string', default: '2' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '64' },
      // Passed on to the benchmark: 'none' for a build from before holds, refunds and requests.
      kinds: { type: 'string', default: 'all' },
    },
  });
  const [ref] = positionals;
  if (ref === undefined) throw new Error('usage: npm run bench:compare -- <git-ref> [options]');
  const args = ['--db', values.db, '--instances', values.instances, '--duration', values.duration];
  args.push('--connections', values.connections, '--kinds', values.kinds);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wallet-compare-'));
  fs.rmdirSync(dir); // git worktree makes it
  try {
    const sides = { [ref]: buildRef(ref, dir), 'this tree': MAIN };
    const results = new Map<string, Medians[][]>(Object.keys(sides).map((side) => [side, []]));
    const rounds = Number(values.rounds);
    for (let round = 0; round < rounds; round++) {
      // A B, then B A: neither side always runs first, on a warmer or cooler machine.
      const order = round % 2 === 0 ? Object.keys(sides) : Object.keys(sides).reverse();
      for (const side of order) {
        console.log(`compare: round ${round + 1} of ${rounds}, ${side}`);
        results.get(side)?.push(await benchOnce(sides[side], args));
      }
    }
    printComparison(ref, results, `${values.db} x${values.instances}`);
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: ROOT });
  }
}

function printComparison(ref: string, results: Map<string, Medians[][]>, setup: string): void {
  const of = (side: string, name: string, pick: (m: Medians) => number) =>
    (results.get(side) ?? []).map((run) => pick(run.find((m) => m.name === name) as Medians));
  const names = (results.get(ref) ?? [[]])[0].map((m) => m.name);
  console.log(`compare (${setup}): ${ref} → this tree, medians of each side's runs`);
  for (const name of names) {
    const line = [`  ${name.padEnd(28)}`];
    for (const [label, pick, unit] of [
      ['per second', (m: Medians) => m.perSecond, ''],
      ['cpu', (m: Medians) => m.cpuUs, 'us'],
      ['db cpu', (m: Medians) => m.databaseCpuUs ?? 0, 'us'],
      ['p99', (m: Medians) => m.p99Ms, 'ms'],
    ] as const) {
      const before = of(ref, name, pick);
      const after = of('this tree', name, pick);
      const ratio = median(after) / median(before);
      line.push(
        `${label} ${before.map((v) => v.toFixed(0)).join('/')}${unit} → ` +
          `${after.map((v) => v.toFixed(0)).join('/')}${unit} (x${ratio.toFixed(2)})`,
      );
    }
    console.log(line.join('  '));
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
