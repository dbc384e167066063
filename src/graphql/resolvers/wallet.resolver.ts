import assert from 'node:assert/strict';
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
import { getWallet, openWallet } from '../../app/wallets';
import { assertCanView } from '../../domain/access';
import { signedIn } from '../auth-checker';
import type { Context } from '../context';
import { operationsPage } from '../../db/queries/history';
import { type OperationFilter } from '../../domain/period';
import {
  encodeOperationCursor,
  filterKey,
  lists,
  operationPageRequest,
  pageRequest,
  toPage,
} from '../../domain/pages';
import {
  findUserById,
  findWalletOf,
  holdsPage,
  pendingHeldMinor,
  walletsOf,
} from '../../db/queries';
import type { UserId, WalletId } from '../../domain/ids';
import { DomainError } from '../../domain/errors';
import type { HoldStatus as HoldStatusName } from '../../domain/enums';
import { formatMinor } from '../../domain/money';
import type { OperationType as OperationKind } from '../../domain/enums';
import { operationFilter } from '../../domain/period';
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
 * The reserve of a wallet's pending, unexpired holds, by the database's
 * clock: none without a query when nothing is stored as held (nearly every
 * wallet), read once per wallet view for both balances that need it.
 */
const pendingHeldOf = new WeakMap<WalletView, Promise<bigint>>();
function pendingHeld(wallet: WalletView, context: Context): Promise<bigint> {
  if (wallet.heldMinor === 0n) return Promise.resolve(0n);
  let held = pendingHeldOf.get(wallet);
  if (held === undefined) {
    held = context.services.db.read((sql) => pendingHeldMinor(sql, wallet.id as WalletId));
    pendingHeldOf.set(wallet, held);
  }
  return held;
}

/** A page of a wallet's operations narrowed by `filter`, whose cursors name that filter. */
export async function operationsOf(
  context: Context,
  wallet: WalletView,
  filter: OperationFilter,
  first: number,
  after: string | null,
) {
  const key = filterKey([filter.fromMs, filter.toMs, filter.types?.join(',') ?? null]);
  const page = operationPageRequest(first, after, lists.operations(wallet.id, key));
  const rows = await context.services.db.read((sql) =>
    operationsPage(sql, wallet.id as WalletId, filter, page),
  );
  return toPage(
    rows,
    page,
    (row) => operationView(row, wallet.precision),
    (row) => encodeOperationCursor(page.list, row),
  );
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
    const caller = signedIn(context);
    const { db, config, currencies } = context.services;
    if (id === null || id === undefined) {
      const own = await db.read((sql) => findWalletOf(sql, caller.userId, config.defaultCurrency));
      if (own === null) {
        throw new DomainError('NOT_FOUND', `You have no ${config.defaultCurrency} wallet.`);
      }
      return walletView(own, currencies);
    }
    const wallet = await getWallet(db, id);
    assertCanView(caller, wallet.userId);
    return walletView(wallet, currencies);
  }

  @Authorized()
  @Mutation(() => WalletView, { description: 'One wallet per user and currency.' })
  async openWallet(
    @Arg('currency') currency: string,
    @Ctx() context: Context,
  ): Promise<WalletView> {
    const caller = signedIn(context);
    const { db, currencies } = context.services;
    return walletView(await openWallet(db, currencies, caller.userId, currency), currencies);
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
    assertCanView(signedIn(context), wallet.ownerId);
    const filter = operationFilter({
      fromMs: from?.getTime() ?? null,
      toMs: to?.getTime() ?? null,
      types: types ?? null,
    });
    return operationsOf(context, wallet, filter, first, after);
  }

  @FieldResolver(() => MoneyScalar, {
    description: 'What can be spent: the balance less the pending holds.',
  })
  async availableBalance(@Root() wallet: WalletView, @Ctx() context: Context): Promise<string> {
    const heldMinor = await pendingHeld(wallet, context);
    return formatMinor(wallet.balanceMinor - heldMinor, wallet.precision);
  }

  @FieldResolver(() => MoneyScalar, { description: 'What pending holds reserve.' })
  async heldBalance(@Root() wallet: WalletView, @Ctx() context: Context): Promise<string> {
    return formatMinor(await pendingHeld(wallet, context), wallet.precision);
  }

  @FieldResolver(() => HoldConnection, { description: 'Newest first.', complexity: pageComplexity })
  async holds(
    @Root() wallet: WalletView,
    @Arg('status', () => HoldStatus, { nullable: true }) status: HoldStatusName | null,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() context: Context,
  ) {
    assertCanView(signedIn(context), wallet.ownerId);
    const page = pageRequest(first, after, lists.holds(wallet.id, status ?? null));
    const rows = await context.services.db.read((sql) =>
      holdsPage(sql, wallet.id as WalletId, status ?? null, page),
    );
    return toPage(rows, page, (row) => holdView(row, wallet.precision));
  }

  @FieldResolver(() => UserView, { description: "The wallet's owner." })
  async owner(@Root() wallet: WalletView, @Ctx() context: Context): Promise<UserView> {
    assertCanView(signedIn(context), wallet.ownerId);
    if (wallet.owner !== null) return wallet.owner;
    const user = await context.services.db.read((sql) => findUserById(sql, wallet.ownerId));
    assert.ok(user !== null, `wallet ${wallet.id} has its owner`);
    return userView(user);
  }
}

@Resolver(() => UserView)
export class UserFieldsResolver {
  @FieldResolver(() => [WalletView], {
    complexity: ({ childComplexity }) => 1 + childComplexity * WALLETS_PER_USER_MAX,
  })
  async wallets(@Root() user: UserView, @Ctx() context: Context): Promise<WalletView[]> {
    const caller = signedIn(context);
    assertCanView(caller, user.id);
    const { db, currencies } = context.services;
    const rows = await db.read((sql) => walletsOf(sql, user.id as UserId));
    return rows.map((row) => walletView(row, currencies));
  }
}
