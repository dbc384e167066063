import session from 'express-session';
import type { Database } from '../db/database';

type Callback<T = void> = (error?: unknown, value?: T) => void;

/**
 * express-session's store on the service's own database, so a session made
 * on one instance works on every other and survives restarts; a logout
 * deletes the row, which ends the session everywhere at once.
 */
export class DatabaseSessionStore extends session.Store {
  constructor(
    private readonly db: Database,
    private readonly idleTimeoutMs: number,
  ) {
    super();
  }

  private expiresAtMs(data: session.SessionData): number {
    const expires = data.cookie?.expires;
    return expires ? new Date(expires).getTime() : Date.now() + this.idleTimeoutMs;
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    this.db
      .read((sql) =>
        sql.rows<{ data: string; expires_at: unknown }>(
          'SELECT data, expires_at FROM sessions WHERE sid = ?',
          [sid],
        ),
      )
      .then(([row]) => {
        if (!row || Number(row.expires_at) <= Date.now()) return callback(null, null);
        callback(null, JSON.parse(row.data) as session.SessionData);
      }, callback);
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    this.db
      .read((sql) =>
        sql.run(
          `INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
          [sid, JSON.stringify(data), this.expiresAtMs(data)],
        ),
      )
      .then(() => callback?.(), callback);
  }

  override touch(sid: string, data: session.SessionData, callback?: Callback): void {
    this.db
      .read((sql) =>
        sql.run('UPDATE sessions SET expires_at = ? WHERE sid = ?', [this.expiresAtMs(data), sid]),
      )
      .then(() => callback?.(), callback);
  }

  override destroy(sid: string, callback?: Callback): void {
    this.db
      .read((sql) => sql.run('DELETE FROM sessions WHERE sid = ?', [sid]))
      .then(() => callback?.(), callback);
  }

  /** Deletes expired rows; run now and then, since a get already ignores them. */
  pruneExpired(): Promise<number> {
    return this.db.read((sql) =>
      sql.run('DELETE FROM sessions WHERE expires_at <= ?', [Date.now()]),
    );
  }
}
