/**
 * The only code that changes a balance. A movement kind (movements/) states
 * what is particular to it (movement.ts); the core here runs every kind the
 * same way: one transaction that first locks its wallets in ascending id
 * order (locks.ts), then lets the kind check its rules on the balances read
 * under the locks and write its legs (legs.ts); a key that is taken is
 * answered as a replay or IDEMPOTENCY_CONFLICT (attemptOnce). On PostgreSQL
 * a kind may do all of that in one statement instead (a transfer: the
 * wallet_transfer function), one round trip.
 */
import type { Database } from '../db/database';
import { isLockTimeout, isUniqueViolation, walletBusy } from '../db/errors';
import type { WalletId } from '../domain/ids';
import type { Sql } from '../db/sql';
import { DomainError } from '../domain/errors';
import { movements } from '../metrics';
import type { Currencies } from '../domain/currencies';
import type { FaultInjector } from './faults';
import { appendEvents, type NewEvent } from './events';
import { holdEvent } from './event-data';
import { releaseExpiredHolds } from './holds';
import { lockOrder, lockWallets, type LockedWallets } from './locks';
import type { Movement, Outcome } from './movement';
import { authorizeHoldMovement, type AuthorizeHoldCommand } from './movements/authorize-hold';
import { type HoldResult } from '../domain/records';
import { externalMovement, type ExternalCommand } from './movements/external';
import { type ExternalResult } from '../domain/records';
import { payRequestMovement, type PayRequestCommand } from './movements/pay-request';
import { type PayRequestResult } from '../domain/records';
import { refundMovement, type RefundCommand } from './movements/refund';
import {
  captureHoldMovement,
  voidHoldMovement,
  type CaptureHoldCommand,
  type VoidHoldCommand,
} from './movements/resolve-hold';
import { transferMovement, type TransferCommand } from './movements/transfer';
import { type TransferResult } from '../domain/records';
import type { WalletSlots } from './wallet-slots';

export class Ledger {
  constructor(
    private readonly db: Database,
    private readonly currencies: Currencies,
    /** Busy wallets' share of the pool (PostgreSQL; see wallet-slots.ts); null on SQLite. */
    private readonly slots: WalletSlots | null,
    /** Tests only (see faults.ts); null in every real run. */
    private readonly faults: FaultInjector | null = null,
  ) {}

  // Each is async, so that a refusal its kind makes before any work (an
  // amount too precise, a currency mismatch) is a rejection, never a throw.

  /** Credits a wallet from outside (the payment provider's deposit). */
  async deposit(command: ExternalCommand): Promise<ExternalResult> {
    const precision = this.currencies.precision(command.wallet.currency);
    return this.run(externalMovement('DEPOSIT', command, precision));
  }

  /** Debits a wallet to outside (a charge or a withdrawal). */
  async withdraw(command: ExternalCommand): Promise<ExternalResult> {
    const precision = this.currencies.precision(command.wallet.currency);
    return this.run(externalMovement('WITHDRAWAL', command, precision));
  }

  /** Moves money between two wallets of one currency. */
  async transfer(command: TransferCommand): Promise<TransferResult> {
    return this.run(transferMovement(command, this.currencies.precision(command.source.currency)));
  }

  /** Pays a payment request with one transfer; the request is PAID in the same transaction. */
  async payRequest(command: PayRequestCommand): Promise<PayRequestResult> {
    const precision = this.currencies.precision(command.request.currency);
    return this.run(payRequestMovement(command, precision));
  }

  /** Gives back all or part of what a transfer moved, once in total. */
  async refund(command: RefundCommand): Promise<TransferResult> {
    return this.run(refundMovement(command, this.currencies.precision(command.original.currency)));
  }

  /** Reserves part of a wallet's available balance for the payment provider. */
  async authorizeHold(command: AuthorizeHoldCommand): Promise<HoldResult> {
    const precision = this.currencies.precision(command.wallet.currency);
    return this.run(authorizeHoldMovement(command, precision));
  }

  /** Takes what a hold finally costs (at most the hold) and releases the rest. */
  async captureHold(command: CaptureHoldCommand): Promise<HoldResult> {
    const precision = this.currencies.precision(command.wallet.currency);
    return this.run(captureHoldMovement(command, precision));
  }

  /** Releases a hold whole. */
  async voidHold(command: VoidHoldCommand): Promise<HoldResult> {
    return this.run(voidHoldMovement(command, this.currencies.precision(command.wallet.currency)));
  }

  /** Releases a wallet's expired holds (their events go out); nothing else moves. */
  async expireHolds(walletId: WalletId): Promise<void> {
    await this.run({
      kind: 'expiry',
      walletIds: [walletId],
      replay: null,
      write: async () => ({ replayed: false }),
      events: () => [],
    });
  }

  /** Runs one movement of any kind, at most once per key, counted by outcome. */
  private run<R extends Outcome>(movement: Movement<R>): Promise<R> {
    const { replay } = movement;
    return this.measure(movement.kind, () =>
      attemptOnce(
        () => this.attempt(movement),
        replay === null ? null : () => this.db.read((sql) => replay(sql)),
      ),
    );
  }

  private attempt<R extends Outcome>(movement: Movement<R>): Promise<R> {
    return this.withinDeadline(movement.walletIds, async (deadlineMs) => {
      const { writeInOneStatement } = movement;
      if (this.db.kind === 'postgres' && writeInOneStatement !== undefined) {
        const done = await this.inOneStatement(
          (sql) => writeInOneStatement(sql, deadlineMs),
          deadlineMs,
        );
        if (done !== null) return done;
      }
      return this.inTransaction(async (sql) => {
        const locked = await lockWallets(sql, movement.walletIds);
        this.faults?.at('after-locks');
        const { wallets, expired } = await this.releaseExpired(sql, locked);
        const result = await movement.write(sql, wallets);
        // A replay reports nothing new of its own; holds it released, it does.
        await appendEvents(sql, [...expired, ...(result.replayed ? [] : movement.events(result))]);
        return result;
      }, deadlineMs);
    });
  }

  /**
   * Releases the reserve of locked wallets' holds that have expired (they
   * read as EXPIRED already), before the movement decides on their
   * balances; their HOLD_EXPIRED events go with the movement's.
   */
  private async releaseExpired(
    sql: Sql,
    locked: LockedWallets,
  ): Promise<{ wallets: LockedWallets; expired: NewEvent[] }> {
    const expired: NewEvent[] = [];
    const wallets = new Map(locked);
    for (const wallet of locked.values()) {
      if (wallet.heldMinor === 0n) continue;
      const released = await releaseExpiredHolds(sql, wallet.id);
      if (released.length === 0) continue;
      const releasedMinor = released.reduce((sum, hold) => sum + hold.amountMinor, 0n);
      wallets.set(wallet.id, { ...wallet, heldMinor: wallet.heldMinor - releasedMinor });
      const precision = this.currencies.precision(wallet.currency);
      expired.push(...released.map((hold) => holdEvent('HOLD_EXPIRED', hold, precision)));
    }
    return { wallets, expired };
  }

  /**
   * A movement's work on its wallets within one deadline, LOCK_TIMEOUT_MS
   * from now: on PostgreSQL the wait for the wallets' slots and the wait for
   * their locks share it (what is left may be nothing: lockTimeoutUntil
   * makes that 1 ms at the database).
   */
  private withinDeadline<T>(
    walletIds: readonly WalletId[],
    work: (deadlineMs: number) => Promise<T>,
  ): Promise<T> {
    const deadlineMs = Date.now() + this.db.lockTimeoutMs;
    if (this.slots === null) return work(deadlineMs);
    return this.slots.run(lockOrder(walletIds), deadlineMs, () => work(deadlineMs));
  }

  /**
   * A movement as one statement outside a transaction (PostgreSQL), which
   * is a transaction by itself. With fault injection (tests only) it runs
   * inside a transaction, so that faults can strike before its commit.
   */
  private inOneStatement<T>(call: (sql: Sql) => Promise<T>, deadlineMs: number): Promise<T> {
    if (this.faults === null) return this.db.read(call, deadlineMs);
    return this.inTransaction(async (sql) => {
      const result = await call(sql);
      this.faults?.at('after-locks');
      return result;
    }, deadlineMs);
  }

  /** One movement's transaction, with the fault points (tests only) around its commit. */
  private async inTransaction<T>(work: (sql: Sql) => Promise<T>, deadlineMs: number): Promise<T> {
    const result = await this.db.transaction(async (sql) => {
      const value = await work(sql);
      this.faults?.at('before-commit');
      return value;
    }, deadlineMs);
    this.faults?.at('after-commit');
    return result;
  }

  /** Counts outcomes and turns a lock wait past its bound into WALLET_BUSY. */
  private async measure<R extends Outcome>(kind: string, work: () => Promise<R>): Promise<R> {
    try {
      const result = await work();
      movements.inc({ kind, outcome: result.replayed ? 'replayed' : 'committed' });
      return result;
    } catch (error) {
      const refusal = isLockTimeout(error) ? walletBusy() : error;
      movements.inc({
        kind,
        outcome: refusal instanceof DomainError ? refusal.code : 'INTERNAL_SERVER_ERROR',
      });
      throw refusal;
    }
  }
}

/**
 * Runs a movement that carries a key (a transfer's idempotency key, a
 * deposit's or withdrawal's reference) at most once per key. The attempt runs
 * straight away: the key's unique index, not a lookup, is what stops a
 * repeat, so a first attempt (nearly every one) pays for no lookup; on
 * PostgreSQL a lookup is a round trip, and one under the locks would lengthen
 * every wait on a busy wallet. The key is looked up only once the attempt has
 * failed and rolled back: a repeat fails on that index, or earlier on a rule
 * (repeating a transfer that emptied the wallet fails for funds) or on a
 * wallet's lock held past its bound (the original needs no lock to be read,
 * and IDEMPOTENCY_CONFLICT comes before WALLET_BUSY), and is then
 * answered by `replayEarlier`, in one read: the replay of what holds the key,
 * or IDEMPOTENCY_CONFLICT. A failure with nothing under its key (null) stands,
 * so a refused attempt leaves no trace and its retry is judged afresh.
 */
async function attemptOnce<T>(
  attempt: () => Promise<T>,
  replayEarlier: (() => Promise<T | null>) | null,
): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    const repeatable =
      isUniqueViolation(error) || isLockTimeout(error) || error instanceof DomainError;
    if (replayEarlier === null || !repeatable) throw error;
    const replayed = await replayEarlier();
    if (replayed === null) throw error;
    return replayed;
  }
}
