/**
 * Refunds: money given back, once, in part or in full. A refund is a new
 * transfer from the original's recipient back to its sender, naming the
 * original; nothing of the original changes. What is left to refund is read
 * under both wallets' locks, which every refund of that transfer takes, so
 * refunds at the same moment cannot together pass the original's amount.
 */
import assert from 'node:assert/strict';
import type { WalletIdentity } from '../../domain/records';
import { findTransferByKey } from '../../db/queries';
import type { TransferRow } from '../../domain/records';
import type { UserId } from '../../domain/ids';
import type { Sql } from '../../db/sql';
import { DomainError } from '../../domain/errors';
import { parseAmountMinor } from '../../domain/money';
import { transferEvent } from '../event-data';
import { type Movement } from '../movement';
import { idempotencyConflict } from '../../domain/errors';
import { movementTime } from '../legs';
import { newTransferRows, postTransfer, transferReplay } from './transfer';
import { type TransferResult } from '../../domain/records';
import { REFUNDS_PER_TRANSFER_MAX } from '../../domain/limits';

export interface RefundCommand {
  initiatorUserId: UserId;
  original: TransferRow;
  /** The original's recipient, who gives back, and its sender. */
  source: WalletIdentity;
  target: WalletIdentity;
  /** Null: all that is left. */
  amount: string | null;
  details: string | null;
  idempotencyKey: string | null;
}

/** How many refunds a transfer has had and what they returned, read in the movement's transaction. */
async function refundsSoFar(sql: Sql, transferId: string) {
  const [row] = await sql.rows<{ refunds: unknown; refunded: unknown }>(
    `SELECT COUNT(*) AS refunds, CAST(COALESCE(SUM(amount_minor), 0) AS TEXT) AS refunded
       FROM transfers WHERE refund_of = ?`,
    [transferId],
  );
  return { count: Number(row.refunds), refundedMinor: BigInt(String(row.refunded)) };
}

export function refundMovement(
  command: RefundCommand,
  precision: number,
): Movement<TransferResult> {
  const { original, source, target, idempotencyKey } = command;
  // Back the way it came, whoever builds the command: from its recipient to its sender.
  assert.equal(source.id, original.toWalletId, 'a refund leaves the wallet that was paid');
  assert.equal(target.id, original.fromWalletId, 'a refund returns to the wallet that paid');
  if (original.refundOf !== null) {
    throw new DomainError('BAD_USER_INPUT', 'A refund cannot itself be refunded.', {
      field: 'transferId',
    });
  }
  const askedMinor =
    command.amount === null ? null : parseAmountMinor(command.amount, original.currency, precision);
  return {
    kind: 'refund',
    walletIds: [source.id, target.id],
    events: (result) => [transferEvent(result.transfer, precision)],
    replay:
      idempotencyKey === null
        ? null
        : async (sql) => {
            const existing = await findTransferByKey(sql, command.initiatorUserId, idempotencyKey);
            if (existing === null) return null;
            const same =
              existing.refundOf === original.id &&
              (askedMinor === null || existing.amountMinor === askedMinor) &&
              existing.details === command.details;
            if (!same) throw idempotencyConflict('idempotency key');
            return transferReplay(sql, existing);
          },
    async write(sql, wallets) {
      const sofar = await refundsSoFar(sql, original.id);
      const remainingMinor = original.amountMinor - sofar.refundedMinor;
      const amountMinor = askedMinor ?? remainingMinor;
      if (amountMinor === 0n || amountMinor > remainingMinor) {
        throw new DomainError(
          'EXCEEDS_REMAINING',
          remainingMinor === 0n
            ? 'This transfer has been refunded in full already.'
            : 'The refund is more than is left to refund of this transfer.',
          { field: 'amount' },
        );
      }
      if (sofar.count >= REFUNDS_PER_TRANSFER_MAX) {
        throw new DomainError(
          'BAD_USER_INPUT',
          `A transfer can have at most ${REFUNDS_PER_TRANSFER_MAX} refunds; refund the rest in one.`,
        );
      }
      const rows = newTransferRows(
        {
          initiatorUserId: command.initiatorUserId,
          source,
          target,
          details: command.details,
          idempotencyKey,
        },
        amountMinor,
        movementTime(wallets),
        original.id,
      );
      return postTransfer(sql, wallets, source.id, rows);
    },
  };
}
