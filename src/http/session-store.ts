import session from 'express-session';
import type { SessionRecords } from '../app/sessions';

type Callback<T = void> = (error?: unknown, value?: T) => void;

/** How many sessions' expiries a process remembers before it starts over. */
const KNOWN_EXPIRIES_MAX = 100_000;

/**
 * express-session's store on the service's own database, so a session made
 * on one instance works on every other and survives restarts; a logout
 * deletes the row, which ends the session everywhere at once: every request
 * reads its session's row, so no process answers from a copy of it.
 *
 * Every request extends the session (rolling), but writing the new expiry on
 * each one would make every request a database write. The store writes it
 * only once it has moved by a tenth of the idle timeout (at most a minute),
 * so a session idles out up to that much early, never late.
 *
 * However much it is used, a session ends `absoluteTimeoutMs` after it began
 * (its login), by the database's clock; and each row names its user, so
 * endSessionsOf ends all of them at once.
 */
export class DatabaseSessionStore extends session.Store {
  /** Each session's stored expiry as this process last read or wrote it: never later than the database's. */
  private readonly knownExpiries = new Map<string, number>();
  private readonly touchIntervalMs: number;

  constructor(
    private readonly records: SessionRecords,
    private readonly idleTimeoutMs: number,
    private readonly absoluteTimeoutMs: number,
  ) {
    super();
    this.touchIntervalMs = Math.min(60_000, Math.floor(idleTimeoutMs / 10));
  }

  private remember(sid: string, expiresAtMs: number): void {
    if (this.knownExpiries.size >= KNOWN_EXPIRIES_MAX) this.knownExpiries.clear();
    this.knownExpiries.set(sid, expiresAtMs);
  }

  private expiresAtMs(data: session.SessionData): number {
    const expires = data.cookie?.expires;
    return expires ? new Date(expires).getTime() : Date.now() + this.idleTimeoutMs;
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    this.records
      .read(sid, this.absoluteTimeoutMs)
      .then((row) => {
        if (!row || row.expiresAtMs <= Date.now()) {
          this.knownExpiries.delete(sid);
          return null;
        }
        this.remember(sid, row.expiresAtMs);
        return JSON.parse(row.data) as session.SessionData;
      })
      // A failed read or a row that does not parse is the callback's error, never a hung request.
      .then(
        (data) => callback(null, data),
        (error) => callback(error),
      );
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    const expiresAtMs = this.expiresAtMs(data);
    this.records.write(sid, JSON.stringify(data), expiresAtMs, data.userId ?? null).then(() => {
      this.remember(sid, expiresAtMs);
      callback?.();
    }, callback);
  }

  override touch(sid: string, data: session.SessionData, callback?: Callback): void {
    const expiresAtMs = this.expiresAtMs(data);
    const known = this.knownExpiries.get(sid);
    if (known !== undefined && expiresAtMs - known < this.touchIntervalMs) {
      callback?.();
      return;
    }
    this.records.extend(sid, expiresAtMs).then(() => {
      // Stored now: this expiry, or a later one another instance wrote (or no row, if ended).
      this.remember(sid, Math.max(known ?? 0, expiresAtMs));
      callback?.();
    }, callback);
  }

  override destroy(sid: string, callback?: Callback): void {
    this.knownExpiries.delete(sid);
    this.records.remove(sid).then(() => callback?.(), callback);
  }

  /** Deletes expired rows; run now and then, since a get already ignores them. */
  pruneExpired(): Promise<number> {
    return this.records.pruneExpired();
  }
}
