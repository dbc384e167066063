/** Rate limits' fixed-window counters, one row per key. */
import { deleteInChunks, type Database } from '../database';
import type { Sql } from '../sql';

/**
 * Counts one attempt against `key` in one atomic upsert: a window that
 * started at or before `windowStartMs` has ended, and a new one starts at
 * `nowMs` with this attempt. The count and start of the window it fell in.
 */
export async function countAttempt(
  sql: Sql,
  key: string,
  nowMs: number,
  windowStartMs: number,
): Promise<{ count: number; windowStartedAtMs: number }> {
  const [row] = await sql.rows<{ count: unknown; window_started_at: unknown }>(
    `INSERT INTO rate_limits (key, window_started_at, count) VALUES (?, ?, 1)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN rate_limits.window_started_at <= ? THEN 1 ELSE rate_limits.count + 1 END,
           window_started_at = CASE WHEN rate_limits.window_started_at <= ?
             THEN ? ELSE rate_limits.window_started_at END
         RETURNING count, window_started_at`,
    [key, nowMs, windowStartMs, windowStartMs, nowMs],
  );
  return { count: Number(row.count), windowStartedAtMs: Number(row.window_started_at) };
}

/** Takes one attempt back from `key`'s count, never below 0. */
export async function uncountAttempt(sql: Sql, key: string): Promise<void> {
  await sql.run('UPDATE rate_limits SET count = count - 1 WHERE key = ? AND count > 0', [key]);
}

/**
 * Deletes the counters whose key starts with `keyPrefix` and whose window
 * started at or before `windowStartMs`, in chunks (deleteInChunks), so it
 * takes the Database rather than one Sql; how many.
 */
export function deleteEndedWindows(
  db: Database,
  keyPrefix: string,
  windowStartMs: number,
): Promise<number> {
  return deleteInChunks(db, 'rate_limits', 'key', 'window_started_at <= ? AND key LIKE ?', [
    windowStartMs,
    `${keyPrefix}%`,
  ]);
}
