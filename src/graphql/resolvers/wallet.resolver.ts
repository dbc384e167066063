import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import * as wallets from '../../app/wallets';
import { assertCanView } from '../../domain/access';
import { signedIn } from '../auth-checker';
import type { Context } from '../context';
import { type OperationFilter } from '../../domain/period';
import { mapPage } from '../../domain/pages';
import type { HoldStatus as HoldStatusName } from '../../domain/enums';
import { formatMinor } from '../../domain/money';
import type { OperationType as OperationKind } from '../../domain/enums';
import { assertDistinct } from '../validation';
import { DateTimeScalar, MoneyScalar } from '../scalars';
import {
  HoldConnection,
  HoldStatus,
  OperationConnection,
  OperationType,
  UserView,
  WalletView,
} from '../types';
import { holdView, operationView, userView, walletView } from '../views';

/**
 * A page costs its size times what each node costs. (Costs are cached on the
 * assumption that only Int arguments such as `first` change them: see
 * complexityLimit.)
 */
export const pageComplexity = ({
  args,
  childComplexity,
}: {
  args: { first?: number };
  childComplexity: number;
}) => 1 + childComplexity * Math.max(1, Math.min(args.first ?? 20, 100));

/**
 * A wallet's reserve and what it can spend, read once per wallet view for
 * both balances that need it.
 */
const balancesOf = new WeakMap<WalletView, ReturnType<typeof wallets.walletBalances>>();
function balances(wallet: WalletView, context: Context): ReturnType<typeof wallets.walletBalances> {
  let read = balancesOf.get(wallet);
  if (read === undefined) {
    read = wallets.walletBalances(context.services, wallet);
    balancesOf.set(wallet, read);
  }
  return read;
}

/** A page of a wallet's operations narrowed as asked, as GraphQL shows them. */
export async function operationsOf(
  context: Context,
  wallet: WalletView,
  narrowing: OperationFilter,
  first: number,
  after: string | null,
) {
  const page = await wallets.listOperations(
    context.services,
    signedIn(context),
    wallet,
    narrowing,
    first,
    after,
  );
  return mapPage(page, (row) => operationView(row, wallet.precision));
}

/** A user holds at most one wallet per currency: a handful. */
const WALLETS_PER_USER_MAX = 8;

@Resolver(() => WalletView)
export class WalletResolver {
  @Authorized()
  @Query(() => WalletView, {
    description: "No id: the caller's wallet in the default currency.",
  })
  async wallet(
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Ctx() context: Context,
  ): Promise<WalletView> {
    const wallet = await wallets.walletFor(context.services, signedIn(context), id ?? null);
    return walletView(wallet, context.services.currencies);
  }

  @Authorized()
  @Mutation(() => WalletView, { description: 'One wallet per user and currency.' })
  async openWallet(
    @Arg('currency') currency: string,
    @Ctx() context: Context,
  ): Promise<WalletView> {
    const wallet = await wallets.openWallet(context.services, signedIn(context), currency);
    return walletView(wallet, context.services.currencies);
  }

  @FieldResolver(() => OperationConnection, {
    description: 'Newest first; `from` inclusive, `to` exclusive, either may be left open.',
    complexity: pageComplexity,
  })
  async operations(
    @Root() wallet: WalletView,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('from', () => DateTimeScalar, { nullable: true }) from: Date | null,
    @Arg('to', () => DateTimeScalar, { nullable: true }) to: Date | null,
    @Arg('types', () => [OperationType], { nullable: true }) types: OperationKind[] | null,
    @Ctx() context: Context,
  ) {
    assertDistinct(types, 'types');
    const narrowing = {
      fromMs: from?.getTime() ?? null,
      toMs: to?.getTime() ?? null,
      types: types ?? null,
    };
    return operationsOf(context, wallet, narrowing, first, after);
  }

  @FieldResolver(() => MoneyScalar, {
    description: 'What can be spent: the balance less the pending holds.',
  })
  async availableBalance(@Root() wallet: WalletView, @Ctx() context: Context): Promise<string> {
    return formatMinor((await balances(wallet, context)).availableMinor, wallet.precision);
  }

  @FieldResolver(() => MoneyScalar, { description: 'What pending holds reserve.' })
  async heldBalance(@Root() wallet: WalletView, @Ctx() context: Context): Promise<string> {
    return formatMinor((await balances(wallet, context)).heldMinor, wallet.precision);
  }

  @FieldResolver(() => HoldConnection, { description: 'Newest first.', complexity: pageComplexity })
  async holds(
    @Root() wallet: WalletView,
    @Arg('status', () => HoldStatus, { nullable: true }) status: HoldStatusName | null,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() context: Context,
  ) {
    const page = await wallets.listHolds(
      context.services,
      signedIn(context),
      wallet,
      status ?? null,
      first,
      after,
    );
    return mapPage(page, (row) => holdView(row, wallet.precision));
  }

  @FieldResolver(() => UserView, { description: "The wallet's owner." })
  async owner(@Root() wallet: WalletView, @Ctx() context: Context): Promise<UserView> {
    const caller = signedIn(context);
    if (wallet.owner !== null) {
      assertCanView(caller, wallet.ownerId);
      return wallet.owner;
    }
    return userView(await wallets.walletOwner(context.services, caller, wallet));
  }
}

@Resolver(() => UserView)
export class UserFieldsResolver {
  @FieldResolver(() => [WalletView], {
    complexity: ({ childComplexity }) => 1 + childComplexity * WALLETS_PER_USER_MAX,
  })
  async wallets(@Root() user: UserView, @Ctx() context: Context): Promise<WalletView[]> {
    const rows = await wallets.walletsOfUser(context.services, signedIn(context), user.id);
    return rows.map((row) => walletView(row, context.services.currencies));
  }
}
