'use strict';
// node --test's reporter for `npm test`: node's own (spec on a terminal, tap
// otherwise), with every skipped test or suite listed, with its reason, just
// before the closing summary (# tests, # pass, # fail, # skipped … stay last).
// The list also goes to the file named by TEST_SKIPS_FILE, for scripts/test.js.
const fs = require('node:fs');
const path = require('node:path');
const { Readable } = require('node:stream');
const { spec, tap } = require('node:test/reporters');

/** The first line of node's closing summary. */
const SUMMARY_START = /^tests \d+$/;

async function* withSkipsListed(source) {
  const skipped = [];
  let listed = false;
  for await (const event of source) {
    if (event.type === 'test:pass' && event.data.skip !== undefined) {
      const where = event.data.file ? path.relative(process.cwd(), event.data.file) : '?';
      const reason = event.data.skip === true ? 'no reason given' : String(event.data.skip);
      skipped.push(`${where} › ${event.data.name}: ${reason}`);
    }
    const summary =
      event.type === 'test:diagnostic' &&
      event.data.nesting === 0 &&
      SUMMARY_START.test(event.data.message);
    if (summary && !listed) {
      listed = true;
      if (process.env.TEST_SKIPS_FILE) {
        fs.writeFileSync(process.env.TEST_SKIPS_FILE, JSON.stringify(skipped));
      }
      // Not "skipped N": CI reads that line of the summary.
      const lines =
        skipped.length === 0
          ? ['nothing was skipped']
          : [`SKIPPED, so not run (${skipped.length}):`, ...skipped.map((s) => `  ${s}`)];
      if (skipped.length > 0 && ciIsSet()) {
        lines.push('CI is set: a skipped test fails the run.');
      }
      for (const message of lines) yield { type: 'test:diagnostic', data: { nesting: 0, message } };
    }
    yield event;
  }
}

/** CI=true (or any value but "false" and "0"), as CI services set it. */
function ciIsSet() {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

module.exports = async function* reporter(source) {
  const events = withSkipsListed(source);
  if (process.stdout.isTTY) {
    yield* Readable.from(events).pipe(new spec());
  } else {
    yield* tap(events);
  }
};
module.exports.ciIsSet = ciIsSet;
