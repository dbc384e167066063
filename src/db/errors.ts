/** What the drivers' errors mean to the service, on both databases. */
import { DomainError } from '../domain/errors';

/** The error's SQLSTATE (PostgreSQL) or SQLite code, when a driver raised it. */
export function driverCode(error: unknown): string | undefined {
  const cause = (error as { driverError?: { code?: unknown } })?.driverError ?? error;
  const code = (cause as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A unique index or primary key refused a second row with the same key. */
export function isUniqueViolation(error: unknown): boolean {
  const code = driverCode(error);
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** A lock wait ran past its bound: PostgreSQL's lock_timeout, SQLite's busy timeout. */
export function isLockTimeout(error: unknown): boolean {
  const code = driverCode(error);
  return code === '55P03' || code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT';
}

/**
 * What is left until `deadlineMs`, as PostgreSQL's lock_timeout takes it:
 * whole milliseconds, never 0 (which means no bound), so a deadline already
 * past leaves a lock wait 1 ms.
 */
export function lockTimeoutUntil(deadlineMs: number): number {
  return Math.max(1, Math.trunc(deadlineMs - Date.now()));
}

export const walletBusy = (): DomainError =>
  new DomainError(
    'WALLET_BUSY',
    'The wallet is busy with another payment. Retry shortly with the same idempotency key.',
  );
