/** What a movement kind states about itself; the core (ledger.ts) does the rest. */
import type { Sql } from '../db/sql';
import type { WalletId } from '../domain/ids';
import type { NewEvent } from './events';
import type { LockedWallets } from './locks';

/** Every movement's answer says whether it was a replay of one made before. */
export interface Outcome {
  replayed: boolean;
}

export interface Movement<R extends Outcome> {
  /** Its name in the metrics: deposit, withdrawal, transfer… */
  readonly kind: string;
  /** Every wallet whose balance it may change; the core locks them in ascending id order. */
  readonly walletIds: readonly WalletId[];
  /**
   * What answers a repeat of its key (see attemptOnce): the original,
   * replayed; IDEMPOTENCY_CONFLICT if the key holds another movement; null
   * if the key holds nothing. Null for a movement without a key.
   */
  readonly replay: ((sql: Sql) => Promise<R | null>) | null;
  /** Its writes, inside its transaction, with its wallets locked and read under the locks. */
  write(sql: Sql, wallets: LockedWallets): Promise<R>;
  /** The events its result reports, written in its transaction (not for a replay). */
  events(result: R): NewEvent[];
  /**
   * PostgreSQL, where the kind has one: the whole movement (locks, rules,
   * writes) in one statement that is its own transaction, one round trip,
   * used instead of `write`. Null when the statement could not decide (it
   * wrote nothing): then `write` runs in a transaction, within the same deadline.
   */
  writeInOneStatement?(sql: Sql, deadlineMs: number): Promise<R | null>;
}
