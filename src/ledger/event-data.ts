/** The events each movement kind reports: its type, the wallets it concerns, who may read it. */
import type { HoldRow, OperationRow, PaymentRequestRow, TransferRow } from '../domain/records';
import type { UserId } from '../domain/ids';
import type { EventType } from '../domain/event-types';
import {
  holdPayload,
  operationPayload,
  paymentRequestPayload,
  transferPayload,
} from './event-payloads';
import type { NewEvent } from './events';

/** A deposit's or withdrawal's: the service account's. */
export function externalEvent(op: OperationRow, precision: number): NewEvent {
  return {
    type: op.type === 'DEPOSIT' ? 'DEPOSIT_CREATED' : 'WITHDRAWAL_CREATED',
    walletIds: [op.walletId],
    ownerUserId: op.initiatorUserId,
    data: { operation: operationPayload(op, precision) },
  };
}

/** A transfer's or refund's: between people, for admins. */
export function transferEvent(
  transfer: Omit<TransferRow, 'seq' | 'refundedMinor'>,
  precision: number,
): NewEvent {
  return {
    type: transfer.refundOf === null ? 'TRANSFER_CREATED' : 'REFUND_CREATED',
    walletIds: [transfer.fromWalletId, transfer.toWalletId],
    ownerUserId: null,
    data: { transfer: transferPayload(transfer, precision) },
  };
}

/** A hold's, with the capture's WITHDRAWAL when there is one: the service account's. */
export function holdEvent(
  type: Extract<EventType, `HOLD_${string}`>,
  hold: HoldRow,
  precision: number,
  capture: OperationRow | null = null,
): NewEvent {
  return {
    type,
    walletIds: [hold.walletId],
    ownerUserId: hold.serviceUserId,
    data: {
      hold: holdPayload(hold, precision),
      ...(capture === null ? {} : { operation: operationPayload(capture, precision) }),
    },
  };
}

/** A payment request's: between people, for admins. */
export function paymentRequestEvent(
  type: Extract<EventType, `PAYMENT_REQUEST_${string}`>,
  request: PaymentRequestRow,
  precision: number,
): NewEvent {
  return {
    type,
    walletIds: [request.requesterWalletId, request.payerWalletId],
    ownerUserId: null as UserId | null,
    data: { paymentRequest: paymentRequestPayload(request, precision) },
  };
}
