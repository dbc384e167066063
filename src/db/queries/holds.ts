/** Holds: by id, a wallet's page of them, its open reserve, a capture's withdrawal, expired ones. */
import type { HoldStatus } from '../../domain/enums';
import { expiredSql, openSql } from '../clock';
import { isUuid } from '../ids';
import type { Sql } from '../sql';
import { type PageRequest } from '../../domain/pages';
import { pageClause } from '../pagination';
import { OPERATION_COLUMNS, holdColumns, toHold, toOperation } from '../rows';
import { type HoldRow, type OperationRow } from '../../domain/records';
import { type WalletId } from '../../domain/ids';
import { one } from './one';

/** A hold, its status as of the database's clock (a PENDING hold past its expiry reads as EXPIRED). */
export async function findHold(sql: Sql, id: string): Promise<HoldRow | null> {
  if (!isUuid(id)) return null;
  const row = await one(sql.rows(`SELECT ${holdColumns(sql.kind)} FROM holds WHERE id = ?`, [id]));
  return row && toHold(row);
}

/** The reserve of a wallet's holds that are PENDING and not expired, by the database's clock. */
export async function pendingHeldMinor(sql: Sql, walletId: WalletId): Promise<bigint> {
  const [row] = await sql.rows<{ held: unknown }>(
    `SELECT CAST(COALESCE(SUM(amount_minor), 0) AS TEXT) AS held FROM holds
      WHERE wallet_id = ? AND ${openSql(sql.kind)}`,
    [walletId],
  );
  return BigInt(String(row.held));
}

/** A page of a wallet's holds, newest first: of one status as read now, or all. */
export async function holdsPage(
  sql: Sql,
  walletId: WalletId,
  status: HoldStatus | null,
  page: PageRequest,
): Promise<HoldRow[]> {
  const filter = status === null ? '' : ' WHERE status = ?';
  const tail = pageClause(page, status !== null);
  const rows = await sql.rows(
    `SELECT * FROM (SELECT ${holdColumns(sql.kind)} FROM holds WHERE wallet_id = ?) AS wallet_holds${filter}${tail.sql}`,
    [walletId, ...(status === null ? [] : [status]), ...tail.params],
  );
  return rows.map(toHold);
}

/** The WITHDRAWAL a hold's capture wrote, if it was captured. */
export async function findCaptureOf(sql: Sql, holdId: string): Promise<OperationRow | null> {
  const row = await one(
    sql.rows(`SELECT ${OPERATION_COLUMNS} FROM operations WHERE hold_id = ?`, [holdId]),
  );
  return row && toOperation(row);
}

/** Up to `limit` wallets with a hold stored as PENDING that is past its expiry (the database's clock). */
export async function walletsWithExpiredHolds(sql: Sql, limit: number): Promise<WalletId[]> {
  const rows = await sql.rows<{ wallet_id: string }>(
    `SELECT DISTINCT wallet_id FROM holds
        WHERE ${expiredSql(sql.kind)} LIMIT ${limit}`,
  );
  return rows.map((row) => row.wallet_id as WalletId);
}
