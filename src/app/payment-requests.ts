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
import type { PaymentRequestRow, WalletRow } from '../domain/records';
import type { PaymentRequestId, UserId } from '../domain/ids';
import type { Sql } from '../db/sql';
import { DomainError } from '../domain/errors';
import type { Currencies } from '../domain/currencies';
import { paymentRequestEvent } from '../ledger/event-data';
import { appendEvents } from '../ledger/events';
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
  /** Of the requester wallet's currency, for its event. */
  precision: number;
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
  let created: PaymentRequestRow;
  try {
    created = await db.transaction(async (sql) => {
      await insertPaymentRequest(sql, id, request);
      const row = (await findPaymentRequest(sql, id)) as PaymentRequestRow;
      await appendEvents(sql, [
        paymentRequestEvent('PAYMENT_REQUEST_CREATED', row, request.precision),
      ]);
      return row;
    });
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
  return created;
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
  precision: number,
): Promise<PaymentRequestRow> {
  const now = await db.transaction(async (sql) => {
    const closed = await resolvePaymentRequest(sql, request.id, status, null);
    const row = (await findPaymentRequest(sql, request.id)) as PaymentRequestRow;
    if (closed) {
      const type = status === 'DECLINED' ? 'PAYMENT_REQUEST_DECLINED' : 'PAYMENT_REQUEST_CANCELED';
      await appendEvents(sql, [paymentRequestEvent(type, row, precision)]);
    }
    return row;
  });
  if (now.status !== status) throw unresolvable(now);
  return now;
}

/**
 * Stores as EXPIRED up to `limit` pending requests past their time (they
 * read as EXPIRED already), with their events. One conditional UPDATE, so
 * instances sweeping at once expire each request once.
 */
export async function expirePaymentRequests(
  db: Database,
  currencies: Currencies,
  limit: number,
): Promise<number> {
  return db.transaction(async (sql) => {
    const now = nowMs(sql.kind);
    const expired = await sql.rows<{ id: string }>(
      `UPDATE payment_requests SET status = 'EXPIRED', resolved_at = expires_at
        WHERE id IN (SELECT id FROM payment_requests
                      WHERE status = 'PENDING' AND expires_at <= ${now} LIMIT ${Math.trunc(limit)})
          AND status = 'PENDING' AND expires_at <= ${now}
        RETURNING id`,
    );
    const events = [];
    for (const { id } of expired) {
      const request = (await findPaymentRequest(sql, id)) as PaymentRequestRow;
      const precision = currencies.precision(request.currency);
      events.push(paymentRequestEvent('PAYMENT_REQUEST_EXPIRED', request, precision));
    }
    await appendEvents(sql, events);
    return expired.length;
  });
}
