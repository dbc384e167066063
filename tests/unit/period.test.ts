import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '../../src/domain/errors';
import { operationFilter, parseInstant, period, readInstant } from '../../src/domain/period';

const DAY_MS = 86_400_000;

describe('parseInstant', () => {
  it('reads what toISOString writes, exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) }), (ms) => {
        assert.equal(parseInstant(new Date(ms).toISOString()), ms);
      }),
    );
  });

  it('takes zones, dates alone and shorter times', () => {
    const noon = Date.UTC(2026, 2, 1, 12, 0, 0);
    assert.equal(parseInstant('2026-03-01T12:00:00.000Z'), noon);
    assert.equal(parseInstant('2026-03-01T13:00:00+01:00'), noon);
    assert.equal(parseInstant('2026-03-01T06:30:00-05:30'), noon);
    assert.equal(parseInstant('2026-03-01T12:00Z'), noon);
    assert.equal(parseInstant('2026-03-01'), Date.UTC(2026, 2, 1));
    assert.equal(parseInstant('2028-02-29'), Date.UTC(2028, 1, 29));
  });

  it('rounds a finer instant up to the next millisecond, never down', () => {
    const at = Date.UTC(2026, 2, 1, 12, 0, 0, 123);
    assert.equal(parseInstant('2026-03-01T12:00:00.123Z'), at);
    assert.equal(parseInstant('2026-03-01T12:00:00.123000000Z'), at);
    assert.equal(parseInstant('2026-03-01T12:00:00.123000001Z'), at + 1);
    assert.equal(parseInstant('2026-03-01T12:00:00.1230001Z'), at + 1);
    assert.equal(parseInstant('2026-03-01T12:00:00.999999Z'), Date.UTC(2026, 2, 1, 12, 0, 1));
    assert.equal(parseInstant('2026-03-01T12:00:00.5Z'), at - 123 + 500);
  });

  it('refuses what is not an instant', () => {
    for (const text of [
      '',
      'now',
      '2026-3-1',
      '2026-02-29',
      '2026-02-30',
      '2026-13-01',
      '2026-03-01T24:00:00Z',
      '2026-03-01T12:60:00Z',
      '2026-03-01T12:00:60Z',
      '2026-03-01T12:00:00',
      '2026-03-01T12:00:00.1234567890Z',
      '2026-03-01T12:00:00+19:00',
      '2026-03-01 12:00:00Z',
      ' 2026-03-01',
      '1772366400000',
    ]) {
      assert.equal(parseInstant(text), null, text);
    }
  });
});

describe('readInstant', () => {
  it('says what is wrong: the shape, a day or a time that does not exist, the zone', () => {
    const problem = (text: string) => {
      const read = readInstant(text);
      return 'problem' in read ? read.problem : '';
    };
    assert.match(problem('2026-3-1'), /^use ISO 8601/);
    assert.equal(problem('2026-02-30'), '2026-02-30 is not a day in the calendar');
    assert.equal(problem('2026-02-29T10:00:00Z'), '2026-02-29 is not a day in the calendar');
    assert.equal(problem('2026-13-01'), '2026-13-01 is not a day in the calendar');
    assert.equal(problem('2026-03-01T24:00:00Z'), '24:00:00 is not a time of day');
    assert.equal(problem('2026-03-01T12:60Z'), '12:60:00 is not a time of day');
    assert.equal(
      problem('2026-03-01T12:00:00+19:00'),
      'the time zone +19:00 is more than 18 hours from UTC',
    );
    assert.equal(problem('2028-02-29'), '');
  });

  it('keeps the years 0 to 99 as written', () => {
    assert.equal(parseInstant('0050-01-01'), new Date('0050-01-01T00:00:00.000Z').getTime());
  });
});

describe('a period', () => {
  const refusal = (run: () => unknown, message: RegExp) =>
    assert.throws(run, (error: unknown) => {
      assert.ok(error instanceof DomainError);
      assert.equal(error.code, 'BAD_USER_INPUT');
      assert.equal(error.details.field, 'to');
      assert.match(error.message, message);
      return true;
    });

  it('is [from, to) with to later, at most 366 days', () => {
    assert.deepEqual(period(0, 1), { fromMs: 0, toMs: 1 });
    assert.deepEqual(period(0, 366 * DAY_MS), { fromMs: 0, toMs: 366 * DAY_MS });
    refusal(() => period(0, 366 * DAY_MS + 1), /at most 366 days/);
    refusal(() => period(5, 5), /later than/);
    refusal(() => period(5, 4), /later than/);
  });

  it('narrows Wallet.operations, either end open, the types deduplicated', () => {
    assert.deepEqual(operationFilter({ fromMs: null, toMs: null, types: null }), {
      fromMs: null,
      toMs: null,
      types: null,
    });
    assert.deepEqual(
      operationFilter({ fromMs: 1, toMs: null, types: ['WITHDRAWAL', 'DEPOSIT', 'WITHDRAWAL'] })
        .types,
      ['DEPOSIT', 'WITHDRAWAL'],
    );
    refusal(() => operationFilter({ fromMs: 2, toMs: 2, types: null }), /later than/);
    assert.throws(() => operationFilter({ fromMs: null, toMs: null, types: [] }), /at least one/);
  });
});
