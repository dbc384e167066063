/** What administrators list: every wallet, transfer and user, newest first, in keyset pages. */
import { transfersPage, usersPage, walletsPage } from '../db/queries';
import { lists, pageRequest, toPage, type Page } from '../domain/pages';
import type { OwnedWalletRow, TransferRow, UserRow } from '../domain/records';
import type { Services } from './services';
import { getWallet } from './wallets';

export async function listWallets(
  services: Services,
  first: number,
  after: string | null,
): Promise<Page<OwnedWalletRow>> {
  const page = pageRequest(first, after, lists.wallets);
  const rows = await services.db.read((sql) => walletsPage(sql, page));
  return toPage(rows, page, (row) => row);
}

/** Every transfer, or those of one wallet. */
export async function listTransfers(
  services: Services,
  first: number,
  after: string | null,
  walletId: string | null,
): Promise<Page<TransferRow>> {
  const { db } = services;
  const wallet = walletId === null ? null : await getWallet(db, walletId);
  const page = pageRequest(first, after, lists.transfers(wallet?.id ?? null));
  const rows = await db.read((sql) => transfersPage(sql, page, wallet?.id ?? null));
  return toPage(rows, page, (row) => row);
}

export async function listUsers(
  services: Services,
  first: number,
  after: string | null,
): Promise<Page<UserRow>> {
  const page = pageRequest(first, after, lists.users);
  const rows = await services.db.read((sql) => usersPage(sql, page));
  return toPage(rows, page, (row) => row);
}
