/** The resolution of payment requests, inside a movement's transaction or by itself. */
import assert from 'node:assert/strict';
import { nowMs, openSql } from '../db/clock';
import { findPaymentRequest } from '../db/queries';
import type { PaymentRequestRow } from '../domain/records';
import type { PaymentRequestId } from '../domain/ids';
import type { Sql } from '../db/sql';
import { DomainError } from '../domain/errors';

/**
 * Moves a PENDING, unexpired request to `status`, once, in one statement,
 * and answers it as it now stands; null if it was no longer PENDING (or had
 * expired) when the statement ran. The parties' names never change, so the
 * request as read before and the statement's answer are the request after.
 */
export async function resolvePaymentRequest(
  sql: Sql,
  request: PaymentRequestRow,
  status: 'PAID' | 'DECLINED' | 'CANCELED',
  transferId: string | null,
): Promise<PaymentRequestRow | null> {
  const now = nowMs(sql.kind);
  const [resolved] = await sql.rows<{ resolved_at: unknown }>(
    `UPDATE payment_requests SET status = ?, transfer_id = ?, resolved_at = ${now}
      WHERE id = ? AND ${openSql(sql.kind, '', now)}
      RETURNING resolved_at`,
    [status, transferId, request.id],
  );
  if (resolved === undefined) return null;
  return { ...request, status, transferId, resolvedAtMs: Number(resolved.resolved_at) };
}

/**
 * Why a request could not be resolved as asked, read as it now stands:
 * resolved already, or expired. Null while it is still open.
 */
export async function whyUnresolvable(sql: Sql, id: PaymentRequestId): Promise<DomainError | null> {
  const now = await findPaymentRequest(sql, id);
  assert.ok(now, `payment request ${id} exists`);
  return now.status === 'PENDING' ? null : unresolvable(now);
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
