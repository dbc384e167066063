import type { Database } from '../../db/database';
import { RateLimiter } from './rate-limit';

const FIFTEEN_MINUTES_MS = 15 * 60_000;

/**
 * Failed logins, counted so that nobody can lock an owner out: per email and
 * client address together (a guesser at one address is stopped, the owner
 * elsewhere is not), and per address across emails (one address cannot try
 * every email either). An attempt counts before its password check, so
 * attempts at the same moment cannot slip past the limit; one that succeeds
 * is taken back.
 */
export class LoginLimit {
  private readonly perEmailAndAddress: RateLimiter;
  private readonly perAddress: RateLimiter;

  constructor(db: Database, limits: { perEmailAndAddress: number; perAddress: number }) {
    this.perEmailAndAddress = new RateLimiter(
      db,
      'login',
      limits.perEmailAndAddress,
      FIFTEEN_MINUTES_MS,
    );
    this.perAddress = new RateLimiter(db, 'login-address', limits.perAddress, FIFTEEN_MINUTES_MS);
  }

  /** Counts an attempt; RATE_LIMITED when either limit is passed. */
  async hit(email: string, address: string): Promise<void> {
    await this.perAddress.hit(address, 'Too many failed sign-in attempts from this network.');
    await this.perEmailAndAddress.hit(
      `${address} ${email}`,
      'Too many failed sign-in attempts for this email.',
    );
  }

  /** A login that succeeded was not a failure. */
  async undo(email: string, address: string): Promise<void> {
    await this.perAddress.undo(address);
    await this.perEmailAndAddress.undo(`${address} ${email}`);
  }

  limiters(): RateLimiter[] {
    return [this.perEmailAndAddress, this.perAddress];
  }
}
