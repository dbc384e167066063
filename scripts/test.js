'use strict';
// `npm test`: build when stale, then every suite with node's test runner.
// The PostgreSQL half of each integration and e2e suite runs when POSTGRES_TEST_URL is set.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
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
const result = spawnSync(process.execPath, ['--test', ...targets], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
