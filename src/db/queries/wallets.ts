/** Wallets: by id, by owner and currency, the two of a transfer, a user's; a new one. */
import { isUuid } from '../ids';
import type { Row, Sql } from '../sql';
import { WALLET_COLUMNS, toWallet } from '../rows';
import { type WalletRow } from '../../domain/records';
import { type UserId, type WalletId } from '../../domain/ids';
import { one } from './one';

export async function findWallet(sql: Sql, id: string): Promise<WalletRow | null> {
  if (!isUuid(id)) return null;
  const row = await one(sql.rows(`SELECT ${WALLET_COLUMNS} FROM wallets WHERE id = ?`, [id]));
  return row && toWallet(row);
}

export async function findWalletOf(
  sql: Sql,
  userId: UserId,
  currency: string,
): Promise<WalletRow | null> {
  const row = await one(
    sql.rows(`SELECT ${WALLET_COLUMNS} FROM wallets WHERE user_id = ? AND currency = ?`, [
      userId,
      currency,
    ]),
  );
  return row && toWallet(row);
}

/** Where a transfer's source wallet comes from: named, or the sender's wallet in the target's currency. */
export type SourceWallet = { walletId: string } | { ownerId: UserId };

/**
 * A transfer's target and source wallets with one statement (on PostgreSQL,
 * one round trip instead of two); null for any that does not exist.
 */
export async function findTransferWallets(
  sql: Sql,
  targetId: string,
  source: SourceWallet,
): Promise<{ target: WalletRow | null; source: WalletRow | null }> {
  if (!isUuid(targetId)) return { target: null, source: null };
  if ('walletId' in source && !isUuid(source.walletId)) {
    return { target: await findWallet(sql, targetId), source: null };
  }
  const [sourceClause, sourceParams] =
    'walletId' in source
      ? ['WHERE id = ?', [source.walletId]]
      : [
          'WHERE user_id = ? AND currency = (SELECT currency FROM wallets WHERE id = ?)',
          [source.ownerId, targetId],
        ];
  const rows = await sql.rows<Row & { side: string }>(
    `SELECT 'target' AS side, ${WALLET_COLUMNS} FROM wallets WHERE id = ?
     UNION ALL SELECT 'source' AS side, ${WALLET_COLUMNS} FROM wallets ${sourceClause}`,
    [targetId, ...sourceParams],
  );
  const side = (name: string) => {
    const row = rows.find((r) => r.side === name);
    return row ? toWallet(row) : null;
  };
  return { target: side('target'), source: side('source') };
}

export async function walletsOf(sql: Sql, userId: UserId): Promise<WalletRow[]> {
  const rows = await sql.rows(
    `SELECT ${WALLET_COLUMNS} FROM wallets WHERE user_id = ? ORDER BY seq`,
    [userId],
  );
  return rows.map(toWallet);
}

export async function walletsById(sql: Sql, ids: readonly WalletId[]): Promise<WalletRow[]> {
  if (ids.length === 0) return [];
  const marks = ids.map(() => '?').join(', ');
  const rows = await sql.rows(`SELECT ${WALLET_COLUMNS} FROM wallets WHERE id IN (${marks})`, ids);
  return rows.map(toWallet);
}

/** Inserts a new wallet as made (its seq aside); the wallet with the seq the database gave it. */
export async function insertWallet(sql: Sql, wallet: Omit<WalletRow, 'seq'>): Promise<WalletRow> {
  const [row] = await sql.rows<{ seq: unknown }>(
    `INSERT INTO wallets (id, user_id, currency, balance_minor, lock_version, created_at)
     VALUES (?, ?, ?, 0, 0, ?) RETURNING seq`,
    [wallet.id, wallet.userId, wallet.currency, wallet.createdAtMs],
  );
  return { ...wallet, seq: BigInt(String(row.seq)) };
}
