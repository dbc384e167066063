/**
 * Row shapes and the column lists that read them. Money columns are read as
 * text and parsed to bigint: a JavaScript number would round above 2^53.
 */
import type { DatabaseKind } from '../config';
import type { HoldStatus } from '../domain/enums';
import type { PaymentRequestStatus } from '../domain/enums';
import { expiredSql } from './clock';
import type { Row } from './sql';
import type { HoldId, PaymentRequestId, UserId, WalletId } from '../domain/ids';
import type { OperationType } from '../domain/enums';
import type { Role } from '../domain/enums';
import type {
  HoldRow,
  OperationRow,
  PaymentRequestRow,
  TransferRow,
  UserRow,
  WalletRow,
} from '../domain/records';

export const USER_COLUMNS = 'seq, id, email, name, role, password_hash, created_at';
export const WALLET_COLUMNS =
  'seq, id, user_id, currency, CAST(balance_minor AS TEXT) AS balance_minor, ' +
  'CAST(held_minor AS TEXT) AS held_minor, last_operation_at, created_at';
export const OPERATION_COLUMNS =
  'seq, id, wallet_id, type, CAST(amount_minor AS TEXT) AS amount_minor, ' +
  'CAST(balance_after_minor AS TEXT) AS balance_after_minor, transfer_id, ' +
  'counterparty_wallet_id, reference, details, hold_id, refund_of, initiator_user_id, created_at';
/** Read from `transfers` itself (not an alias): the refunded sum is a lookup of its refunds. */
export const TRANSFER_COLUMNS =
  'seq, id, from_wallet_id, to_wallet_id, CAST(amount_minor AS TEXT) AS amount_minor, ' +
  'currency, details, initiator_user_id, idempotency_key, refund_of, created_at, ' +
  '(SELECT CAST(COALESCE(SUM(refund.amount_minor), 0) AS TEXT) FROM transfers AS refund ' +
  'WHERE refund.refund_of = transfers.id) AS refunded_minor';

const big = (value: unknown): bigint => BigInt(String(value));
const ms = (value: unknown): number => Number(value);
const text = (value: unknown): string | null => (value === null ? null : String(value));

export function toUser(row: Row): UserRow {
  return {
    seq: big(row.seq),
    id: String(row.id) as UserId,
    email: String(row.email),
    name: String(row.name),
    role: String(row.role) as Role,
    passwordHash: String(row.password_hash),
    createdAtMs: ms(row.created_at),
  };
}

export function toWallet(row: Row): WalletRow {
  return {
    seq: big(row.seq),
    id: String(row.id) as WalletId,
    userId: String(row.user_id) as UserId,
    currency: String(row.currency),
    balanceMinor: big(row.balance_minor),
    heldMinor: big(row.held_minor),
    lastOperationAtMs: ms(row.last_operation_at),
    createdAtMs: ms(row.created_at),
  };
}

export function toOperation(row: Row): OperationRow {
  return {
    seq: big(row.seq),
    id: String(row.id),
    walletId: String(row.wallet_id) as WalletId,
    type: String(row.type) as OperationType,
    amountMinor: big(row.amount_minor),
    balanceAfterMinor: big(row.balance_after_minor),
    transferId: text(row.transfer_id),
    counterpartyWalletId: text(row.counterparty_wallet_id) as WalletId | null,
    reference: text(row.reference),
    details: text(row.details),
    holdId: text(row.hold_id) as HoldId | null,
    refundOf: text(row.refund_of),
    initiatorUserId: String(row.initiator_user_id) as UserId,
    createdAtMs: ms(row.created_at),
  };
}

export function toTransfer(row: Row): TransferRow {
  return {
    seq: big(row.seq),
    id: String(row.id),
    fromWalletId: String(row.from_wallet_id) as WalletId,
    toWalletId: String(row.to_wallet_id) as WalletId,
    amountMinor: big(row.amount_minor),
    currency: String(row.currency),
    details: text(row.details),
    initiatorUserId: String(row.initiator_user_id) as UserId,
    idempotencyKey: text(row.idempotency_key),
    refundOf: text(row.refund_of),
    refundedMinor: big(row.refunded_minor),
    createdAtMs: ms(row.created_at),
  };
}

/**
 * A hold's columns, its status as of the database's clock: a hold stored
 * PENDING whose expiry has come reads as EXPIRED, and as resolved then.
 */
export function holdColumns(kind: DatabaseKind): string {
  const expired = expiredSql(kind);
  return (
    'seq, id, wallet_id, service_user_id, reference, CAST(amount_minor AS TEXT) AS amount_minor, ' +
    'CAST(captured_minor AS TEXT) AS captured_minor, details, expires_at, created_at, ' +
    `CASE WHEN ${expired} THEN 'EXPIRED' ELSE status END AS status, ` +
    `CASE WHEN ${expired} THEN expires_at ELSE resolved_at END AS resolved_at`
  );
}

export function toHold(row: Row): HoldRow {
  return {
    seq: big(row.seq),
    id: String(row.id) as HoldId,
    walletId: String(row.wallet_id) as WalletId,
    serviceUserId: String(row.service_user_id) as UserId,
    reference: String(row.reference),
    amountMinor: big(row.amount_minor),
    capturedMinor: row.captured_minor === null ? null : big(row.captured_minor),
    status: String(row.status) as HoldStatus,
    details: text(row.details),
    expiresAtMs: ms(row.expires_at),
    createdAtMs: ms(row.created_at),
    resolvedAtMs: row.resolved_at === null ? null : ms(row.resolved_at),
  };
}

/**
 * A payment request's columns, read from `payment_requests` AS `request`
 * with both parties' names, its status as of the database's clock.
 */
export function paymentRequestColumns(kind: DatabaseKind): string {
  const expired = expiredSql(kind, 'request');
  return (
    'request.seq, request.id, request.requester_user_id, request.requester_wallet_id, ' +
    'requester.name AS requester_name, request.payer_user_id, request.payer_wallet_id, ' +
    'payer.name AS payer_name, CAST(request.amount_minor AS TEXT) AS amount_minor, ' +
    'request.currency, request.details, request.idempotency_key, request.expires_at, ' +
    'request.created_at, request.transfer_id, ' +
    `CASE WHEN ${expired} THEN 'EXPIRED' ELSE request.status END AS status, ` +
    `CASE WHEN ${expired} THEN request.expires_at ELSE request.resolved_at END AS resolved_at`
  );
}

/** The tables paymentRequestColumns reads. */
export const PAYMENT_REQUEST_TABLES = `payment_requests AS request
  JOIN users AS requester ON requester.id = request.requester_user_id
  JOIN users AS payer ON payer.id = request.payer_user_id`;

export function toPaymentRequest(row: Row): PaymentRequestRow {
  return {
    seq: big(row.seq),
    id: String(row.id) as PaymentRequestId,
    requesterUserId: String(row.requester_user_id) as UserId,
    requesterWalletId: String(row.requester_wallet_id) as WalletId,
    requesterName: String(row.requester_name),
    payerUserId: String(row.payer_user_id) as UserId,
    payerWalletId: String(row.payer_wallet_id) as WalletId,
    payerName: String(row.payer_name),
    amountMinor: big(row.amount_minor),
    currency: String(row.currency),
    details: text(row.details),
    status: String(row.status) as PaymentRequestStatus,
    idempotencyKey: text(row.idempotency_key),
    expiresAtMs: ms(row.expires_at),
    createdAtMs: ms(row.created_at),
    resolvedAtMs: row.resolved_at === null ? null : ms(row.resolved_at),
    transferId: text(row.transfer_id),
  };
}
