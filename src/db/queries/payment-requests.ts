/** Payment requests: by id, by key, a person's page of them. */
import type { PaymentRequestStatus } from '../../domain/enums';
import { isUuid } from '../ids';
import type { Sql } from '../sql';
import { type PageRequest } from '../../domain/pages';
import { pageClause } from '../pagination';
import { PAYMENT_REQUEST_TABLES, paymentRequestColumns, toPaymentRequest } from '../rows';
import { type PaymentRequestRow } from '../../domain/records';
import { isStorableText } from '../../domain/text';
import { type PaymentRequestId, type UserId, type WalletId } from '../../domain/ids';
import { expiredSql, nowMs } from '../clock';
import { one } from './one';

/** A payment request with both parties' names, its status as of the database's clock. */
export async function findPaymentRequest(sql: Sql, id: string): Promise<PaymentRequestRow | null> {
  if (!isUuid(id)) return null;
  const row = await one(
    sql.rows(
      `SELECT ${paymentRequestColumns(sql.kind)} FROM ${PAYMENT_REQUEST_TABLES} WHERE request.id = ?`,
      [id],
    ),
  );
  return row && toPaymentRequest(row);
}

export async function findPaymentRequestByKey(
  sql: Sql,
  requesterUserId: UserId,
  idempotencyKey: string,
): Promise<PaymentRequestRow | null> {
  if (!isStorableText(idempotencyKey)) return null;
  const row = await one(
    sql.rows(
      `SELECT ${paymentRequestColumns(sql.kind)} FROM ${PAYMENT_REQUEST_TABLES}
        WHERE request.requester_user_id = ? AND request.idempotency_key = ?`,
      [requesterUserId, idempotencyKey],
    ),
  );
  return row && toPaymentRequest(row);
}

/** A page of the requests a user made (OUTGOING) or was asked to pay (INCOMING), newest first. */
export async function paymentRequestsPage(
  sql: Sql,
  userId: UserId,
  direction: 'INCOMING' | 'OUTGOING',
  status: PaymentRequestStatus | null,
  page: PageRequest,
): Promise<PaymentRequestRow[]> {
  const party = direction === 'INCOMING' ? 'payer_user_id' : 'requester_user_id';
  const filter = status === null ? '' : ' WHERE status = ?';
  const tail = pageClause(page, status !== null);
  const rows = await sql.rows(
    `SELECT * FROM (SELECT ${paymentRequestColumns(sql.kind)} FROM ${PAYMENT_REQUEST_TABLES}
        WHERE request.${party} = ?) AS theirs${filter}${tail.sql}`,
    [userId, ...(status === null ? [] : [status]), ...tail.params],
  );
  return rows.map(toPaymentRequest);
}

/** A new PENDING request, its times by the database's clock. */
export async function insertPaymentRequest(
  sql: Sql,
  id: PaymentRequestId,
  request: {
    requesterUserId: UserId;
    requesterWalletId: WalletId;
    payerUserId: UserId;
    payerWalletId: WalletId;
    amountMinor: bigint;
    currency: string;
    details: string | null;
    idempotencyKey: string | null;
    expiresInSeconds: number;
  },
): Promise<void> {
  await sql.run(
    `INSERT INTO payment_requests (id, requester_user_id, requester_wallet_id, payer_user_id,
       payer_wallet_id, amount_minor, currency, details, status, idempotency_key, expires_at, created_at)
     SELECT ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, clock.now + CAST(? AS BIGINT) * 1000, clock.now
       FROM (SELECT ${nowMs(sql.kind)} AS now) AS clock`,
    [
      id,
      request.requesterUserId,
      request.requesterWalletId,
      request.payerUserId,
      request.payerWalletId,
      request.amountMinor,
      request.currency,
      request.details,
      request.idempotencyKey,
      request.expiresInSeconds,
    ],
  );
}

/**
 * Stores as EXPIRED up to `limit` pending requests past their time; their
 * ids. One conditional UPDATE, so instances sweeping at once expire each once.
 */
export async function markExpiredPaymentRequests(sql: Sql, limit: number): Promise<string[]> {
  const now = nowMs(sql.kind);
  const expired = await sql.rows<{ id: string }>(
    `UPDATE payment_requests SET status = 'EXPIRED', resolved_at = expires_at
      WHERE id IN (SELECT id FROM payment_requests
                    WHERE ${expiredSql(sql.kind, '', now)} LIMIT ${Math.trunc(limit)})
        AND ${expiredSql(sql.kind, '', now)}
      RETURNING id`,
  );
  return expired.map(({ id }) => id);
}
