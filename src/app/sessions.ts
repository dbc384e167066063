/**
 * People's sessions as rows of the service's own database, for the HTTP
 * session store: one row per session, naming its user, so that a session
 * made on one instance works on every other, and ending it (a logout, a
 * changed password) ends it everywhere at once.
 */
import type { Database } from '../db/database';
import {
  deleteExpiredSessions,
  deleteSession,
  extendSession,
  findSession,
  upsertSession,
} from '../db/queries';

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
    read(sid, absoluteTimeoutMs) {
      return db.read((sql) => findSession(sql, sid, absoluteTimeoutMs));
    },
    async write(sid, data, expiresAtMs, userId) {
      await db.read((sql) => upsertSession(sql, sid, data, expiresAtMs, userId));
    },
    async extend(sid, expiresAtMs) {
      await db.read((sql) => extendSession(sql, sid, expiresAtMs));
    },
    async remove(sid) {
      await db.read((sql) => deleteSession(sql, sid));
    },
    pruneExpired() {
      return deleteExpiredSessions(db, Date.now());
    },
  };
}
