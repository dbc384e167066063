/** The resolution of payment requests, inside a movement's transaction or by itself. */
import { nowMs, openSql } from '../db/clock';
import type { PaymentRequestRow } from '../domain/records';
import type { PaymentRequestId } from '../domain/ids';
import type { Sql } from '../db/sql';
import { DomainError } from '../domain/errors';

/**
 * Moves a PENDING, unexpired request to `status`, once, in one statement;
 * false if it was no longer PENDING (or had expired) when the statement ran.
 */
export async function resolvePaymentRequest(
  sql: Sql,
  id: PaymentRequestId,
  status: 'PAID' | 'DECLINED' | 'CANCELED',
  transferId: string | null,
): Promise<boolean> {
  const now = nowMs(sql.kind);
  const changed = await sql.run(
    `UPDATE payment_requests SET status = ?, transfer_id = ?, resolved_at = ${now}
      WHERE id = ? AND ${openSql(sql.kind, '', now)}`,
    [status, transferId, id],
  );
  return changed === 1;
}

/** Why a request could not be resolved as asked: it was resolved already, or it has expired. */
export function unresolvable(request: PaymentRequestRow): DomainError {
  return request.status === 'EXPIRED'
    ? new DomainError('EXPIRED', 'This request has expired.')
    : new DomainError(
        'ALREADY_RESOLVED',
        `This request was already ${request.status.toLowerCase()}.`,
      );
}
