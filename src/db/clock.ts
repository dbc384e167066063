import type { DatabaseKind } from '../config';

/**
 * The database's clock, as epoch milliseconds, in each dialect's SQL. Expiry
 * is decided by it, never by a process's clock: instances on other machines
 * may disagree by more than an expiry's margin. (SQLite is in the process,
 * so its clock is the host's.)
 */
export function nowMs(kind: DatabaseKind): string {
  return kind === 'postgres'
    ? 'CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) AS BIGINT)'
    : "CAST(unixepoch('subsec') * 1000 AS INTEGER)";
}

/**
 * A PENDING hold or payment request past its expiry, by the database's
 * clock: expired, whatever its row says yet. `table` qualifies the columns;
 * `now` is the clock's SQL when a statement reads it once.
 */
export function expiredSql(kind: DatabaseKind, table = '', now = nowMs(kind)): string {
  const column = table === '' ? '' : `${table}.`;
  return `${column}status = 'PENDING' AND ${column}expires_at <= ${now}`;
}

/** A PENDING hold or payment request not yet past its expiry: still open. */
export function openSql(kind: DatabaseKind, table = '', now = nowMs(kind)): string {
  const column = table === '' ? '' : `${table}.`;
  return `${column}status = 'PENDING' AND ${column}expires_at > ${now}`;
}
