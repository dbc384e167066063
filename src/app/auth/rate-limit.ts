import { createHash } from 'node:crypto';
import type { Database } from '../../db/database';
import { countAttempt, deleteEndedWindows, uncountAttempt } from '../../db/queries';
import { DomainError } from '../../domain/errors';

/** rate_limits.key is varchar(300). */
const KEY_LENGTH_MAX = 300;

/**
 * A fixed-window counter per subject, in the database so every instance
 * counts together. One atomic upsert per attempt: concurrent attempts cannot
 * slip past the limit between a read and a write. (A library such as
 * rate-limiter-flexible would need its own connection to SQLite, outside the
 * per-process queue that the one shared connection requires.)
 */
export class RateLimiter {
  constructor(
    private readonly db: Database,
    private readonly name: string,
    /** Attempts allowed per window; 0 turns the limit off. */
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /**
   * Counts one attempt; refuses with RATE_LIMITED when it is over the limit,
   * saying when the window ends (in words after `reason`, and as `retryAfterSeconds`).
   */
  async hit(subject: string, reason: string): Promise<void> {
    if (this.limit === 0) return;
    const nowMs = Date.now();
    const windowStartMs = nowMs - this.windowMs;
    const counted = await this.db.read((sql) =>
      countAttempt(sql, this.key(subject), nowMs, windowStartMs),
    );
    if (counted.count <= this.limit) return;
    const endsInMs = counted.windowStartedAtMs + this.windowMs - nowMs;
    const retryAfterSeconds = Math.max(1, Math.ceil(endsInMs / 1000));
    const minutes = Math.ceil(retryAfterSeconds / 60);
    throw new DomainError(
      'RATE_LIMITED',
      `${reason} Try again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}.`,
      { retryAfterSeconds },
    );
  }

  /** Takes back one attempt (a login that succeeded was not a failure). */
  async undo(subject: string): Promise<void> {
    if (this.limit === 0) return;
    await this.db.read((sql) => uncountAttempt(sql, this.key(subject)));
  }

  /**
   * Deletes this limiter's counters whose window has ended: an ended window
   * counts as no window (the next attempt starts a new one), and without this
   * every email or address ever tried would keep a row for good.
   */
  pruneEnded(): Promise<number> {
    return deleteEndedWindows(this.db, `${this.name}:`, Date.now() - this.windowMs);
  }

  /** The counter's key; a subject too long for the column is kept as its hash, so two never share one. */
  private key(subject: string): string {
    const key = `${this.name}:${subject}`;
    if (key.length <= KEY_LENGTH_MAX) return key;
    return `${this.name}:sha256:${createHash('sha256').update(subject).digest('hex')}`;
  }
}
