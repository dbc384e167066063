/** Payment requests: by id, by key, a person's page of them. */
import type { PaymentRequestStatus } from '../../domain/enums';
import { isUuid } from '../ids';
import type { Sql } from '../sql';
import { type PageRequest } from '../../domain/pages';
import { pageClause } from '../pagination';
import { PAYMENT_REQUEST_TABLES, paymentRequestColumns, toPaymentRequest } from '../rows';
import { type PaymentRequestRow } from '../../domain/records';
import { isStorableText } from '../../domain/text';
import { type UserId } from '../../domain/ids';
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
