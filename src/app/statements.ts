/** What a wallet's history answers: the balance at a moment, and a period's statement. */
import assert from 'node:assert/strict';
import type { Database } from '../db/database';
import { balanceAtMinor, statementTotals, type StatementTotals } from '../db/queries/history';
import type { WalletId } from '../domain/ids';
import type { Period } from '../domain/period';

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
