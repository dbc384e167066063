/**
 * Paying a payment request: one transfer from the payer to the requester,
 * and the request PAID in the same transaction, once. The request's
 * conditional UPDATE (payment-requests.ts) is what decides between a pay, a
 * decline and a cancel at the same moment; a payment that loses rolls back
 * with its transfer.
 */
import assert from 'node:assert/strict';
import type { WalletIdentity } from '../../domain/records';
import { findPaymentRequest, findTransferByKey } from '../../db/queries';
import type { PaymentRequestRow } from '../../domain/records';
import type { UserId } from '../../domain/ids';
import { DomainError } from '../../domain/errors';
import { resolvePaymentRequest, unresolvable, whyUnresolvable } from '../payment-requests';
import { paymentRequestEvent, transferEvent } from '../event-data';
import { type Movement } from '../movement';
import { idempotencyConflict } from '../../domain/errors';
import { movementTime } from '../legs';
import { newTransferRows, postTransfer, transferReplay } from './transfer';
import type { PayRequestResult } from '../../domain/records';

export interface PayRequestCommand {
  payerUserId: UserId;
  /** The request as read before the wallets were locked; its status is checked again in the transaction. */
  request: PaymentRequestRow;
  source: WalletIdentity;
  target: WalletIdentity;
  idempotencyKey: string | null;
}

export function payRequestMovement(
  command: PayRequestCommand,
  precision: number,
): Movement<PayRequestResult> {
  const { request, source, target, idempotencyKey } = command;
  // The money's direction is the request's, whoever builds the command: from a
  // wallet of its payer's (the one asked, or another of theirs) to the wallet
  // its requester named.
  assert.equal(command.payerUserId, request.payerUserId, 'only its payer pays a request');
  assert.equal(source.userId, request.payerUserId, "a request is paid from its payer's wallet");
  assert.equal(target.id, request.requesterWalletId, 'a request pays the wallet it names');
  if (source.currency !== request.currency) {
    throw new DomainError(
      'CURRENCY_MISMATCH',
      `The request is in ${request.currency} and the paying wallet holds ${source.currency}.`,
    );
  }
  return {
    kind: 'payment',
    walletIds: [source.id, target.id],
    events: (result) => [
      transferEvent(result.transfer, precision),
      paymentRequestEvent('PAYMENT_REQUEST_PAID', result.request, precision),
    ],
    replay:
      idempotencyKey === null
        ? null
        : async (sql) => {
            const existing = await findTransferByKey(sql, command.payerUserId, idempotencyKey);
            if (existing === null) return null;
            const now = await findPaymentRequest(sql, request.id);
            if (now === null || now.transferId !== existing.id) {
              throw idempotencyConflict('idempotency key');
            }
            return { ...(await transferReplay(sql, existing)), request: now };
          },
    async write(sql, wallets) {
      // Resolved already: said before anything else (the contract's order).
      // A request never becomes PENDING again, so the read before the locks is enough to say it.
      if (request.status !== 'PENDING') throw unresolvable(request);
      const rows = newTransferRows(
        {
          initiatorUserId: command.payerUserId,
          source,
          target,
          details: request.details,
          idempotencyKey,
        },
        request.amountMinor,
        movementTime(wallets),
      );
      let paid;
      try {
        paid = await postTransfer(sql, wallets, source.id, rows);
      } catch (error) {
        // Refused before it wrote anything; if the request was resolved meanwhile, that comes first.
        if (!(error instanceof DomainError)) throw error;
        throw (await whyUnresolvable(sql, request.id)) ?? error;
      }
      const after = await resolvePaymentRequest(sql, request, 'PAID', paid.transfer.id);
      // Declined, canceled or expired since it was read: this payment rolls back.
      if (after === null) {
        throw (
          (await whyUnresolvable(sql, request.id)) ??
          assert.fail('a request its conditional UPDATE left alone is resolved or expired')
        );
      }
      return { ...paid, request: after };
    },
  };
}
