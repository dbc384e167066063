import assert from 'node:assert/strict';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '../../src/errors';
import type { WalletId } from '../../src/db/rows';
import { lockOrder } from '../../src/ledger/locks';
import { WalletSlots, slotsPerWallet } from '../../src/ledger/wallet-slots';

const WALLETS = ['w1', 'w2', 'w3', 'w4'] as WalletId[];

describe('a wallet’s share of the pool', () => {
  it('is half the pool, and at least one slot', () => {
    assert.deepEqual([1, 2, 3, 10, 11, 20].map(slotsPerWallet), [1, 1, 1, 5, 5, 10]);
  });

  it('never lets more than its share of movements on one wallet run at once, and every movement runs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(
          fc.record({
            wallets: fc.uniqueArray(fc.constantFrom(...WALLETS), { minLength: 1, maxLength: 2 }),
            // How many event-loop turns after the start the movement arrives, and how many its work lasts.
            arrives: fc.integer({ min: 0, max: 3 }),
            turns: fc.integer({ min: 0, max: 4 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        async (perWallet, movements) => {
          const slots = new WalletSlots(perWallet);
          const running = new Map<WalletId, number>();
          let mostAtOnce = 0;
          let done = 0;
          const deadlineMs = Date.now() + 60_000; // no movement waits that long here
          await Promise.all(
            movements.map(async ({ wallets, arrives, turns }) => {
              for (let i = 0; i < arrives; i++) await nextTurn();
              return slots.run(lockOrder(wallets), deadlineMs, async () => {
                for (const w of wallets) running.set(w, (running.get(w) ?? 0) + 1);
                mostAtOnce = Math.max(mostAtOnce, ...wallets.map((w) => running.get(w) ?? 0));
                for (let i = 0; i < turns; i++) await nextTurn();
                for (const w of wallets) running.set(w, (running.get(w) ?? 0) - 1);
                done++;
              });
            }),
          );
          assert.ok(mostAtOnce <= perWallet, `${mostAtOnce} at once, share ${perWallet}`);
          assert.equal(done, movements.length);
          for (const w of WALLETS) assert.deepEqual(slots.load(w), { held: 0, waiting: 0 });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is WALLET_BUSY at the deadline for a movement still waiting, and leaves nothing held', async () => {
    const slots = new WalletSlots(1);
    const [a, b] = WALLETS;
    let release!: () => void;
    const holder = slots.run(
      [a],
      Date.now() + 60_000,
      () => new Promise<void>((r) => (release = r)),
    );
    const startedMs = Date.now();
    const waiter = slots.run([a, b], startedMs + 50, async () => 'ran');
    await assert.rejects(waiter, (error: unknown) => {
      assert.ok(error instanceof DomainError);
      assert.equal(error.code, 'WALLET_BUSY');
      return true;
    });
    assert.ok(Date.now() - startedMs >= 45, 'not before its deadline');
    assert.deepEqual(slots.load(a), { held: 1, waiting: 0 });
    assert.deepEqual(slots.load(b), { held: 0, waiting: 0 }, 'b was never taken');

    // Behind the holder, a later movement gets the slot once it is given back.
    const next = slots.run([a], Date.now() + 60_000, async () => 'ran');
    await sleep(10);
    assert.deepEqual(slots.load(a), { held: 1, waiting: 1 });
    release();
    await holder;
    assert.equal(await next, 'ran');
    assert.deepEqual(slots.load(a), { held: 0, waiting: 0 });
  });

  it('gives the slots back when the work throws', async () => {
    const slots = new WalletSlots(1);
    const [a, b] = WALLETS;
    await assert.rejects(
      slots.run([a, b], Date.now() + 60_000, async () => {
        throw new Error('refused');
      }),
      /refused/,
    );
    assert.deepEqual(slots.load(a), { held: 0, waiting: 0 });
    assert.deepEqual(slots.load(b), { held: 0, waiting: 0 });
  });
});
