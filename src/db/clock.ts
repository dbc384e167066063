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
