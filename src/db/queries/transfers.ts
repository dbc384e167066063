/** Transfers and their legs: by id, by key, by reference; refunds of one. */
import { isUuid } from '../ids';
import type { Sql } from '../sql';
import { OPERATION_COLUMNS, TRANSFER_COLUMNS, toOperation, toTransfer } from '../rows';
import { type OperationRow, type TransferRow } from '../../domain/records';
import { isStorableText } from '../../domain/text';
import { type UserId, type WalletId } from '../../domain/ids';
import { one } from './one';

/** A transfer's refunds, oldest first. */
export async function refundsOf(sql: Sql, transferId: string): Promise<TransferRow[]> {
  const rows = await sql.rows(
    `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE refund_of = ? ORDER BY seq`,
    [transferId],
  );
  return rows.map(toTransfer);
}

export async function findTransfer(sql: Sql, id: string): Promise<TransferRow | null> {
  if (!isUuid(id)) return null;
  const row = await one(sql.rows(`SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = ?`, [id]));
  return row && toTransfer(row);
}

export async function findTransferByKey(
  sql: Sql,
  initiatorUserId: UserId,
  idempotencyKey: string,
): Promise<TransferRow | null> {
  if (!isStorableText(idempotencyKey)) return null;
  const row = await one(
    sql.rows(
      `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE initiator_user_id = ? AND idempotency_key = ?`,
      [initiatorUserId, idempotencyKey],
    ),
  );
  return row && toTransfer(row);
}

export async function findOperationByReference(
  sql: Sql,
  initiatorUserId: UserId,
  reference: string,
): Promise<OperationRow | null> {
  if (!isStorableText(reference)) return null;
  const row = await one(
    sql.rows(
      `SELECT ${OPERATION_COLUMNS} FROM operations WHERE initiator_user_id = ? AND reference = ?`,
      [initiatorUserId, reference],
    ),
  );
  return row && toOperation(row);
}

/** The transfer's leg in one wallet. */
export async function findTransferLeg(
  sql: Sql,
  transferId: string,
  walletId: WalletId,
): Promise<OperationRow | null> {
  // By the transfer alone (ix_operations_transfer, two rows): given the wallet
  // too, a planner may choose the wallet's index and read all its operations.
  const legs = await sql.rows(`SELECT ${OPERATION_COLUMNS} FROM operations WHERE transfer_id = ?`, [
    transferId,
  ]);
  const leg = legs.find((row) => row.wallet_id === walletId);
  return leg ? toOperation(leg) : null;
}
