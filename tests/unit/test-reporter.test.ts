/**
 * `npm test`'s reporter (scripts/test-reporter.js) on three fixture files
 * (tests/fixtures/reporter, plain JavaScript that `npm test` never runs):
 * what it says before node's summary, and that the summary stays last.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURES = ['databases', 'browser', 'empty'].map((name) =>
  path.join('tests', 'fixtures', 'reporter', `${name}.fixture.js`),
);

function run(args: string[], env: Record<string, string>) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // Inherited from the runner running this file, it would make the child a runner's child.
  delete childEnv.NODE_TEST_CONTEXT;
  delete childEnv.TEST_SKIPS_FILE;
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: childEnv,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, lines: result.stdout.trimEnd().split('\n'), out: result.stdout };
}

describe("npm test's reporter", () => {
  it('says how many ran where, what was skipped and which file registered nothing, before the summary', () => {
    const { status, lines, out } = run(
      ['--test', '--test-reporter=./scripts/test-reporter.js', ...FIXTURES],
      { CI: 'false' },
    );
    assert.equal(status, 0, out);
    // Node's own closing lines, unchanged and last.
    const summary = lines.slice(-8).map((line) => line.replace(/ [\d.]+$/, ''));
    assert.deepEqual(
      summary,
      [
        '# tests',
        '# suites',
        '# pass',
        '# fail',
        '# cancelled',
        '# skipped',
        '# todo',
        '# duration_ms',
      ],
      out,
    );
    assert.equal(lines.at(-8), '# tests 9', out);
    assert.equal(lines.at(-3), '# skipped 1', out);
    assert.equal(
      lines.at(-9),
      '# ran: 2 on SQLite, 2 on PostgreSQL, 2 in the browser, 1 elsewhere; skipped: 1; ' +
        'files that registered no tests: 1',
      out,
    );
    const listed = lines.slice(-13, -9);
    assert.deepEqual(
      listed,
      [
        '# SKIPPED, so not run (1):',
        `#   ${FIXTURES[0]} › this file on postgres: POSTGRES_TEST_URL is not set`,
        '# REGISTERED NO TESTS (1):',
        `#   ${FIXTURES[2]}`,
      ],
      out,
    );
    // Each top-level entry has its own number, the plan's.
    const numbers = lines.flatMap((line) => /^(?:not )?ok (\d+) /.exec(line)?.[1] ?? []);
    assert.deepEqual(
      numbers,
      numbers.map((_, i) => String(i + 1)),
      out,
    );
    assert.ok(lines.includes(`1..${numbers.length}`), out);
  });

  it('with CI set, fails a run that skipped a test or had a file that registered none', () => {
    const ci = run([path.join('scripts', 'test.js'), ...FIXTURES], { CI: 'true' });
    assert.equal(ci.status, 1, ci.out);
    assert.match(ci.out, /# CI is set: a skipped test, or a file that registered none, fails/);
    const local = run([path.join('scripts', 'test.js'), ...FIXTURES], { CI: 'false' });
    assert.equal(local.status, 0, local.out);
    const onlyEmpty = run([path.join('scripts', 'test.js'), FIXTURES[2] as string], { CI: '1' });
    assert.equal(onlyEmpty.status, 1, onlyEmpty.out);
  });
});
