import assert from 'node:assert/strict';
import type { Sql } from '../db/sql';
import { WALLET_COLUMNS, toWallet } from '../db/rows';
import { type WalletRow } from '../domain/records';
import { type WalletId } from '../domain/ids';

/**
 * The order in which a movement locks its wallets: distinct, ascending.
 * Because every movement takes its locks in this one order, two movements can
 * never each hold a lock the other waits for (no deadlock); a movement waits
 * only for movements that share a wallet with it, so unrelated ones run in parallel.
 */
export function lockOrder(walletIds: readonly WalletId[]): WalletId[] {
  return [...new Set(walletIds)].sort();
}

/** The wallets a movement locked, as they stand under the locks. */
export type LockedWallets = ReadonlyMap<WalletId, WalletRow>;

/**
 * Takes the wallets' locks: the first statements of the movement's
 * transaction, one UPDATE per wallet in lock order (a single `WHERE id IN
 * (...)` would lock rows in scan order, which can deadlock). They go to the
 * database together, on PostgreSQL in one round trip with the transaction's
 * BEGIN, and it runs them in the order given. The database holds each row
 * lock until commit or rollback, and drops it if the client dies. Each UPDATE
 * returns its wallet as it stands under the lock, so the movement needs no
 * second read of the balances.
 */
export async function lockWallets(
  sql: Sql,
  walletIds: readonly WalletId[],
): Promise<LockedWallets> {
  const ordered = lockOrder(walletIds);
  for (let i = 1; i < ordered.length; i++) assert.ok(ordered[i - 1] < ordered[i], 'lock order');
  const results = await sql.rowsOfEach(
    ordered.map((walletId) => ({
      text: `UPDATE wallets SET lock_version = lock_version + 1 WHERE id = ? RETURNING ${WALLET_COLUMNS}`,
      params: [walletId],
    })),
  );
  const locked = new Map<WalletId, WalletRow>();
  ordered.forEach((walletId, i) => {
    const [row] = results[i];
    assert.ok(row, `wallet ${walletId} to lock exists`);
    locked.set(walletId, toWallet(row));
  });
  return locked;
}
