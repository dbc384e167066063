/** The writes of holds, inside a movement's transaction, under the hold's wallet's lock. */
import assert from 'node:assert/strict';
import { expiredSql, nowMs } from '../db/clock';
import { holdColumns, toHold } from '../db/rows';
import { type HoldRow } from '../domain/records';
import { type HoldId, type UserId, type WalletId } from '../domain/ids';
import type { Sql } from '../db/sql';

/**
 * Stores as EXPIRED the wallet's holds whose expiry has come by the
 * database's clock (they already read as EXPIRED) and releases their
 * reserve from the wallet's held_minor; the holds released. The wallet must
 * be locked.
 */
export async function releaseExpiredHolds(sql: Sql, walletId: WalletId): Promise<HoldRow[]> {
  const rows = await sql.rows(
    `UPDATE holds SET status = 'EXPIRED', resolved_at = expires_at
      WHERE wallet_id = ? AND ${expiredSql(sql.kind)}
      RETURNING ${holdColumns(sql.kind)}`,
    [walletId],
  );
  const released = rows.map(toHold);
  const releasedMinor = released.reduce((total, hold) => total + hold.amountMinor, 0n);
  if (releasedMinor > 0n) {
    await sql.run('UPDATE wallets SET held_minor = held_minor - CAST(? AS BIGINT) WHERE id = ?', [
      releasedMinor,
      walletId,
    ]);
  }
  return released;
}

export interface NewHold {
  id: HoldId;
  walletId: WalletId;
  serviceUserId: UserId;
  reference: string;
  amountMinor: bigint;
  details: string | null;
  expiresInSeconds: number;
}

/** A new PENDING hold, made and timed by one reading of the database's clock. */
export async function insertHold(sql: Sql, hold: NewHold): Promise<HoldRow> {
  const [row] = await sql.rows(
    `INSERT INTO holds (id, wallet_id, service_user_id, reference, amount_minor, status, details,
       expires_at, created_at)
     SELECT ?, ?, ?, ?, ?, 'PENDING', ?, clock.now + CAST(? AS BIGINT) * 1000, clock.now
       FROM (SELECT ${nowMs(sql.kind)} AS now) AS clock
     RETURNING ${holdColumns(sql.kind)}`,
    [
      hold.id,
      hold.walletId,
      hold.serviceUserId,
      hold.reference,
      hold.amountMinor,
      hold.details,
      hold.expiresInSeconds,
    ],
  );
  return toHold(row);
}

/** Resolves a PENDING hold: CAPTURED with the amount taken, or VOIDED. */
export async function resolveHold(
  sql: Sql,
  id: HoldId,
  resolution: { status: 'CAPTURED'; capturedMinor: bigint } | { status: 'VOIDED' },
): Promise<HoldRow> {
  const capturedMinor = resolution.status === 'CAPTURED' ? resolution.capturedMinor : null;
  const [row] = await sql.rows(
    `UPDATE holds SET status = ?, captured_minor = CAST(? AS BIGINT), resolved_at = ${nowMs(sql.kind)}
      WHERE id = ? AND status = 'PENDING'
      RETURNING ${holdColumns(sql.kind)}`,
    [resolution.status, capturedMinor, id],
  );
  assert.ok(row, `hold ${id} was pending`);
  return toHold(row);
}
