/**
 * Payment requests that move no money: asking (requestPayment), declining
 * and canceling. Paying one is a movement (ledger/movements/pay-request.ts).
 * Each resolution is one conditional UPDATE of a PENDING, unexpired request
 * (the database's clock), so of a pay, a decline and a cancel at the same
 * moment exactly one changes it; the others find it resolved.
 */
import type { Database } from '../db/database';
import { nowMs } from '../db/clock';
import { isUniqueViolation } from '../db/errors';
import { ledgerId } from '../db/ids';
import { findPaymentRequest, findPaymentRequestByKey } from '../db/queries';
import type { PaymentRequestId, PaymentRequestRow, UserId, WalletRow } from '../db/rows';
import type { Sql } from '../db/sql';
import { DomainError } from '../errors';
import { resolvePaymentRequest, unresolvable } from '../ledger/payment-requests';

export interface NewPaymentRequest {
  requesterUserId: UserId;
  requesterWallet: WalletRow;
  payerUserId: UserId;
  payerWallet: WalletRow;
  amountMinor: bigint;
  details: string | null;
  expiresInSeconds: number;
  idempotencyKey: string | null;
}

const conflict = () =>
  new DomainError(
    'IDEMPOTENCY_CONFLICT',
    'This idempotency key was already used for a different request. Use a new one for a new request.',
  );

/** Asks the payer; a repeat with the same key and arguments is answered with the first request. */
export async function createPaymentRequest(
  db: Database,
  request: NewPaymentRequest,
): Promise<PaymentRequestRow> {
  if (request.payerUserId === request.requesterUserId) {
    throw new DomainError('BAD_USER_INPUT', 'You cannot ask yourself to pay you.', {
      field: 'payerEmail',
    });
  }
  const id = ledgerId() as PaymentRequestId;
  try {
    await db.transaction((sql) => insertPaymentRequest(sql, id, request));
  } catch (error) {
    if (!isUniqueViolation(error) || request.idempotencyKey === null) throw error;
    const key = request.idempotencyKey;
    const existing = await db.read((sql) =>
      findPaymentRequestByKey(sql, request.requesterUserId, key),
    );
    if (existing === null) throw error;
    const same =
      existing.payerUserId === request.payerUserId &&
      existing.requesterWalletId === request.requesterWallet.id &&
      existing.amountMinor === request.amountMinor &&
      existing.details === request.details &&
      existing.expiresAtMs - existing.createdAtMs === request.expiresInSeconds * 1000;
    if (!same) throw conflict();
    return existing;
  }
  const created = await db.read((sql) => findPaymentRequest(sql, id));
  return created as PaymentRequestRow;
}

async function insertPaymentRequest(
  sql: Sql,
  id: PaymentRequestId,
  request: NewPaymentRequest,
): Promise<void> {
  await sql.run(
    `INSERT INTO payment_requests (id, requester_user_id, requester_wallet_id, payer_user_id,
       payer_wallet_id, amount_minor, currency, details, status, idempotency_key, expires_at, created_at)
     SELECT ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, clock.now + CAST(? AS BIGINT) * 1000, clock.now
       FROM (SELECT ${nowMs(sql.kind)} AS now) AS clock`,
    [
      id,
      request.requesterUserId,
      request.requesterWallet.id,
      request.payerUserId,
      request.payerWallet.id,
      request.amountMinor,
      request.requesterWallet.currency,
      request.details,
      request.idempotencyKey,
      request.expiresInSeconds,
    ],
  );
}

/**
 * The payer declines, or the requester cancels: final. The same again
 * returns the request as it is; anything else is ALREADY_RESOLVED or EXPIRED.
 */
export async function closePaymentRequest(
  db: Database,
  request: PaymentRequestRow,
  status: 'DECLINED' | 'CANCELED',
): Promise<PaymentRequestRow> {
  await db.transaction((sql) => resolvePaymentRequest(sql, request.id, status, null));
  const now = (await db.read((sql) => findPaymentRequest(sql, request.id))) as PaymentRequestRow;
  if (now.status !== status) throw unresolvable(now);
  return now;
}
