/**
 * Model-based: random sequences of deposits, withdrawals, transfers, refunds
 * (in part or of all that is left), holds (authorized, captured in part or
 * whole, voided, expired), payment requests (asked, paid, paid twice at
 * once, declined, canceled, expired), replays,
 * conflicting replays and overdrafts run against the real ledger and a small
 * in-memory reference; after every step the balances and available balances
 * match the model (never below zero), every hold reads as the model says,
 * the audit finds nothing, the history (balanceAt, a statement) ends at the
 * balance, and a refused command changed nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Services } from '../../src/app/services';
import type { UserRow, WalletRow } from '../../src/domain/records';
import { DomainError } from '../../src/domain/errors';
import { audit } from '../../src/ledger/audit';
import { formatMinor } from '../../src/domain/money';
import { findHold, findPaymentRequest, findTransfer, pendingHeldMinor } from '../../src/db/queries';
import {
  cancelPaymentRequest,
  declinePaymentRequest,
  payPaymentRequest,
  requestPayment,
} from '../../src/app/payment-requests';
import type { Caller } from '../../src/domain/caller';
import {
  databaseKinds,
  executeOnDatabase,
  ledgerSnapshot,
  migratedDatabase,
} from '../../testkit/databases';
import { createPerson, createProvider, reload } from '../helpers/ledger-fixtures';
import { period } from '../../src/domain/period';
import { balanceAt, statementOf } from '../../src/app/statements';

const WALLETS = 3;
const STARTING_MINOR = 10_000n;

interface ModelHold {
  id: string;
  wallet: number;
  amountMinor: bigint;
  status: 'PENDING' | 'CAPTURED' | 'VOIDED' | 'EXPIRED';
  capturedMinor: bigint | null;
}

interface ModelTransfer {
  id: string;
  from: number;
  to: number;
  amountMinor: bigint;
  refundedMinor: bigint;
  isRefund: boolean;
}

interface ModelRequest {
  id: string;
  requester: number;
  payer: number;
  amountMinor: bigint;
  status: 'PENDING' | 'PAID' | 'DECLINED' | 'CANCELED' | 'EXPIRED';
}

interface Model {
  balances: bigint[];
  /** Every transfer made, refunds included, in order. */
  transfers: ModelTransfer[];
  /** reference -> what it did, for the provider's deposits, withdrawals and holds */
  references: Map<string, string>;
  /** `${sender}:${key}` -> what it did */
  keys: Map<string, string>;
  holds: ModelHold[];
  requests: ModelRequest[];
  /** `${requester}:${key}` -> `${payer}:${amount}:${request id}` */
  askKeys: Map<string, string>;
  /** `${payer}:${key}` -> the request its payment paid */
  payKeys: Map<string, string>;
  /** Events each answered movement must have written, by type. */
  events: Map<string, number>;
}

function expectEvent(model: Model, type: string): void {
  model.events.set(type, (model.events.get(type) ?? 0) + 1);
}

/** What a wallet can spend in the model: its balance less its pending holds. */
function available(model: Model, wallet: number): bigint {
  const held = model.holds
    .filter((hold) => hold.wallet === wallet && hold.status === 'PENDING')
    .reduce((sum, hold) => sum + hold.amountMinor, 0n);
  return model.balances[wallet] - held;
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
  const { db } = real.services;
  for (let i = 0; i < WALLETS; i++) {
    const wallet = await reload(real.services, real.people[i].wallet);
    assert.equal(wallet.balanceMinor, model.balances[i], `wallet ${i} balance`);
    const held = await db.read((sql) => pendingHeldMinor(sql, wallet.id));
    const availableMinor = wallet.balanceMinor - held;
    assert.equal(availableMinor, available(model, i), `wallet ${i} available balance`);
    assert.ok(availableMinor >= 0n, `wallet ${i} available balance is never negative`);
    // The history agrees: every operation so far is before a moment from now, and the
    // statement of the day around it starts from nothing and ends at the balance.
    const soon = Date.now() + 60_000;
    assert.equal(await balanceAt(db, wallet.id, soon), model.balances[i], `wallet ${i} balanceAt`);
    const day = await statementOf(db, wallet.id, period(soon - 86_400_000, soon));
    assert.deepEqual(
      [day.openingMinor, day.closingMinor, day.inMinor - day.outMinor],
      [0n, model.balances[i], model.balances[i]],
      `wallet ${i} statement`,
    );
  }
  for (const expected of model.holds) {
    const hold = await db.read((sql) => findHold(sql, expected.id));
    assert.equal(hold?.status, expected.status, `hold ${expected.id} status`);
    assert.equal(hold?.capturedMinor, expected.capturedMinor, `hold ${expected.id} captured`);
  }
  // The outbox: each answered movement wrote its event, nothing refused wrote one. A hold
  // stored as expired (released by a later movement on its wallet) wrote HOLD_EXPIRED.
  const written = await db.read((sql) =>
    sql.rows<{ type: string; n: unknown }>('SELECT type, COUNT(*) AS n FROM events GROUP BY type'),
  );
  const count = (type: string) => Number(written.find((row) => row.type === type)?.n ?? 0);
  // Every type either side knows of: an event written that the model did not expect fails too.
  const stored = new Set(['HOLD_EXPIRED', 'PAYMENT_REQUEST_EXPIRED']); // checked against rows below
  const types = new Set([...model.events.keys(), ...written.map((row) => row.type)]);
  for (const type of [...types].filter((t) => !stored.has(t))) {
    assert.equal(count(type), model.events.get(type) ?? 0, `${type} events`);
  }
  for (const expected of model.requests) {
    const request = await db.read((sql) => findPaymentRequest(sql, expected.id));
    assert.equal(request?.status, expected.status, `request ${expected.id} status`);
  }
  const [expiredRequests] = await db.read((sql) =>
    sql.rows<{ n: unknown }>("SELECT COUNT(*) AS n FROM payment_requests WHERE status = 'EXPIRED'"),
  );
  assert.equal(
    count('PAYMENT_REQUEST_EXPIRED'),
    Number(expiredRequests.n),
    'PAYMENT_REQUEST_EXPIRED events',
  );
  const [expiredHolds] = await db.read((sql) =>
    sql.rows<{ n: unknown }>("SELECT COUNT(*) AS n FROM holds WHERE status = 'EXPIRED'"),
  );
  assert.equal(count('HOLD_EXPIRED'), Number(expiredHolds.n), 'HOLD_EXPIRED events');
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
    } else if (this.type === 'withdraw' && available(model, this.wallet) < this.amountMinor) {
      assert.equal(outcome, 'INSUFFICIENT_FUNDS');
    } else {
      assert.equal(outcome, 'ok');
      model.references.set(this.reference, signature);
      model.balances[this.wallet] += this.type === 'deposit' ? this.amountMinor : -this.amountMinor;
      expectEvent(model, this.type === 'deposit' ? 'DEPOSIT_CREATED' : 'WITHDRAWAL_CREATED');
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
    let id: string | null = null;
    const outcome = await attempt(real, async () => {
      const result = await real.services.ledger.transfer({
        initiatorUserId: real.people[this.from].user.id,
        source: real.people[this.from].wallet,
        target: real.people[this.to].wallet,
        amount: formatMinor(this.amountMinor, 2),
        details: null,
        idempotencyKey: this.key,
      });
      id = result.transfer.id;
      return result;
    });
    if (this.from === this.to) {
      assert.equal(outcome, 'BAD_USER_INPUT');
    } else if (earlier !== undefined) {
      assert.equal(outcome, earlier === signature ? 'replay' : 'IDEMPOTENCY_CONFLICT');
    } else if (available(model, this.from) < this.amountMinor) {
      assert.equal(outcome, 'INSUFFICIENT_FUNDS');
    } else {
      assert.equal(outcome, 'ok');
      if (this.key !== null) model.keys.set(scopedKey, signature);
      model.balances[this.from] -= this.amountMinor;
      model.balances[this.to] += this.amountMinor;
      expectEvent(model, 'TRANSFER_CREATED');
      assert.ok(id !== null);
      model.transfers.push({
        id,
        from: this.from,
        to: this.to,
        amountMinor: this.amountMinor,
        refundedMinor: 0n,
        isRefund: false,
      });
    }
    await checkInvariants(model, real);
  }
  toString = () => `transfer(w${this.from} -> w${this.to}, ${this.amountMinor}, ${this.key})`;
}

/** The recipient of the n-th transfer refunds it: an amount, or all that is left when null. */
class Refund implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly n: number,
    readonly amountMinor: bigint | null,
    readonly key: string | null,
  ) {}
  check = (model: Readonly<Model>) => model.transfers.length > 0;
  async run(model: Model, real: Real) {
    const original = model.transfers[this.n % model.transfers.length];
    const scopedKey = `${original.to}:${this.key}`;
    const earlier = this.key === null ? undefined : model.keys.get(scopedKey);
    const row = await real.services.db.read((sql) => findTransfer(sql, original.id));
    assert.ok(row);
    assert.equal(row.refundedMinor, original.refundedMinor, 'refunded so far');
    let made: { id: string; amountMinor: bigint } | null = null;
    const outcome = await attempt(real, async () => {
      const result = await real.services.ledger.refund({
        initiatorUserId: real.people[original.to].user.id,
        original: row,
        source: real.people[original.to].wallet,
        target: real.people[original.from].wallet,
        amount: this.amountMinor === null ? null : formatMinor(this.amountMinor, 2),
        details: null,
        idempotencyKey: this.key,
      });
      made = { id: result.transfer.id, amountMinor: result.transfer.amountMinor };
      return result;
    });
    const remainingMinor = original.amountMinor - original.refundedMinor;
    const amountMinor = this.amountMinor ?? remainingMinor;
    if (original.isRefund) {
      assert.equal(outcome, 'BAD_USER_INPUT');
    } else if (earlier !== undefined) {
      const same =
        earlier.startsWith(`refund:${original.id}:`) &&
        (this.amountMinor === null || earlier === `refund:${original.id}:${this.amountMinor}`);
      assert.equal(outcome, same ? 'replay' : 'IDEMPOTENCY_CONFLICT');
    } else if (amountMinor === 0n || amountMinor > remainingMinor) {
      assert.equal(outcome, 'EXCEEDS_REMAINING');
    } else if (available(model, original.to) < amountMinor) {
      assert.equal(outcome, 'INSUFFICIENT_FUNDS');
    } else {
      assert.equal(outcome, 'ok');
      assert.ok(made !== null);
      const refund = made as { id: string; amountMinor: bigint };
      assert.equal(refund.amountMinor, amountMinor);
      if (this.key !== null) model.keys.set(scopedKey, `refund:${original.id}:${amountMinor}`);
      original.refundedMinor += amountMinor;
      expectEvent(model, 'REFUND_CREATED');
      model.balances[original.to] -= amountMinor;
      model.balances[original.from] += amountMinor;
      model.transfers.push({
        id: refund.id,
        from: original.to,
        to: original.from,
        amountMinor,
        refundedMinor: 0n,
        isRefund: true,
      });
    }
    await checkInvariants(model, real);
  }
  toString = () => `refund(transfer ${this.n}, ${this.amountMinor}, ${this.key})`;
}

class Authorize implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly wallet: number,
    readonly amountMinor: bigint,
    readonly reference: string,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const signature = `hold:${this.wallet}:${this.amountMinor}`;
    const earlier = model.references.get(this.reference);
    let id: string | null = null;
    const outcome = await attempt(real, async () => {
      const result = await real.services.ledger.authorizeHold({
        serviceUserId: real.provider.id,
        wallet: real.people[this.wallet].wallet,
        amount: formatMinor(this.amountMinor, 2),
        reference: this.reference,
        details: null,
        expiresInSeconds: 3600,
      });
      id = result.hold.id;
      return result;
    });
    if (earlier !== undefined) {
      assert.equal(outcome, earlier === signature ? 'replay' : 'IDEMPOTENCY_CONFLICT');
    } else if (available(model, this.wallet) < this.amountMinor) {
      assert.equal(outcome, 'INSUFFICIENT_FUNDS');
    } else {
      assert.equal(outcome, 'ok');
      assert.ok(id !== null);
      model.references.set(this.reference, signature);
      expectEvent(model, 'HOLD_AUTHORIZED');
      model.holds.push({
        id,
        wallet: this.wallet,
        amountMinor: this.amountMinor,
        status: 'PENDING',
        capturedMinor: null,
      });
    }
    await checkInvariants(model, real);
  }
  toString = () => `authorize(w${this.wallet}, ${this.amountMinor}, ${this.reference})`;
}

/** Captures (an amount, or the whole hold when null) or voids the n-th hold made so far. */
class Resolve implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly resolution: 'capture' | 'void',
    readonly n: number,
    readonly amountMinor: bigint | null,
  ) {}
  check = (model: Readonly<Model>) => model.holds.length > 0;
  async run(model: Model, real: Real) {
    const expected = model.holds[this.n % model.holds.length];
    const hold = await real.services.db.read((sql) => findHold(sql, expected.id));
    assert.ok(hold);
    const wallet = real.people[expected.wallet].wallet;
    const command = { serviceUserId: real.provider.id, hold, wallet };
    const outcome = await attempt(real, () =>
      this.resolution === 'capture'
        ? real.services.ledger.captureHold({
            ...command,
            amount: this.amountMinor === null ? null : formatMinor(this.amountMinor, 2),
          })
        : real.services.ledger.voidHold(command),
    );
    const amountMinor = this.amountMinor ?? expected.amountMinor;
    const same =
      this.resolution === 'capture'
        ? expected.status === 'CAPTURED' && expected.capturedMinor === amountMinor
        : expected.status === 'VOIDED';
    if (same) {
      assert.equal(outcome, 'replay');
    } else if (expected.status === 'EXPIRED') {
      assert.equal(outcome, 'EXPIRED');
    } else if (expected.status !== 'PENDING') {
      assert.equal(outcome, 'ALREADY_RESOLVED');
    } else if (this.resolution === 'capture' && amountMinor > expected.amountMinor) {
      assert.equal(outcome, 'EXCEEDS_REMAINING');
    } else {
      assert.equal(outcome, 'ok');
      if (this.resolution === 'capture') {
        expected.status = 'CAPTURED';
        expected.capturedMinor = amountMinor;
        model.balances[expected.wallet] -= amountMinor;
        expectEvent(model, 'HOLD_CAPTURED');
      } else {
        expected.status = 'VOIDED';
        expectEvent(model, 'HOLD_VOIDED');
      }
    }
    await checkInvariants(model, real);
  }
  toString = () => `${this.resolution}(hold ${this.n}, ${this.amountMinor})`;
}

/** The n-th hold's expiry comes (its time is moved, as the clock would move it). */
class Expire implements fc.AsyncCommand<Model, Real> {
  constructor(readonly n: number) {}
  check = (model: Readonly<Model>) => model.holds.length > 0;
  async run(model: Model, real: Real) {
    const expected = model.holds[this.n % model.holds.length];
    await executeOnDatabase(real.url, [
      `UPDATE holds SET expires_at = created_at WHERE id = '${expected.id}'`,
    ]);
    if (expected.status === 'PENDING') expected.status = 'EXPIRED';
    await checkInvariants(model, real);
  }
  toString = () => `expire(hold ${this.n})`;
}

/** What a person can do as themselves through the application functions. */
const callerOf = (real: Real, person: number): Caller => ({
  userId: real.people[person].user.id,
  role: 'USER',
});

/** The refusal a request that is no longer PENDING answers with. */
const closedOutcome = (request: ModelRequest) =>
  request.status === 'EXPIRED' ? 'EXPIRED' : 'ALREADY_RESOLVED';

/** One person asks another (or, refused, themselves) for an amount into their wallet. */
class Ask implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly requester: number,
    readonly payer: number,
    readonly amountMinor: bigint,
    readonly key: string | null,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const signature = `${this.payer}:${this.amountMinor}`;
    const scopedKey = `${this.requester}:${this.key}`;
    const earlier = this.key === null ? undefined : model.askKeys.get(scopedKey);
    let id: string | null = null;
    const outcome = await attempt(real, async () => {
      const request = await requestPayment(real.services, callerOf(real, this.requester), {
        payerEmail: real.people[this.payer].user.email,
        amount: formatMinor(this.amountMinor, 2),
        toWalletId: real.people[this.requester].wallet.id,
        idempotencyKey: this.key,
      });
      id = request.id;
      return { replayed: false };
    });
    if (this.requester === this.payer) {
      assert.equal(outcome, 'BAD_USER_INPUT');
    } else if (earlier !== undefined) {
      const same = earlier.startsWith(`${signature}:`);
      assert.equal(outcome, same ? 'ok' : 'IDEMPOTENCY_CONFLICT');
      if (same) assert.equal(`${signature}:${id}`, earlier, 'a repeat answers the first request');
    } else {
      assert.equal(outcome, 'ok');
      assert.ok(id !== null);
      if (this.key !== null) model.askKeys.set(scopedKey, `${signature}:${id}`);
      expectEvent(model, 'PAYMENT_REQUEST_CREATED');
      model.requests.push({
        id,
        requester: this.requester,
        payer: this.payer,
        amountMinor: this.amountMinor,
        status: 'PENDING',
      });
    }
    await checkInvariants(model, real);
  }
  toString = () => `ask(w${this.requester} of w${this.payer}, ${this.amountMinor}, ${this.key})`;
}

/** Pays a request as it is expected to be paid; the payment is a transfer like any other. */
function paid(model: Model, expected: ModelRequest, transferId: string): void {
  expected.status = 'PAID';
  model.balances[expected.payer] -= expected.amountMinor;
  model.balances[expected.requester] += expected.amountMinor;
  expectEvent(model, 'TRANSFER_CREATED');
  expectEvent(model, 'PAYMENT_REQUEST_PAID');
  model.transfers.push({
    id: transferId,
    from: expected.payer,
    to: expected.requester,
    amountMinor: expected.amountMinor,
    refundedMinor: 0n,
    isRefund: false,
  });
}

/** The payer of the n-th request pays it (its keys apart from transfers', so they never meet). */
class Pay implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly n: number,
    readonly key: string | null,
  ) {}
  check = (model: Readonly<Model>) => model.requests.length > 0;
  async run(model: Model, real: Real) {
    const expected = model.requests[this.n % model.requests.length];
    const scopedKey = `${expected.payer}:${this.key}`;
    const earlier = this.key === null ? undefined : model.payKeys.get(scopedKey);
    let transferId: string | null = null;
    const outcome = await attempt(real, async () => {
      const result = await payPaymentRequest(real.services, callerOf(real, expected.payer), {
        id: expected.id,
        idempotencyKey: this.key,
      });
      transferId = result.transfer.id;
      return result;
    });
    if (earlier !== undefined) {
      assert.equal(outcome, earlier === expected.id ? 'replay' : 'IDEMPOTENCY_CONFLICT');
    } else if (expected.status !== 'PENDING') {
      assert.equal(outcome, closedOutcome(expected));
    } else if (available(model, expected.payer) < expected.amountMinor) {
      assert.equal(outcome, 'INSUFFICIENT_FUNDS');
    } else {
      assert.equal(outcome, 'ok');
      assert.ok(transferId !== null);
      if (this.key !== null) model.payKeys.set(scopedKey, expected.id);
      paid(model, expected, transferId);
    }
    await checkInvariants(model, real);
  }
  toString = () => `pay(request ${this.n}, ${this.key})`;
}

/** The payer pays the n-th request twice at the same moment: it is paid once at most. */
class RacingPays implements fc.AsyncCommand<Model, Real> {
  constructor(readonly n: number) {}
  check = (model: Readonly<Model>) => model.requests.length > 0;
  async run(model: Model, real: Real) {
    const expected = model.requests[this.n % model.requests.length];
    const pay = () =>
      payPaymentRequest(real.services, callerOf(real, expected.payer), { id: expected.id }).then(
        (result) => result.transfer.id,
        (error: unknown) => {
          if (!(error instanceof DomainError)) throw error;
          return error.code;
        },
      );
    const outcomes = await Promise.all([pay(), pay()]);
    const transferIds = outcomes.filter((outcome) => !/^[A-Z_]+$/.test(outcome));
    if (expected.status !== 'PENDING') {
      assert.deepEqual(outcomes, [closedOutcome(expected), closedOutcome(expected)]);
    } else if (available(model, expected.payer) < expected.amountMinor) {
      assert.deepEqual(outcomes, ['INSUFFICIENT_FUNDS', 'INSUFFICIENT_FUNDS']);
    } else {
      assert.equal(transferIds.length, 1, `paid once: ${outcomes}`);
      assert.ok(outcomes.includes('ALREADY_RESOLVED'), `the other found it paid: ${outcomes}`);
      paid(model, expected, transferIds[0]);
    }
    await checkInvariants(model, real);
  }
  toString = () => `racingPays(request ${this.n})`;
}

/** Its payer declines, or its requester cancels, the n-th request: final. */
class Close implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly closing: 'DECLINED' | 'CANCELED',
    readonly n: number,
  ) {}
  check = (model: Readonly<Model>) => model.requests.length > 0;
  async run(model: Model, real: Real) {
    const expected = model.requests[this.n % model.requests.length];
    const outcome = await attempt(real, async () => {
      if (this.closing === 'DECLINED') {
        await declinePaymentRequest(real.services, callerOf(real, expected.payer), expected.id);
      } else {
        await cancelPaymentRequest(real.services, callerOf(real, expected.requester), expected.id);
      }
      return { replayed: false };
    });
    if (expected.status === this.closing) {
      assert.equal(outcome, 'ok', 'the same again answers the request as it is');
    } else if (expected.status !== 'PENDING') {
      assert.equal(outcome, closedOutcome(expected));
    } else {
      assert.equal(outcome, 'ok');
      expected.status = this.closing;
      expectEvent(
        model,
        this.closing === 'DECLINED' ? 'PAYMENT_REQUEST_DECLINED' : 'PAYMENT_REQUEST_CANCELED',
      );
    }
    await checkInvariants(model, real);
  }
  toString = () => `${this.closing.toLowerCase()}(request ${this.n})`;
}

/** The n-th request's expiry comes (its time is moved, as the clock would move it). */
class ExpireRequest implements fc.AsyncCommand<Model, Real> {
  constructor(readonly n: number) {}
  check = (model: Readonly<Model>) => model.requests.length > 0;
  async run(model: Model, real: Real) {
    const expected = model.requests[this.n % model.requests.length];
    await executeOnDatabase(real.url, [
      `UPDATE payment_requests SET expires_at = created_at WHERE id = '${expected.id}'`,
    ]);
    if (expected.status === 'PENDING') expected.status = 'EXPIRED';
    await checkInvariants(model, real);
  }
  toString = () => `expireRequest(request ${this.n})`;
}

const wallet = fc.integer({ min: 0, max: WALLETS - 1 });
const amount = fc.bigInt({ min: 1n, max: 5_000n });
// Small pools, so replays and conflicting replays come up often.
const reference = fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5', 'r6');
const key = fc.option(fc.constantFrom('k1', 'k2', 'k3'), { nil: null });
const nth = fc.nat({ max: 20 });
const payKey = fc.option(fc.constantFrom('p1', 'p2'), { nil: null });

const commands = fc.commands(
  [
    fc.tuple(wallet, amount, reference).map(([w, a, r]) => new External('deposit', w, a, r)),
    fc.tuple(wallet, amount, reference).map(([w, a, r]) => new External('withdraw', w, a, r)),
    fc.tuple(wallet, wallet, amount, key).map(([f, t, a, k]) => new Transfer(f, t, a, k)),
    fc.tuple(wallet, amount, reference).map(([w, a, r]) => new Authorize(w, a, r)),
    fc.tuple(nth, fc.option(amount, { nil: null })).map(([n, a]) => new Resolve('capture', n, a)),
    nth.map((n) => new Resolve('void', n, null)),
    nth.map((n) => new Expire(n)),
    fc.tuple(nth, fc.option(amount, { nil: null }), key).map(([n, a, k]) => new Refund(n, a, k)),
    fc.tuple(wallet, wallet, amount, key).map(([r, p, a, k]) => new Ask(r, p, a, k)),
    fc.tuple(nth, payKey).map(([n, k]) => new Pay(n, k)),
    nth.map((n) => new RacingPays(n)),
    nth.map((n) => new Close('DECLINED', n)),
    nth.map((n) => new Close('CANCELED', n)),
    nth.map((n) => new ExpireRequest(n)),
  ],
  // Long enough sequences that holds are made, then captured, voided or expired.
  { maxCommands: 40, size: 'large' },
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
            // Each wallet starts with money (references outside the pool), so holds are made often.
            for (const [i, person] of real.people.entries()) {
              await env.services.ledger.deposit({
                serviceUserId: real.provider.id,
                wallet: person.wallet,
                amount: formatMinor(STARTING_MINOR, 2),
                reference: `start-${i}`,
                details: null,
              });
            }
            const model: Model = {
              balances: Array.from({ length: WALLETS }, () => STARTING_MINOR),
              references: new Map(),
              keys: new Map(),
              holds: [],
              requests: [],
              askKeys: new Map(),
              payKeys: new Map(),
              transfers: [],
              events: new Map([['DEPOSIT_CREATED', WALLETS]]),
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
