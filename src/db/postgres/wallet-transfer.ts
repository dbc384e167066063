/**
 * The PostgreSQL function a transfer runs (ledger/movements/transfer.ts),
 * whole, as wallet-transfer.sql defines it: the one place to read it.
 */
import fs from 'node:fs';
import path from 'node:path';

/** wallet-transfer.sql as a statement: its leading comment, then CREATE OR REPLACE FUNCTION. */
export const WALLET_TRANSFER_SQL = fs.readFileSync(
  path.join(__dirname, 'wallet-transfer.sql'),
  'utf8',
);

/** The function's definition alone, without the file's leading comment. */
export function walletTransferDefinition(): string {
  return WALLET_TRANSFER_SQL.replace(/^(--[^\n]*\n)+/, '');
}
