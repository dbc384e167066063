/**
 * People's sessions as rows of the service's own database, for the HTTP
 * session store: one row per session, naming its user, so that a session
 * made on one instance works on every other, and ending it (a logout, a
 * changed password) ends it everywhere at once.
 */
import { nowMs } from '../db/clock';
import { deleteInChunks, type Database } from '../db/database';

/** A session as stored: its data (JSON) and when it idles out, epoch milliseconds. */
export interface StoredSession {
  data: string;
  expiresAtMs: number;
}

export interface SessionRecords {
  /** The session, unless it began more than `absoluteTimeoutMs` ago (the database's clock). */
  read(sid: string, absoluteTimeoutMs: number): Promise<StoredSession | null>;
  /** Writes it whole; its start is written once, when its row is made (a login makes a new sid). */
  write(sid: string, data: string, expiresAtMs: number, userId: string | null): Promise<void>;
  /** Moves its expiry later, never earlier: another instance may have written a later one. */
  extend(sid: string, expiresAtMs: number): Promise<void>;
  remove(sid: string): Promise<void>;
  /** Deletes the sessions that idled out; how many. */
  pruneExpired(): Promise<number>;
}

export function sessionRecords(db: Database): SessionRecords {
  return {
    async read(sid, absoluteTimeoutMs) {
      const [row] = await db.read((sql) =>
        sql.rows<{ data: string; expires_at: unknown }>(
          `SELECT data, expires_at FROM sessions
           WHERE sid = ? AND created_at > ${nowMs(db.kind)} - ?`,
          [sid, absoluteTimeoutMs],
        ),
      );
      return row ? { data: row.data, expiresAtMs: Number(row.expires_at) } : null;
    },
    async write(sid, data, expiresAtMs, userId) {
      await db.read((sql) =>
        sql.run(
          `INSERT INTO sessions (sid, data, expires_at, user_id, created_at)
           VALUES (?, ?, ?, ?, ${nowMs(db.kind)})
           ON CONFLICT (sid) DO UPDATE SET
             data = excluded.data, expires_at = excluded.expires_at, user_id = excluded.user_id`,
          [sid, data, expiresAtMs, userId],
        ),
      );
    },
    async extend(sid, expiresAtMs) {
      await db.read((sql) =>
        sql.run('UPDATE sessions SET expires_at = ? WHERE sid = ? AND expires_at < ?', [
          expiresAtMs,
          sid,
          expiresAtMs,
        ]),
      );
    },
    async remove(sid) {
      await db.read((sql) => sql.run('DELETE FROM sessions WHERE sid = ?', [sid]));
    },
    pruneExpired() {
      return deleteInChunks(db, 'sessions', 'sid', 'expires_at <= ?', [Date.now()]);
    },
  };
}
