import assert from 'node:assert/strict';
import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { getWallet } from '../../app/wallets';
import { assertAuthorizedHold, assertCanViewHold } from '../../domain/access';
import { signedIn } from '../auth-checker';
import type { Context } from '../context';
import type { Database } from '../../db/database';
import { findCaptureOf, findHold, walletsById } from '../../db/queries';
import type { HoldRow, WalletRow } from '../../domain/records';
import { DomainError } from '../../domain/errors';
import type { HoldResult } from '../../domain/records';
import type { Currencies } from '../../domain/currencies';
import { AuthorizeHoldInput, CaptureHoldInput } from '../inputs';
import { HoldPayload, HoldView, OperationView, Role } from '../types';
import { holdView, operationView, walletView } from '../views';
import { expiresInSecondsOr } from '../../domain/limits';

/** A hold and its wallet, or NOT_FOUND. */
async function getHold(db: Database, id: string): Promise<{ hold: HoldRow; wallet: WalletRow }> {
  const hold = await db.read((sql) => findHold(sql, id));
  if (hold === null) throw new DomainError('NOT_FOUND', 'There is no hold with this id.');
  const [wallet] = await db.read((sql) => walletsById(sql, [hold.walletId]));
  assert.ok(wallet, `hold ${hold.id} has its wallet`);
  return { hold, wallet };
}

function holdPayload(result: HoldResult, currencies: Currencies): HoldPayload {
  const precision = currencies.precision(result.wallet.currency);
  return { hold: holdView(result.hold, precision), wallet: walletView(result.wallet, currencies) };
}

/** The payment provider's holds: authorize, then capture (in part) or void, once. */
@Resolver(() => HoldView)
export class HoldResolver {
  @Authorized(Role.SERVICE)
  @Mutation(() => HoldPayload, {
    description: "Reserves an amount of the wallet's available balance until captured or voided.",
  })
  async authorizeHold(
    @Arg('input') input: AuthorizeHoldInput,
    @Ctx() context: Context,
  ): Promise<HoldPayload> {
    const caller = signedIn(context);
    const { db, ledger, currencies } = context.services;
    const wallet = await getWallet(db, input.walletId);
    const result = await ledger.authorizeHold({
      serviceUserId: caller.userId,
      wallet,
      amount: input.amount,
      reference: input.reference,
      details: input.details ?? null,
      expiresInSeconds: expiresInSecondsOr(input.expiresInSeconds),
    });
    return holdPayload(result, currencies);
  }

  @Authorized(Role.SERVICE)
  @Mutation(() => HoldPayload, {
    description:
      'Once: one WITHDRAWAL of the amount (at most the hold; none: all of it), the rest released.',
  })
  async captureHold(
    @Arg('input') input: CaptureHoldInput,
    @Ctx() context: Context,
  ): Promise<HoldPayload> {
    const caller = signedIn(context);
    const { db, ledger, currencies } = context.services;
    const { hold, wallet } = await getHold(db, input.holdId);
    assertAuthorizedHold(caller, hold);
    const result = await ledger.captureHold({
      serviceUserId: caller.userId,
      hold,
      wallet,
      amount: input.amount ?? null,
    });
    return holdPayload(result, currencies);
  }

  @Authorized(Role.SERVICE)
  @Mutation(() => HoldPayload, { description: 'Releases the whole hold, once.' })
  async voidHold(
    @Arg('holdId', () => ID) holdId: string,
    @Ctx() context: Context,
  ): Promise<HoldPayload> {
    const caller = signedIn(context);
    const { db, ledger, currencies } = context.services;
    const { hold, wallet } = await getHold(db, holdId);
    assertAuthorizedHold(caller, hold);
    const result = await ledger.voidHold({ serviceUserId: caller.userId, hold, wallet });
    return holdPayload(result, currencies);
  }

  @Authorized()
  @Query(() => HoldView, {
    nullable: true,
    description: "One hold: for its service account, the wallet's owner, or an admin.",
  })
  async hold(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<HoldView> {
    const { db, currencies } = context.services;
    const { hold, wallet } = await getHold(db, id);
    assertCanViewHold(signedIn(context), hold, wallet.userId);
    return holdView(hold, currencies.precision(wallet.currency));
  }

  @FieldResolver(() => OperationView, {
    nullable: true,
    description: 'The WITHDRAWAL its capture wrote.',
  })
  async operation(@Root() hold: HoldView, @Ctx() context: Context): Promise<OperationView | null> {
    if (hold.status !== 'CAPTURED') return null;
    const capture = await context.services.db.read((sql) => findCaptureOf(sql, hold.id));
    return capture && operationView(capture, hold.precision);
  }
}
