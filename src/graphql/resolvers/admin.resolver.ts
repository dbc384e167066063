import { Arg, Authorized, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import * as admin from '../../app/admin';
import type { Context } from '../context';
import { mapPage } from '../../domain/pages';
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
    const page = await admin.listWallets(context.services, first, after);
    return mapPage(page, (row) => walletView(row, context.services.currencies));
  }

  @Authorized(Role.ADMIN)
  @Query(() => TransferConnection, { complexity: pageComplexity })
  async transfers(
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('walletId', () => ID, { nullable: true }) walletId: string | null,
    @Ctx() context: Context,
  ) {
    const page = await admin.listTransfers(context.services, first, after, walletId ?? null);
    return mapPage(page, (row) => transferView(row, context.services.currencies));
  }

  @Authorized(Role.ADMIN)
  @Query(() => UserConnection, { complexity: pageComplexity })
  async users(
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() context: Context,
  ) {
    return mapPage(await admin.listUsers(context.services, first, after), userView);
  }
}
