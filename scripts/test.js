'use strict';
// `npm test`: build when stale, then every suite with node's test runner.
// The PostgreSQL half of each integration and e2e suite runs when POSTGRES_TEST_URL is set;
// otherwise it is reported as skipped, as are the browser suites without Chromium. Every
// skipped test is listed, with its reason, before node's closing summary, with every test
// file that registered no tests and how many tests ran on each database and in the browser
// (scripts/test-reporter.js); with CI set, a skipped test or an empty file fails the run.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ciIsSet } = require('./test-reporter.js');
require('./build-if-stale.js').buildIfStale();

const postgresUrl = process.env.POSTGRES_TEST_URL;
if (postgresUrl) {
  const shown = new URL(postgresUrl);
  shown.password = shown.password ? '***' : '';
  console.log(`PostgreSQL suites: running against ${shown} (a fresh database per suite).`);
} else {
  console.log(
    'PostgreSQL suites: SKIPPED (POSTGRES_TEST_URL is not set; e.g. postgres://postgres@127.0.0.1:5432/test).',
  );
}

const root = path.resolve(__dirname, '..');
const only = process.argv.slice(2);
const targets =
  only.length > 0 ? only : ['unit', 'integration', 'e2e'].map((d) => `dist/tests/${d}`);
const skipsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wallet-test-run-')), 'skips');
const result = spawnSync(
  process.execPath,
  [
    '--test',
    `--test-reporter=${path.join(__dirname, 'test-reporter.js')}`,
    '--test-reporter-destination=stdout',
    ...targets,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TEST_SKIPS_FILE: skipsFile } },
);
/** Tests skipped and files that registered none; null when the run cannot say. */
let notRun = null;
try {
  const { skipped, empty } = JSON.parse(fs.readFileSync(skipsFile, 'utf8'));
  notRun = skipped.length + empty.length;
} catch {
  // No list: the run ended before its summary, which its exit status says.
}
fs.rmSync(path.dirname(skipsFile), { recursive: true, force: true });
const status = result.status ?? 1;
// With CI set, a run that may have left something out (or cannot say) is not a pass.
process.exit(status === 0 && ciIsSet() && notRun !== 0 ? 1 : status);
