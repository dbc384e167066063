import { Arg, Authorized, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { getWallet } from '../../app/wallets';
import type { Context } from '../context';
import { lists, pageRequest, toPage } from '../../domain/pages';
import { transfersPage, usersPage, walletsPage } from '../../db/queries';
import { Role, TransferConnection, UserConnection, WalletConnection } from '../types';
import { transferView, userView, walletView } from '../views';
import { pageComplexity } from './wallet.resolver';

/** Lists for administrators, newest first, in keyset pages. */
@Resolver()
export class AdminResolver {
  @Authorized(Role.ADMIN)
  @Query(() => WalletConnection, { complexity: pageComplexity })
  async wallets(
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() context: Context,
  ) {
    const page = pageRequest(first, after, lists.wallets);
    const { db, currencies } = context.services;
    const rows = await db.read((sql) => walletsPage(sql, page));
    return toPage(rows, page, (row) => walletView(row, currencies));
  }

  @Authorized(Role.ADMIN)
  @Query(() => TransferConnection, { complexity: pageComplexity })
  async transfers(
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('walletId', () => ID, { nullable: true }) walletId: string | null,
    @Ctx() context: Context,
  ) {
    const { db, currencies } = context.services;
    const wallet =
      walletId === null || walletId === undefined ? null : await getWallet(db, walletId);
    const page = pageRequest(first, after, lists.transfers(wallet?.id ?? null));
    const rows = await db.read((sql) => transfersPage(sql, page, wallet?.id ?? null));
    return toPage(rows, page, (row) => transferView(row, currencies));
  }

  @Authorized(Role.ADMIN)
  @Query(() => UserConnection, { complexity: pageComplexity })
  async users(
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() context: Context,
  ) {
    const page = pageRequest(first, after, lists.users);
    const rows = await context.services.db.read((sql) => usersPage(sql, page));
    return toPage(rows, page, userView);
  }
}
