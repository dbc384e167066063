/**
 * What an event says of the thing it reports: the same fields, in the same
 * shapes (amounts as decimal strings, times as ISO 8601), as the API shows.
 */
import type { HoldRow, OperationRow, PaymentRequestRow, TransferRow } from '../domain/records';
import { formatMinor } from '../domain/money';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function operationPayload(op: OperationRow, precision: number) {
  return {
    id: op.id,
    walletId: op.walletId,
    type: op.type,
    amount: formatMinor(op.amountMinor, precision),
    balanceAfter: formatMinor(op.balanceAfterMinor, precision),
    transferId: op.transferId,
    counterpartyWalletId: op.counterpartyWalletId,
    reference: op.reference,
    details: op.details,
    holdId: op.holdId,
    refundOf: op.refundOf,
    createdAt: iso(op.createdAtMs),
  };
}

export function transferPayload(
  transfer: Omit<TransferRow, 'seq' | 'refundedMinor'>,
  precision: number,
) {
  return {
    id: transfer.id,
    fromWalletId: transfer.fromWalletId,
    toWalletId: transfer.toWalletId,
    amount: formatMinor(transfer.amountMinor, precision),
    currency: transfer.currency,
    details: transfer.details,
    refundOf: transfer.refundOf,
    createdAt: iso(transfer.createdAtMs),
  };
}

export function holdPayload(hold: HoldRow, precision: number) {
  return {
    id: hold.id,
    walletId: hold.walletId,
    amount: formatMinor(hold.amountMinor, precision),
    capturedAmount: hold.capturedMinor === null ? null : formatMinor(hold.capturedMinor, precision),
    status: hold.status,
    reference: hold.reference,
    details: hold.details,
    expiresAt: iso(hold.expiresAtMs),
    createdAt: iso(hold.createdAtMs),
    resolvedAt: iso(hold.resolvedAtMs),
  };
}

export function paymentRequestPayload(request: PaymentRequestRow, precision: number) {
  return {
    id: request.id,
    amount: formatMinor(request.amountMinor, precision),
    currency: request.currency,
    details: request.details,
    status: request.status,
    requester: { name: request.requesterName, walletId: request.requesterWalletId },
    payer: { name: request.payerName, walletId: request.payerWalletId },
    expiresAt: iso(request.expiresAtMs),
    createdAt: iso(request.createdAtMs),
    resolvedAt: iso(request.resolvedAtMs),
    transferId: request.transferId,
  };
}
