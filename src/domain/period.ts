/**
 * Moments and periods as people give them: ISO 8601 with a time zone (or a
 * date alone, midnight UTC), a period `[from, to)` of at most 366 days.
 */
import { DomainError } from './errors';
import type { OperationType } from './enums';
import { PERIOD_DAYS_MAX } from './limits';

const DAY_MS = 86_400_000;

/** Which of a wallet's operations a list shows. Times are epoch milliseconds. */
export interface OperationFilter {
  /** Inclusive; null: since the first. */
  fromMs: number | null;
  /** Exclusive; null: up to the newest. */
  toMs: number | null;
  /** Null: every type. */
  types: readonly OperationType[] | null;
}

export const EVERY_OPERATION: OperationFilter = { fromMs: null, toMs: null, types: null };

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * An instant as epoch milliseconds, or null if the text is not one
 * (readInstant says why).
 */
export function parseInstant(text: string): number | null {
  const read = readInstant(text);
  return 'ms' in read ? read.ms : null;
}

/**
 * An instant as epoch milliseconds, or why the text is not one, in words
 * that blame the right thing: its shape, or a day or time that does not exist.
 * Operations are timed to the millisecond, so a finer instant is rounded
 * up to the next millisecond: an operation is before it exactly when it is
 * before the rounded one, which keeps `from` inclusive and `to` exclusive.
 */
export function readInstant(text: string): { ms: number } | { problem: string } {
  const match = INSTANT.exec(text);
  if (match === null) return { problem: `use ${INSTANT_FORMAT}` };
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone] =
    match;
  const [y, mo, d, h, mi, sec] = [year, month, day, hour, minute, second].map(Number);
  // Dates roll 2026-02-30 over into March; such a date is refused instead.
  // (setUTCFullYear, unlike Date.UTC, keeps the years 0 to 99 as written.)
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    return { problem: `${year}-${month}-${day} is not a day in the calendar` };
  }
  if (h > 23 || mi > 59 || sec > 59) {
    return { problem: `${hour}:${minute}:${second} is not a time of day` };
  }
  const local = date.getTime() + ((h * 60 + mi) * 60 + sec) * 1000;
  const digits = fraction.padEnd(9, '0');
  const finer = /[1-9]/.test(digits.slice(3)) ? 1 : 0;
  const offsetMinutes =
    zone === undefined || zone === 'Z'
      ? 0
      : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
  if (Math.abs(offsetMinutes) > 18 * 60) {
    return { problem: `the time zone ${zone} is more than 18 hours from UTC` };
  }
  return { ms: local + Number(digits.slice(0, 3)) + finer - offsetMinutes * 60_000 };
}

export const INSTANT_FORMAT =
  'ISO 8601 with a time zone, e.g. "2026-03-01T00:00:00.000Z", or a date such as "2026-03-01" (midnight UTC)';

/** A statement's period: `from` inclusive, `to` exclusive, at most 366 days. */
export interface Period {
  fromMs: number;
  toMs: number;
}

export function period(fromMs: number, toMs: number): Period {
  if (toMs <= fromMs) {
    throw new DomainError('BAD_USER_INPUT', '"to" must be later than "from".', { field: 'to' });
  }
  if (toMs - fromMs > PERIOD_DAYS_MAX * DAY_MS) {
    throw new DomainError(
      'BAD_USER_INPUT',
      `A statement covers at most ${PERIOD_DAYS_MAX} days; ask for a shorter period.`,
      { field: 'to' },
    );
  }
  return { fromMs, toMs };
}

/** Wallet.operations' narrowing: either end may be left open; types, if given, are some. */
export function operationFilter(args: {
  fromMs: number | null;
  toMs: number | null;
  types: readonly OperationType[] | null;
}): OperationFilter {
  if (args.fromMs !== null && args.toMs !== null && args.toMs <= args.fromMs) {
    throw new DomainError('BAD_USER_INPUT', '"to" must be later than "from".', { field: 'to' });
  }
  if (args.types !== null && args.types.length === 0) {
    throw new DomainError(
      'BAD_USER_INPUT',
      '"types" must name at least one type, or be left out.',
      {
        field: 'types',
      },
    );
  }
  return {
    fromMs: args.fromMs,
    toMs: args.toMs,
    types: args.types === null ? null : [...new Set(args.types)].sort(),
  };
}
