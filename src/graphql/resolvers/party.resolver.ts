import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  Query,
  Resolver,
  Root,
  UseMiddleware,
} from 'type-graphql';
import { signedIn } from '../auth-checker';
import type { Context } from '../context';
import * as recipients from '../../app/recipients';
import { assertLengthAtMost } from '../validation';
import { EmailLookupRateLimit } from '../rate-limits';
import { PartyView, TransferView } from '../types';
import { EMAIL_LENGTH_MAX } from '../../domain/limits';

/**
 * People as others see them (a Party: a name and a wallet id). `recipient`:
 * who a payment by email would reach, so a person can be shown the name
 * before money leaves. It reveals no more than paying them would (a name
 * and a wallet id) and counts against the same EMAIL_LOOKUPS_PER_HOUR.
 */
@Resolver(() => TransferView)
export class PartyResolver {
  @Authorized()
  @UseMiddleware(EmailLookupRateLimit)
  @Query(() => PartyView, {
    description:
      'The person with this email, as a payment by email would reach them: their name and their wallet in `currency` (default: DEFAULT_CURRENCY). Counts against EMAIL_LOOKUPS_PER_HOUR.',
  })
  async recipient(
    @Arg('email') email: string,
    @Arg('currency', () => String, { nullable: true }) currency: string | null,
    @Ctx() context: Context,
  ): Promise<PartyView> {
    signedIn(context);
    assertLengthAtMost(email, EMAIL_LENGTH_MAX, 'email');
    return recipients.findRecipient(context.services, email, currency ?? null);
  }

  @FieldResolver(() => PartyView, { description: 'Who sent it.' })
  async from(@Root() transfer: TransferView, @Ctx() context: Context): Promise<PartyView> {
    return partyOf(context, transfer.fromWalletId);
  }

  @FieldResolver(() => PartyView, { description: 'Who received it.' })
  async to(@Root() transfer: TransferView, @Ctx() context: Context): Promise<PartyView> {
    return partyOf(context, transfer.toWalletId);
  }
}

async function partyOf(context: Context, walletId: string): Promise<PartyView> {
  const name = await recipients.ownerName(context.services, walletId);
  return { name: name ?? '', walletId };
}
