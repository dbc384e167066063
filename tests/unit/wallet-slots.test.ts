import assert from 'node:assert/strict';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '../../src/domain/errors';
import type { WalletId } from '../../src/domain/ids';
import { lockOrder } from '../../src/ledger/locks';
import { WalletSlots, queuedPasses } from '../../src/ledger/wallet-slots';

const WALLETS = ['w1', 'w2', 'w3', 'w4', 'w5'] as WalletId[];
const FAR_MS = 60_000; // no movement here waits that long unless it is meant to

/** A movement whose work lasts until `end` is called. */
function held(slots: WalletSlots, wallets: WalletId[], deadlineMs = Date.now() + FAR_MS) {
  let end!: () => void;
  let started = false;
  const done = slots.run(lockOrder(wallets), deadlineMs, async () => {
    started = true;
    await new Promise<void>((resolve) => (end = resolve));
    return 'ran';
  });
  return { done, end: () => end(), started: () => started };
}

async function assertBusy(movement: Promise<unknown>): Promise<void> {
  await assert.rejects(movement, (error: unknown) => {
    assert.ok(error instanceof DomainError);
    assert.equal(error.code, 'WALLET_BUSY');
    return true;
  });
}

/** The largest number of the movements no two of which share a wallet (brute force; a handful at most). */
function mostWithoutSharing(movements: WalletId[][]): number {
  let best = 0;
  for (let mask = 0; mask < 1 << movements.length; mask++) {
    const chosen = movements.filter((_, i) => mask & (1 << i));
    const wallets = chosen.flat();
    if (new Set(wallets).size === wallets.length) best = Math.max(best, chosen.length);
  }
  return best;
}

describe('busy wallets’ share of the pool', () => {
  it('with one busy wallet’s first movement, the passes make half the pool', () => {
    assert.deepEqual([1, 2, 3, 4, 10, 11, 20].map(queuedPasses), [0, 0, 0, 1, 4, 4, 9]);
  });

  // A movement that never gets its wallets would wait FAR_MS: the timeout makes that a failure.
  it(
    'never lets more movements than there are passes run behind another on a wallet; every movement runs; one on idle wallets runs at once',
    { timeout: 30_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 3 }),
          fc.array(
            fc.record({
              wallets: fc.uniqueArray(fc.constantFrom(...WALLETS), { minLength: 1, maxLength: 2 }),
              // How many event-loop turns after the start the movement arrives, and how many its work lasts.
              arrives: fc.integer({ min: 0, max: 3 }),
              turns: fc.integer({ min: 0, max: 4 }),
            }),
            { minLength: 1, maxLength: 40 },
          ),
          async (passes, movements) => {
            const slots = new WalletSlots(passes);
            const inside = new Set<WalletId[]>(); // movements that called run and have not ended
            const running = new Set<WalletId[]>();
            let mostBehind = 0;
            let done = 0;
            const deadlineMs = Date.now() + FAR_MS;
            await Promise.all(
              movements.map(async ({ wallets, arrives, turns }) => {
                for (let i = 0; i < arrives; i++) await nextTurn();
                const idle = [...inside].every((other) => !other.some((w) => wallets.includes(w)));
                inside.add(wallets);
                let started = false;
                const movement = slots.run(lockOrder(wallets), deadlineMs, async () => {
                  started = true;
                  running.add(wallets);
                  // Running movements that must wait at the database behind another on a wallet.
                  mostBehind = Math.max(
                    mostBehind,
                    running.size - mostWithoutSharing([...running]),
                  );
                  for (let i = 0; i < turns; i++) await nextTurn();
                  running.delete(wallets);
                  done++;
                });
                if (idle) assert.ok(started, 'a movement on idle wallets never waits');
                await movement;
                inside.delete(wallets);
              }),
            );
            assert.ok(
              mostBehind <= passes,
              `${mostBehind} behind another at once, ${passes} passes`,
            );
            assert.equal(done, movements.length);
            for (const w of WALLETS) {
              assert.deepEqual(slots.load(w), { users: 0, waiting: 0, passesInUse: 0 });
            }
          },
        ),
        { numRuns: 300 },
      );
    },
  );

  it('lets a movement on after its own wallets’ movements end, while busy wallets keep every pass', async () => {
    const slots = new WalletSlots(1);
    const [a, b, c, x, y] = WALLETS;
    // A's lock is held elsewhere: its first movement and the one with the pass never end here.
    const aFirst = held(slots, [a, b]);
    const aPassed = held(slots, [a, c]);
    assert.ok(aFirst.started() && aPassed.started());
    assert.equal(slots.load(a).passesInUse, 1);
    // A second busy wallet gets its first movement through, no more.
    const xFirst = held(slots, [x]);
    const xSecond = held(slots, [x]);
    assert.ok(xFirst.started() && !xSecond.started());
    // A transfer on Y, idle, goes at once; one behind it on Y waits only for it.
    const yFirst = held(slots, [y, b]);
    assert.ok(!yFirst.started(), 'B is held by A’s first movement');
    aFirst.end();
    assert.equal(await aFirst.done, 'ran');
    assert.ok(yFirst.started(), 'B is free of other movements again');
    const ySecond = held(slots, [y]);
    assert.ok(!ySecond.started());
    yFirst.end();
    await yFirst.done;
    assert.ok(ySecond.started(), 'Y is free of other movements again');
    ySecond.end();
    xFirst.end();
    aPassed.end();
    await Promise.all([ySecond.done, xFirst.done, aPassed.done]);
    assert.ok(xSecond.started());
    xSecond.end();
    assert.equal(await xSecond.done, 'ran');
    for (const w of WALLETS)
      assert.deepEqual(slots.load(w), { users: 0, waiting: 0, passesInUse: 0 });
  });

  it('is WALLET_BUSY at the deadline for a movement still waiting, and leaves nothing held', async () => {
    const slots = new WalletSlots(0);
    const [a, b] = WALLETS;
    const holder = held(slots, [b]);
    const startedMs = Date.now();
    await assertBusy(slots.run([a, b], startedMs + 50, async () => 'ran'));
    assert.ok(Date.now() - startedMs >= 45, 'not before its deadline');
    assert.deepEqual(slots.load(a), { users: 0, waiting: 0, passesInUse: 0 }, 'A was given back');
    assert.deepEqual(slots.load(b), { users: 1, waiting: 0, passesInUse: 0 });

    // Behind the holder, a later movement gets B once it is given back.
    const next = held(slots, [b]);
    await sleep(10);
    assert.deepEqual(slots.load(b), { users: 1, waiting: 1, passesInUse: 0 });
    holder.end();
    await holder.done;
    assert.ok(next.started());
    next.end();
    assert.equal(await next.done, 'ran');
    assert.deepEqual(slots.load(b), { users: 0, waiting: 0, passesInUse: 0 });
  });

  it('gives the wallets and the pass back when the work throws', async () => {
    const slots = new WalletSlots(1);
    const [a, b] = WALLETS;
    const holder = held(slots, [a]);
    await assert.rejects(
      slots.run([a, b], Date.now() + FAR_MS, async () => {
        throw new Error('refused');
      }),
      /refused/,
    );
    assert.deepEqual(slots.load(a), { users: 1, waiting: 0, passesInUse: 0 });
    assert.deepEqual(slots.load(b), { users: 0, waiting: 0, passesInUse: 0 });
    holder.end();
    await holder.done;
  });
});
