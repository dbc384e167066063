import { randomUUID } from 'node:crypto';
import type { Caller } from '../context';
import type { Database, Sql } from '../db/database';
import { isUniqueViolation } from '../db/database';
import { findWallet, findWalletOf } from '../db/queries';
import type { UserId, WalletId, WalletRow } from '../db/rows';
import { DomainError } from '../errors';
import type { Currencies } from '../money/currencies';

export async function insertWallet(sql: Sql, userId: UserId, currency: string): Promise<WalletRow> {
  const wallet = {
    id: randomUUID() as WalletId,
    userId,
    currency,
    balanceMinor: 0n,
    createdAtMs: Date.now(),
  };
  const [row] = await sql.rows<{ seq: unknown }>(
    `INSERT INTO wallets (id, user_id, currency, balance_minor, lock_version, created_at)
     VALUES (?, ?, ?, 0, 0, ?) RETURNING seq`,
    [wallet.id, userId, currency, wallet.createdAtMs],
  );
  return { ...wallet, seq: BigInt(String(row.seq)) };
}

/** One wallet per user and currency. */
export async function openWallet(
  db: Database,
  currencies: Currencies,
  userId: UserId,
  currency: string,
): Promise<WalletRow> {
  currencies.precision(currency);
  try {
    return await db.transaction((sql) => insertWallet(sql, userId, currency));
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new DomainError('ALREADY_EXISTS', `You already have a ${currency} wallet.`);
    }
    throw error;
  }
}

export async function getWallet(db: Database, id: string): Promise<WalletRow> {
  const wallet = await db.read((sql) => findWallet(sql, id));
  if (wallet === null) throw new DomainError('NOT_FOUND', 'There is no wallet with this id.');
  return wallet;
}

/** The caller's wallet in a currency, to send from when no source wallet is named. */
export async function sendingWalletIn(
  db: Database,
  caller: Caller,
  currency: string,
): Promise<WalletRow> {
  const wallet = await db.read((sql) => findWalletOf(sql, caller.userId, currency));
  if (wallet === null) {
    throw new DomainError(
      'CURRENCY_MISMATCH',
      `The receiving wallet holds ${currency}, and you have no ${currency} wallet to send from.`,
    );
  }
  return wallet;
}
