'use strict';
// node --test's reporter for `npm test`: node's own (spec on a terminal, tap
// otherwise), with, just before the closing summary (# tests, # pass, # fail,
// # skipped … stay the very last lines, unchanged: CI reads them):
//   - every skipped test or suite, with its reason;
//   - every test file that registered no tests (node counts such a file as one
//     passing test, so it would pass unnoticed);
//   - how many tests ran where: on SQLite, on PostgreSQL (by the name of a
//     suite around them, "… on sqlite" / "… on postgres"), in the browser (the
//     browser*.test files), elsewhere (unit tests, and tests in no suite named
//     for its database).
// The lists also go to the file named by TEST_SKIPS_FILE, for scripts/test.js.
const fs = require('node:fs');
const path = require('node:path');
const { Readable } = require('node:stream');
const { spec, tap } = require('node:test/reporters');

/** The first line of node's closing summary. */
const SUMMARY_START = /^tests \d+$/;
/** A suite that names the database its tests run on. */
const DATABASE_SUITE = /\bon (?:one )?(sqlite|postgres)\b|^(PostgreSQL)\b/;
/** A file of browser tests. */
const BROWSER_FILE = /^browser[.-]/;

const PLACES = [
  ['sqlite', 'on SQLite'],
  ['postgres', 'on PostgreSQL'],
  ['browser', 'in the browser'],
  ['elsewhere', 'elsewhere'],
];

/** Where a test ran, from its file and the names of the suites around it. */
function placeOf(file, ancestors) {
  if (file && BROWSER_FILE.test(path.basename(file))) return 'browser';
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const named = DATABASE_SUITE.exec(ancestors[i]);
    if (named) return named[1] ?? 'postgres';
  }
  return 'elsewhere';
}

function shown(file) {
  return file ? path.relative(process.cwd(), file) : '?';
}

/** The lines said before node's summary, from what the run saw. */
function closingLines({ skipped, empty, ran }) {
  const lines =
    skipped.length === 0
      ? ['nothing was skipped']
      : [`SKIPPED, so not run (${skipped.length}):`, ...skipped.map((s) => `  ${s}`)];
  if (empty.length > 0) {
    lines.push(`REGISTERED NO TESTS (${empty.length}):`, ...empty.map((f) => `  ${f}`));
  }
  if ((skipped.length > 0 || empty.length > 0) && ciIsSet()) {
    lines.push('CI is set: a skipped test, or a file that registered none, fails the run.');
  }
  // Not "skipped N" or "tests N": CI reads those lines of node's summary.
  const where = PLACES.map(([place, words]) => `${ran[place]} ${words}`).join(', ');
  lines.push(
    `ran: ${where}; skipped: ${skipped.length}; files that registered no tests: ${empty.length}`,
  );
  return lines;
}

async function* withClosingLines(source) {
  const skipped = [];
  const empty = [];
  const ran = Object.fromEntries(PLACES.map(([place]) => [place, 0]));
  /** Per file, the names of the tests and suites started at each nesting level. */
  const started = new Map();
  let topLevel = 0;
  let listed = false;
  for await (const event of source) {
    let reported = event;
    const { data } = event;
    if (event.type === 'test:start') {
      const names = started.get(data.file) ?? [];
      names.length = data.nesting;
      names.push(data.name);
      started.set(data.file, names);
    }
    if (event.type === 'test:pass' || event.type === 'test:fail') {
      // A file that registered no tests stands for itself, named by its path.
      const wholeFile = data.nesting === 0 && data.file !== undefined && data.name === data.file;
      if (data.skip !== undefined) {
        const reason = data.skip === true ? 'no reason given' : String(data.skip);
        skipped.push(`${shown(data.file)} › ${data.name}: ${reason}`);
      } else if (wholeFile) {
        if (event.type === 'test:pass') empty.push(shown(data.file));
      } else if (data.details?.type !== 'suite') {
        const ancestors = (started.get(data.file) ?? []).slice(0, data.nesting);
        ran[placeOf(data.file, ancestors)] += 1;
      }
      if (data.nesting === 0) {
        // Node numbers such a file by its place among the files, not among the
        // entries before it: two entries would share a number.
        topLevel += 1;
        reported = { ...event, data: { ...data, testNumber: topLevel } };
      }
    }
    const summary =
      event.type === 'test:diagnostic' && data.nesting === 0 && SUMMARY_START.test(data.message);
    if (summary && !listed) {
      listed = true;
      if (process.env.TEST_SKIPS_FILE) {
        fs.writeFileSync(process.env.TEST_SKIPS_FILE, JSON.stringify({ skipped, empty, ran }));
      }
      for (const message of closingLines({ skipped, empty, ran })) {
        yield { type: 'test:diagnostic', data: { nesting: 0, message } };
      }
    }
    yield reported;
  }
}

/** CI=true (or any value but "false" and "0"), as CI services set it. */
function ciIsSet() {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

module.exports = async function* reporter(source) {
  const events = withClosingLines(source);
  if (process.stdout.isTTY) {
    yield* Readable.from(events).pipe(new spec());
  } else {
    yield* tap(events);
  }
};
module.exports.ciIsSet = ciIsSet;
module.exports.placeOf = placeOf;
