/**
 * On PostgreSQL a movement waiting for a wallet's row lock holds one of the
 * process's pooled connections while it waits. Unbounded, the movements on
 * one busy wallet (a hot one, or one whose lock another process holds) take
 * every connection, and every other request of the process waits for the
 * pool behind them: measured on one instance, transfers between other
 * wallets went from 1,026/s to 10/s while one wallet's lock was held, some
 * failing after the pool's 5 s connection timeout (docs/design.md,
 * "Busy wallets' share of the pool").
 *
 * So a movement that would queue at the database behind another of the
 * process's movements on one of its wallets needs a pass, and the process
 * has a fixed number of passes (`queuedPasses`: with the busy wallet's own
 * first movement, half the pool). A movement without a pass waits here, in
 * arrival order and holding no connection, until a pass is free or its
 * wallets are free of the process's other movements, and is WALLET_BUSY at
 * its deadline, as it would be at the database. A movement on wallets no
 * other movement of the process uses never waits here. The passes are shared
 * by all wallets, so several busy wallets together hold at most one
 * connection each beyond them. A movement takes its wallets in lock order,
 * so two movements never wait for each other.
 */
import assert from 'node:assert/strict';
import { walletBusy } from '../db/errors';
import type { WalletId } from '../domain/ids';

interface Movement {
  readonly walletIds: readonly WalletId[];
  /** How many of `walletIds` it holds, the first ones in lock order. */
  taken: number;
  hasPass: boolean;
}

interface Waiter {
  readonly movement: Movement;
  readonly resolve: () => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Passes for a pool of `poolSize` connections: one busy wallet's first
 * movement plus the passes make half the pool, which leaves the other half
 * to everything else (docs/design.md).
 */
export function queuedPasses(poolSize: number): number {
  return Math.max(0, Math.floor(poolSize / 2) - 1);
}

export class WalletSlots {
  /** Movements holding each wallet, running or still taking their later wallets. */
  private readonly users = new Map<WalletId, number>();
  private readonly waiters: Waiter[] = [];
  private passesInUse = 0;

  constructor(readonly passes: number) {
    assert.ok(Number.isSafeInteger(passes) && passes >= 0, 'a whole number of passes');
  }

  /**
   * Runs `work` holding each of `walletIds` (distinct and in lock order);
   * WALLET_BUSY if they are not all had by `deadlineMs`.
   */
  async run<T>(
    walletIds: readonly WalletId[],
    deadlineMs: number,
    work: () => Promise<T>,
  ): Promise<T> {
    const movement: Movement = { walletIds, taken: 0, hasPass: false };
    try {
      if (!this.advance(movement)) await this.waitFor(movement, deadlineMs);
      return await work();
    } finally {
      this.release(movement);
    }
  }

  /** Movements holding or waiting for this wallet, and passes in use (tests). */
  load(walletId: WalletId): { users: number; waiting: number; passesInUse: number } {
    return {
      users: this.users.get(walletId) ?? 0,
      waiting: this.waiters.filter((w) => w.movement.walletIds.includes(walletId)).length,
      passesInUse: this.passesInUse,
    };
  }

  /**
   * Takes the movement's next wallets while it may: a wallet no other movement
   * holds, or any wallet once it has a pass. True when it holds them all.
   */
  private advance(movement: Movement): boolean {
    const { walletIds } = movement;
    while (movement.taken < walletIds.length) {
      const walletId = walletIds[movement.taken];
      const users = this.users.get(walletId) ?? 0;
      if (users > 0 && !movement.hasPass) {
        if (this.passesInUse === this.passes) return false;
        this.passesInUse++;
        movement.hasPass = true;
      }
      this.users.set(walletId, users + 1);
      movement.taken++;
    }
    return true;
  }

  /** Waits until `advance` takes the rest of the movement's wallets; WALLET_BUSY at the deadline. */
  private waitFor(movement: Movement, deadlineMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        movement,
        resolve,
        timer: setTimeout(
          () => {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            reject(walletBusy());
          },
          Math.max(0, deadlineMs - Date.now()),
        ),
      };
      this.waiters.push(waiter);
    });
  }

  /** Gives back what the movement holds, then lets waiters on, oldest first. */
  private release(movement: Movement): void {
    for (let i = 0; i < movement.taken; i++) {
      const walletId = movement.walletIds[i];
      const users = this.users.get(walletId);
      assert.ok(users !== undefined && users > 0, `${walletId} is held`);
      if (users === 1) this.users.delete(walletId);
      else this.users.set(walletId, users - 1);
    }
    movement.taken = 0;
    if (movement.hasPass) {
      this.passesInUse--;
      movement.hasPass = false;
    }
    for (let i = 0; i < this.waiters.length;) {
      const waiter = this.waiters[i];
      if (!this.advance(waiter.movement)) {
        i++;
        continue;
      }
      this.waiters.splice(i, 1);
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }
}
