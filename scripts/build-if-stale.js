'use strict';
// Rebuilds dist/ with tsc when any source is newer than the last build.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
// Written only after a build that emitted; a --noEmit typecheck never touches it.
const stamp = path.join(root, 'dist', '.build-stamp');
const sources = [
  'src',
  'tests',
  'testkit',
  'bench',
  'ormconfig.ts',
  'tsconfig.json',
  'tsconfig.web.json',
  'package.json',
];

function newestMtimeMs(target) {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) {
    newest = Math.max(newest, newestMtimeMs(path.join(target, entry)));
  }
  return newest;
}

function buildIfStale() {
  const built = fs.statSync(stamp, { throwIfNoEntry: false });
  const newest = Math.max(...sources.map((s) => newestMtimeMs(path.join(root, s))));
  if (built && built.mtimeMs >= newest) return;
  process.stderr.write('building (sources changed since the last build)...\n');
  build();
}

/** The server (tsc), then the frontend (tsc for the browser, plus its page and styles). */
function build() {
  const tsc = require.resolve('typescript/bin/tsc');
  for (const project of ['tsconfig.json', 'tsconfig.web.json']) {
    execFileSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: ['ignore', 2, 2] });
  }
  for (const file of ['index.html', 'styles.css', 'favicon.ico']) {
    fs.copyFileSync(path.join(root, 'src', 'web', file), path.join(root, 'dist', 'web', file));
  }
  // The SQL that code reads beside itself (the PostgreSQL transfer function).
  for (const file of ['wallet-transfer.sql']) {
    fs.copyFileSync(
      path.join(root, 'src', 'db', 'postgres', file),
      path.join(root, 'dist', 'src', 'db', 'postgres', file),
    );
  }
  pruneMoved();
  fs.writeFileSync(stamp, new Date().toISOString() + '\n');
}

/**
 * Removes what tsc emitted for sources that were since moved or deleted:
 * tsc never deletes, and a stale dist/tests/**\/*.test.js would still run.
 */
function pruneMoved() {
  const walk = (folder) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const emitted = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        walk(emitted);
        if (fs.readdirSync(emitted).length === 0) fs.rmdirSync(emitted);
        continue;
      }
      const source = path
        .relative(path.join(root, 'dist'), emitted)
        .replace(/\.js(\.map)?$|\.d\.ts$/, '.ts');
      if (source.endsWith('.ts') && !fs.existsSync(path.join(root, source))) fs.rmSync(emitted);
    }
  };
  for (const top of ['src', 'tests', 'testkit', 'bench']) {
    const folder = path.join(root, 'dist', top);
    if (fs.existsSync(folder)) walk(folder);
  }
}

module.exports = { buildIfStale, build };
if (require.main === module) {
  if (process.argv.includes('--force')) build();
  else buildIfStale();
}
