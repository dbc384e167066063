/** The sessions table: the HTTP session store's rows, and ending a user's sessions. */
import type { UserId } from '../../domain/ids';
import { nowMs } from '../clock';
import { deleteInChunks, type Database } from '../database';
import type { Sql } from '../sql';

/**
 * A session's data (JSON) and idle expiry, epoch milliseconds; none if it
 * began more than `absoluteTimeoutMs` ago (the database's clock).
 */
export async function findSession(
  sql: Sql,
  sid: string,
  absoluteTimeoutMs: number,
): Promise<{ data: string; expiresAtMs: number } | null> {
  const [row] = await sql.rows<{ data: string; expires_at: unknown }>(
    `SELECT data, expires_at FROM sessions
           WHERE sid = ? AND created_at > ${nowMs(sql.kind)} - ?`,
    [sid, absoluteTimeoutMs],
  );
  return row ? { data: row.data, expiresAtMs: Number(row.expires_at) } : null;
}

/** Writes a session whole; its start (created_at) only when its row is made. */
export async function upsertSession(
  sql: Sql,
  sid: string,
  data: string,
  expiresAtMs: number,
  userId: string | null,
): Promise<void> {
  await sql.run(
    `INSERT INTO sessions (sid, data, expires_at, user_id, created_at)
           VALUES (?, ?, ?, ?, ${nowMs(sql.kind)})
           ON CONFLICT (sid) DO UPDATE SET
             data = excluded.data, expires_at = excluded.expires_at, user_id = excluded.user_id`,
    [sid, data, expiresAtMs, userId],
  );
}

/** Moves a session's expiry later, never earlier. */
export async function extendSession(sql: Sql, sid: string, expiresAtMs: number): Promise<void> {
  await sql.run('UPDATE sessions SET expires_at = ? WHERE sid = ? AND expires_at < ?', [
    expiresAtMs,
    sid,
    expiresAtMs,
  ]);
}

export async function deleteSession(sql: Sql, sid: string): Promise<void> {
  await sql.run('DELETE FROM sessions WHERE sid = ?', [sid]);
}

/**
 * Deletes the sessions whose expiry is at or before `nowMs`, in chunks
 * (deleteInChunks), so it takes the Database rather than one Sql; how many.
 */
export function deleteExpiredSessions(db: Database, nowMs: number): Promise<number> {
  return deleteInChunks(db, 'sessions', 'sid', 'expires_at <= ?', [nowMs]);
}

/**
 * Ends every session of a user, on every instance at once (each request reads
 * its session's row). Inside the transaction that changes what the sessions
 * were granted on: the password, the role.
 */
export async function endSessionsOf(sql: Sql, userId: UserId): Promise<number> {
  return sql.run('DELETE FROM sessions WHERE user_id = ?', [userId]);
}
