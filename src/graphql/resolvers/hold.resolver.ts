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
import * as holds from '../../app/holds';
import { signedIn } from '../auth-checker';
import type { Context } from '../context';
import type { HoldResult } from '../../domain/records';
import type { Currencies } from '../../domain/currencies';
import { AuthorizeHoldInput, CaptureHoldInput } from '../inputs';
import { HoldPayload, HoldView, OperationView, Role } from '../types';
import { holdView, operationView, walletView } from '../views';

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
    const result = await holds.authorizeHold(context.services, signedIn(context), input);
    return holdPayload(result, context.services.currencies);
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
    const result = await holds.captureHold(context.services, signedIn(context), input);
    return holdPayload(result, context.services.currencies);
  }

  @Authorized(Role.SERVICE)
  @Mutation(() => HoldPayload, { description: 'Releases the whole hold, once.' })
  async voidHold(
    @Arg('holdId', () => ID) holdId: string,
    @Ctx() context: Context,
  ): Promise<HoldPayload> {
    const result = await holds.voidHold(context.services, signedIn(context), holdId);
    return holdPayload(result, context.services.currencies);
  }

  @Authorized()
  @Query(() => HoldView, {
    nullable: true,
    description: "One hold: for its service account, the wallet's owner, or an admin.",
  })
  async hold(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<HoldView> {
    const { hold, currency } = await holds.getHold(context.services, signedIn(context), id);
    return holdView(hold, context.services.currencies.precision(currency));
  }

  @FieldResolver(() => OperationView, {
    nullable: true,
    description: 'The WITHDRAWAL its capture wrote.',
  })
  async operation(@Root() hold: HoldView, @Ctx() context: Context): Promise<OperationView | null> {
    if (hold.status !== 'CAPTURED') return null;
    const capture = await holds.captureOf(context.services, hold.id);
    return capture && operationView(capture, hold.precision);
  }
}
