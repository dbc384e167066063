/** What a wallet's history answers: the balance at a moment, and a period's statement. */
import assert from 'node:assert/strict';
import type { Database } from '../db/database';
import { balanceAtMinor, statementTotals, type StatementTotals } from '../db/queries/history';
import type { WalletId } from '../domain/ids';
import { assertCanView } from '../domain/access';
import type { Caller } from '../domain/caller';
import { period, type Period } from '../domain/period';
import type { Services } from './services';
import type { WalletRef } from './wallets';

export function balanceAt(db: Database, walletId: WalletId, atMs: number): Promise<bigint> {
  return db.read((sql) => balanceAtMinor(sql, walletId, atMs));
}

/** A period's balances and totals, which always add up (the ledger's order is its time order). */
export async function statementOf(
  db: Database,
  walletId: WalletId,
  { fromMs, toMs }: Period,
): Promise<StatementTotals> {
  const totals = await db.read((sql) => statementTotals(sql, walletId, fromMs, toMs));
  assert.equal(
    totals.openingMinor + totals.inMinor - totals.outMinor,
    totals.closingMinor,
    `wallet ${walletId}: the statement of [${fromMs}, ${toMs}) adds up`,
  );
  return totals;
}

/** The balance just before `atMs` of a wallet the caller may see. */
export function walletBalanceAt(
  services: Services,
  caller: Caller,
  wallet: WalletRef,
  atMs: number,
): Promise<bigint> {
  assertCanView(caller, wallet.ownerId);
  return balanceAt(services.db, wallet.id as WalletId, atMs);
}

/** The statement of `[fromMs, toMs)` (a period: checked after who asks) of a wallet the caller may see. */
export function walletStatement(
  services: Services,
  caller: Caller,
  wallet: WalletRef,
  fromMs: number,
  toMs: number,
): Promise<StatementTotals> {
  assertCanView(caller, wallet.ownerId);
  return statementOf(services.db, wallet.id as WalletId, period(fromMs, toMs));
}
