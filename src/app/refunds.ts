/**
 * Giving a transfer back: by its recipient (or an admin, as a correction),
 * in part or in full, from the wallet that received it to the one that
 * sent it, at most its amount in total.
 */
import assert from 'node:assert/strict';
import { assertCanRefund } from '../domain/access';
import type { Caller } from '../domain/caller';
import { DomainError } from '../domain/errors';
import type { TransferResult, TransferRow } from '../domain/records';
import { findTransfer, refundsOf, walletsById } from '../db/queries';
import type { Services } from './services';

export interface RefundInput {
  transferId: string;
  /** None: all that is left. */
  amount?: string | null;
  details?: string | null;
  idempotencyKey?: string | null;
}

export async function refundTransfer(
  services: Services,
  caller: Caller,
  input: RefundInput,
): Promise<TransferResult> {
  const { db, ledger } = services;
  const original = await db.read((sql) => findTransfer(sql, input.transferId));
  if (original === null) {
    throw new DomainError('NOT_FOUND', 'There is no transfer with this id.');
  }
  const wallets = await db.read((sql) =>
    walletsById(sql, [original.fromWalletId, original.toWalletId]),
  );
  // The money goes back: from the original's target to its source.
  const source = wallets.find((w) => w.id === original.toWalletId);
  const target = wallets.find((w) => w.id === original.fromWalletId);
  assert.ok(source && target, `transfer ${original.id} has its wallets`);
  assertCanRefund(caller, source.userId);
  return ledger.refund({
    initiatorUserId: caller.userId,
    original,
    source,
    target,
    amount: input.amount ?? null,
    details: input.details ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
  });
}

/** The refunds of a transfer already shown to the caller, oldest first; none for a refund. */
export async function refundsOfTransfer(
  services: Services,
  transfer: { id: string; refundOf: string | null },
): Promise<TransferRow[]> {
  if (transfer.refundOf !== null) return []; // a refund is never refunded
  return services.db.read((sql) => refundsOf(sql, transfer.id));
}
