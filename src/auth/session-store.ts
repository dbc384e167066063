import session from 'express-session';
import { deleteInChunks, type Database } from '../db/database';

type Callback<T = void> = (error?: unknown, value?: T) => void;

/** How many sessions a process remembers before it starts over. */
const KNOWN_SESSIONS_MAX = 100_000;

/**
 * How long a session read from the database answers again without a read:
 * a logout elsewhere (another instance, or another worker) takes effect on
 * this process within this bound; one handled here takes effect at once.
 */
export const SESSION_CACHE_MS = 1_000;

/** What this process knows of a session in the database. */
interface KnownSession {
  /** The stored expiry as far as this process knows: never later than the database's. */
  expiresAtMs: number;
  /** The stored data, as text: each request parses its own copy (express-session mutates it). */
  data: string;
  /** When the read or write that this comes from began. */
  seenAtMs: number;
}

/**
 * express-session's store on the service's own database, so a session made
 * on one instance works on every other and survives restarts; a logout
 * deletes the row, which ends the session everywhere.
 *
 * A session read from the database is trusted for SESSION_CACHE_MS before it
 * is read again (most requests then read nothing); a logout here drops it at
 * once, and one elsewhere is seen within that second.
 *
 * Every request extends the session (rolling), but writing the new expiry on
 * each one would make every request a database write. The store writes it
 * only once it has moved by a tenth of the idle timeout (at most a minute),
 * so a session idles out up to that much early, never late.
 */
export class DatabaseSessionStore extends session.Store {
  private readonly known = new Map<string, KnownSession>();
  private readonly touchIntervalMs: number;
  /** Counts destroys, so a read or write that overlapped one is not remembered. */
  private destroys = 0;

  constructor(
    private readonly db: Database,
    private readonly idleTimeoutMs: number,
  ) {
    super();
    this.touchIntervalMs = Math.min(60_000, Math.floor(idleTimeoutMs / 10));
  }

  private remember(sid: string, entry: KnownSession): void {
    if (this.known.size >= KNOWN_SESSIONS_MAX) this.known.clear();
    this.known.set(sid, entry);
  }

  private expiresAtMs(data: session.SessionData): number {
    const expires = data.cookie?.expires;
    return expires ? new Date(expires).getTime() : Date.now() + this.idleTimeoutMs;
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    const askedAtMs = Date.now();
    const known = this.known.get(sid);
    if (
      known !== undefined &&
      askedAtMs - known.seenAtMs < SESSION_CACHE_MS &&
      known.expiresAtMs > askedAtMs
    ) {
      callback(null, JSON.parse(known.data) as session.SessionData);
      return;
    }
    const destroysBefore = this.destroys;
    this.db
      .read((sql) =>
        sql.rows<{ data: string; expires_at: unknown }>(
          'SELECT data, expires_at FROM sessions WHERE sid = ?',
          [sid],
        ),
      )
      .then(([row]) => {
        const expiresAtMs = Number(row?.expires_at);
        if (!row || expiresAtMs <= Date.now()) {
          this.known.delete(sid);
          return callback(null, null);
        }
        // A logout that ran meanwhile may have deleted what this read found.
        if (this.destroys === destroysBefore) {
          this.remember(sid, { expiresAtMs, data: row.data, seenAtMs: askedAtMs });
        }
        callback(null, JSON.parse(row.data) as session.SessionData);
      }, callback);
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    const expiresAtMs = this.expiresAtMs(data);
    const text = JSON.stringify(data);
    const writtenAtMs = Date.now();
    const destroysBefore = this.destroys;
    this.db
      .read((sql) =>
        sql.run(
          `INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
          [sid, text, expiresAtMs],
        ),
      )
      .then(() => {
        // As in get: a logout that overlapped this write must not be undone here.
        if (this.destroys === destroysBefore) {
          this.remember(sid, { expiresAtMs, data: text, seenAtMs: writtenAtMs });
        }
        callback?.();
      }, callback);
  }

  override touch(sid: string, data: session.SessionData, callback?: Callback): void {
    const expiresAtMs = this.expiresAtMs(data);
    const known = this.known.get(sid);
    if (known !== undefined && expiresAtMs - known.expiresAtMs < this.touchIntervalMs) {
      callback?.();
      return;
    }
    this.db
      .read((sql) =>
        // Never shortens: another instance may have written a later expiry.
        sql.run('UPDATE sessions SET expires_at = ? WHERE sid = ? AND expires_at < ?', [
          expiresAtMs,
          sid,
          expiresAtMs,
        ]),
      )
      .then(() => {
        // Only what is remembered already is extended: a touch carries no data.
        const current = this.known.get(sid);
        if (current !== undefined) current.expiresAtMs = Math.max(current.expiresAtMs, expiresAtMs);
        callback?.();
      }, callback);
  }

  override destroy(sid: string, callback?: Callback): void {
    this.destroys++;
    this.known.delete(sid);
    this.db
      .read((sql) => sql.run('DELETE FROM sessions WHERE sid = ?', [sid]))
      .then(() => callback?.(), callback);
  }

  /** Deletes expired rows; run now and then, since a get already ignores them. */
  pruneExpired(): Promise<number> {
    return deleteInChunks(this.db, 'sessions', 'sid', 'expires_at <= ?', [Date.now()]);
  }
}
