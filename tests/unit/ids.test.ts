import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ledgerId } from '../../src/db/ids';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The latest time a UUIDv7 can hold: 48 bits of milliseconds. */
const TIME_MAX_MS = 2 ** 48 - 1;

describe('ledger ids', () => {
  it('are UUIDv7 carrying their time, and sort as their times do', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: TIME_MAX_MS }),
        fc.integer({ min: 0, max: TIME_MAX_MS }),
        (earlierMs, laterMs) => {
          fc.pre(earlierMs < laterMs);
          const [earlier, later] = [ledgerId(earlierMs), ledgerId(laterMs)];
          assert.match(earlier, UUID_V7);
          assert.equal(parseInt(earlier.replace('-', '').slice(0, 12), 16), earlierMs);
          assert.ok(earlier < later, `${earlier} sorts before ${later}`);
        },
      ),
    );
  });

  it('differ when made in the same millisecond', () => {
    const nowMs = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, () => ledgerId(nowMs)));
    assert.equal(ids.size, 10_000);
  });
});
