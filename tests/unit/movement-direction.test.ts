/**
 * The direction of money is the movement kind's own rule, not its caller's:
 * a refund goes back from the original's recipient to its sender, a paid
 * request from its payer's wallet to the wallet its requester named. A
 * command built the wrong way round is a programmer's error, refused before
 * anything is read or written.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaymentRequestId, UserId, WalletId } from '../../src/domain/ids';
import type { PaymentRequestRow, TransferRow, WalletIdentity } from '../../src/domain/records';
import { payRequestMovement } from '../../src/ledger/movements/pay-request';
import { refundMovement } from '../../src/ledger/movements/refund';

const wallet = (id: string, userId: string): WalletIdentity => ({
  id: id as WalletId,
  userId: userId as UserId,
  currency: 'USD',
});
const ada = wallet('w-ada', 'u-ada');
const adaOther = wallet('w-ada-2', 'u-ada');
const bob = wallet('w-bob', 'u-bob');
const eve = wallet('w-eve', 'u-eve');

/** Ada paid Bob. */
const original: TransferRow = {
  seq: 1n,
  id: 't-1',
  fromWalletId: ada.id,
  toWalletId: bob.id,
  amountMinor: 1000n,
  currency: 'USD',
  details: null,
  initiatorUserId: ada.userId,
  idempotencyKey: null,
  refundOf: null,
  refundedMinor: 0n,
  createdAtMs: 0,
};

/** Bob asks Ada for money into his wallet. */
const request: PaymentRequestRow = {
  seq: 1n,
  id: 'r-1' as PaymentRequestId,
  requesterUserId: bob.userId,
  requesterWalletId: bob.id,
  requesterName: 'Bob',
  payerUserId: ada.userId,
  payerWalletId: ada.id,
  payerName: 'Ada',
  amountMinor: 800n,
  currency: 'USD',
  details: null,
  status: 'PENDING',
  idempotencyKey: null,
  expiresAtMs: 0,
  createdAtMs: 0,
  resolvedAtMs: null,
  transferId: null,
};

const refundOf = (source: WalletIdentity, target: WalletIdentity) =>
  refundMovement(
    {
      initiatorUserId: bob.userId,
      original,
      source,
      target,
      amount: null,
      details: null,
      idempotencyKey: null,
    },
    2,
  );

const payment = (source: WalletIdentity, target: WalletIdentity, payer = ada.userId) =>
  payRequestMovement({ payerUserId: payer, request, source, target, idempotencyKey: null }, 2);

describe('the direction of money, in the movement kinds', () => {
  it('a refund goes from the recipient back to the sender, and no other way', () => {
    assert.deepEqual(refundOf(bob, ada).walletIds, [bob.id, ada.id]);
    for (const [source, target] of [
      [ada, bob],
      [bob, eve],
      [eve, ada],
    ]) {
      assert.throws(() => refundOf(source, target), assert.AssertionError);
    }
  });

  it("a request is paid from its payer's wallets into the wallet it names", () => {
    assert.deepEqual(payment(ada, bob).walletIds, [ada.id, bob.id]);
    assert.deepEqual(payment(adaOther, bob).walletIds, [adaOther.id, bob.id]);
    for (const [source, target, payer] of [
      [bob, ada, ada.userId],
      [eve, bob, ada.userId],
      [ada, eve, ada.userId],
      [ada, bob, eve.userId],
    ] as const) {
      assert.throws(() => payment(source, target, payer), assert.AssertionError);
    }
  });
});
