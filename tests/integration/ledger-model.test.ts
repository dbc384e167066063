/**
 * Model-based: random sequences of deposits, withdrawals, transfers, replays,
 * conflicting replays and overdrafts run against the real ledger and a small
 * in-memory reference; after every step the balances match the model, the
 * audit finds nothing, and a refused command changed nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Services } from '../../src/context';
import type { UserRow, WalletRow } from '../../src/db/rows';
import { DomainError } from '../../src/errors';
import { audit } from '../../src/ledger/audit';
import { formatMinor } from '../../src/money/money';
import { databaseKinds, ledgerSnapshot, migratedDatabase } from '../helpers/databases';
import { createPerson, createProvider, reload } from '../helpers/ledger-fixtures';

const WALLETS = 3;

interface Model {
  balances: bigint[];
  /** reference -> what it did, for the provider's deposits and withdrawals */
  references: Map<string, string>;
  /** `${sender}:${key}` -> what it did */
  keys: Map<string, string>;
}

interface Real {
  services: Services;
  url: string;
  provider: UserRow;
  people: { user: UserRow; wallet: WalletRow }[];
}

type Outcome = 'ok' | 'replay' | string;

async function attempt(real: Real, run: () => Promise<unknown>): Promise<Outcome> {
  const before = await ledgerSnapshot(real.url);
  try {
    const result = (await run()) as { replayed: boolean };
    return result.replayed ? 'replay' : 'ok';
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    assert.equal(await ledgerSnapshot(real.url), before, `refused ${error.code} changed nothing`);
    return error.code;
  }
}

async function checkInvariants(model: Model, real: Real): Promise<void> {
  for (let i = 0; i < WALLETS; i++) {
    const wallet = await reload(real.services, real.people[i].wallet);
    assert.equal(wallet.balanceMinor, model.balances[i], `wallet ${i} balance`);
  }
  const report = await audit(real.services.db);
  assert.deepEqual(report.discrepancies, []);
  // Read two rows at a time, the audit crosses many batches and must say the same.
  assert.deepEqual(await audit(real.services.db, 2), report);
}

class External implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly type: 'deposit' | 'withdraw',
    readonly wallet: number,
    readonly amountMinor: bigint,
    readonly reference: string,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const signature = `${this.type}:${this.wallet}:${this.amountMinor}`;
    const earlier = model.references.get(this.reference);
    const outcome = await attempt(real, () =>
      real.services.ledger[this.type]({
        serviceUserId: real.provider.id,
        wallet: real.people[this.wallet].wallet,
        amount: formatMinor(this.amountMinor, 2),
        reference: this.reference,
        details: null,
      }),
    );
    if (earlier !== undefined) {
      assert.equal(outcome, earlier === signature ? 'replay' : 'IDEMPOTENCY_CONFLICT');
    } else if (this.type === 'withdraw' && model.balances[this.wallet] < this.amountMinor) {
      assert.equal(outcome, 'INSUFFICIENT_FUNDS');
    } else {
      assert.equal(outcome, 'ok');
      model.references.set(this.reference, signature);
      model.balances[this.wallet] += this.type === 'deposit' ? this.amountMinor : -this.amountMinor;
    }
    await checkInvariants(model, real);
  }
  toString = () => `${this.type}(w${this.wallet}, ${this.amountMinor}, ${this.reference})`;
}

class Transfer implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly from: number,
    readonly to: number,
    readonly amountMinor: bigint,
    readonly key: string | null,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const signature = `${this.to}:${this.amountMinor}`;
    const scopedKey = `${this.from}:${this.key}`;
    const earlier = this.key === null ? undefined : model.keys.get(scopedKey);
    const outcome = await attempt(real, () =>
      real.services.ledger.transfer({
        initiatorUserId: real.people[this.from].user.id,
        source: real.people[this.from].wallet,
        target: real.people[this.to].wallet,
        amount: formatMinor(this.amountMinor, 2),
        details: null,
        idempotencyKey: this.key,
      }),
    );
    if (this.from === this.to) {
      assert.equal(outcome, 'BAD_USER_INPUT');
    } else if (earlier !== undefined) {
      assert.equal(outcome, earlier === signature ? 'replay' : 'IDEMPOTENCY_CONFLICT');
    } else if (model.balances[this.from] < this.amountMinor) {
      assert.equal(outcome, 'INSUFFICIENT_FUNDS');
    } else {
      assert.equal(outcome, 'ok');
      if (this.key !== null) model.keys.set(scopedKey, signature);
      model.balances[this.from] -= this.amountMinor;
      model.balances[this.to] += this.amountMinor;
    }
    await checkInvariants(model, real);
  }
  toString = () => `transfer(w${this.from} -> w${this.to}, ${this.amountMinor}, ${this.key})`;
}

const wallet = fc.integer({ min: 0, max: WALLETS - 1 });
const amount = fc.bigInt({ min: 1n, max: 5_000n });
// Small pools, so replays and conflicting replays come up often.
const reference = fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5', 'r6');
const key = fc.option(fc.constantFrom('k1', 'k2', 'k3'), { nil: null });

const commands = fc.commands(
  [
    fc.tuple(wallet, amount, reference).map(([w, a, r]) => new External('deposit', w, a, r)),
    fc.tuple(wallet, amount, reference).map(([w, a, r]) => new External('withdraw', w, a, r)),
    fc.tuple(wallet, wallet, amount, key).map(([f, t, a, k]) => new Transfer(f, t, a, k)),
  ],
  { maxCommands: 30 },
);

for (const kind of databaseKinds()) {
  describe(`ledger model on ${kind}`, () => {
    it('agrees with the reference ledger after every step of any sequence', async () => {
      await fc.assert(
        fc.asyncProperty(commands, async (sequence) => {
          // A fresh database per run: the global audit then speaks of this run alone.
          const env = await migratedDatabase(kind);
          try {
            assert.equal(env.db.kind, kind);
            const real: Real = {
              services: env.services,
              url: env.url,
              provider: await createProvider(env.services),
              people: await Promise.all(
                Array.from({ length: WALLETS }, () => createPerson(env.services)),
              ),
            };
            const model: Model = {
              balances: Array.from({ length: WALLETS }, () => 0n),
              references: new Map(),
              keys: new Map(),
            };
            await fc.asyncModelRun(() => ({ model, real }), sequence);
          } finally {
            await env.close();
          }
        }),
        { numRuns: 25 },
      );
    });
  });
}
