/**
 * On PostgreSQL a movement waiting for a wallet's row lock holds one of the
 * process's pooled connections while it waits. Unbounded, the movements on
 * one busy wallet (a hot one, or one whose lock another process holds) take
 * every connection, and every other request of the process waits for the
 * pool behind them: measured on one instance, transfers between other
 * wallets went from 1,026/s to 10/s while one wallet's lock was held, some
 * failing after the pool's 5 s connection timeout (README → Design,
 * "A wallet's share of the pool").
 *
 * So the movements naming one wallet hold at most `perWallet` slots at once
 * (half the pool); the others wait here, in arrival order and holding no
 * connection, until their deadline, and are then WALLET_BUSY, as they would
 * be at the database. A movement takes its wallets' slots in lock order, so
 * two movements never wait for each other's slots.
 */
import assert from 'node:assert/strict';
import { walletBusy } from '../db/database';
import type { WalletId } from '../db/rows';

interface Waiter {
  resolve: () => void;
  timer: NodeJS.Timeout;
}

interface Slots {
  held: number;
  waiting: Waiter[];
}

/** Half the pool: a busy wallet leaves the other half to everything else. */
export function slotsPerWallet(poolSize: number): number {
  return Math.max(1, Math.floor(poolSize / 2));
}

export class WalletSlots {
  private readonly slots = new Map<WalletId, Slots>();

  constructor(readonly perWallet: number) {
    assert.ok(Number.isSafeInteger(perWallet) && perWallet >= 1, 'at least one slot per wallet');
  }

  /**
   * Runs `work` holding a slot of each wallet (`walletIds` distinct and in
   * lock order); WALLET_BUSY if the slots are not all had by `deadlineMs`.
   */
  async run<T>(
    walletIds: readonly WalletId[],
    deadlineMs: number,
    work: () => Promise<T>,
  ): Promise<T> {
    const taken: WalletId[] = [];
    try {
      for (const walletId of walletIds) {
        const wait = this.take(walletId, deadlineMs);
        if (wait !== null) await wait;
        taken.push(walletId);
      }
      return await work();
    } finally {
      for (const walletId of taken) this.give(walletId);
    }
  }

  /** Movements holding or waiting for a slot of this wallet (tests). */
  load(walletId: WalletId): { held: number; waiting: number } {
    const slots = this.slots.get(walletId);
    return { held: slots?.held ?? 0, waiting: slots?.waiting.length ?? 0 };
  }

  /** A slot at once (null), or a wait for one that fails at the deadline. */
  private take(walletId: WalletId, deadlineMs: number): Promise<void> | null {
    let slots = this.slots.get(walletId);
    if (slots === undefined) {
      slots = { held: 0, waiting: [] };
      this.slots.set(walletId, slots);
    }
    if (slots.held < this.perWallet) {
      slots.held++;
      return null;
    }
    const { waiting } = slots;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(
          () => {
            waiting.splice(waiting.indexOf(waiter), 1);
            reject(walletBusy());
          },
          Math.max(0, deadlineMs - Date.now()),
        ),
      };
      waiting.push(waiter);
    });
  }

  /** A slot given back passes to the first waiter, if any. */
  private give(walletId: WalletId): void {
    const slots = this.slots.get(walletId);
    assert.ok(slots !== undefined && slots.held > 0, `a slot of ${walletId} is held`);
    const next = slots.waiting.shift();
    if (next !== undefined) {
      clearTimeout(next.timer);
      next.resolve();
      return;
    }
    slots.held--;
    if (slots.held === 0) this.slots.delete(walletId);
  }
}
