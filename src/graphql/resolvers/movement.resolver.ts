import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver, UseMiddleware } from 'type-graphql';
import * as movements from '../../app/movements';
import { signedIn } from '../auth-checker';
import type { Context } from '../context';
import type { ExternalResult } from '../../domain/records';
import type { Currencies } from '../../domain/currencies';
import { ExternalToWalletInput, WalletToExternalInput, WalletToWalletInput } from '../inputs';
import { EmailLookupRateLimit } from '../rate-limits';
import { ExternalPayload, OperationView, Role, TransferPayload, TransferView } from '../types';
import { operationView, transferPayload, transferView, walletView } from '../views';
import { assertLengthAtMost } from '../validation';
import { KEY_LENGTH_MAX } from '../../domain/limits';

function externalPayload(result: ExternalResult, currencies: Currencies): ExternalPayload {
  return {
    operation: operationView(result.operation, currencies.precision(result.wallet.currency)),
    wallet: walletView(result.wallet, currencies),
  };
}

@Resolver()
export class MovementResolver {
  @Authorized()
  @Mutation(() => TransferPayload, {
    description:
      "Moves money to a wallet (fromWalletId defaults to the caller's wallet in the recipient's currency) or to a person by email (in the sender's currency).",
  })
  @UseMiddleware(EmailLookupRateLimit)
  async walletToWallet(
    @Arg('input') input: WalletToWalletInput,
    @Ctx() context: Context,
  ): Promise<TransferPayload> {
    const result = await movements.sendMoney(context.services, signedIn(context), input);
    return transferPayload(result, context.services.currencies);
  }

  @Authorized(Role.SERVICE)
  @Mutation(() => ExternalPayload, { description: 'Credits a wallet from outside (a deposit).' })
  async externalToWallet(
    @Arg('input') input: ExternalToWalletInput,
    @Ctx() context: Context,
  ): Promise<ExternalPayload> {
    const result = await movements.deposit(context.services, signedIn(context), input);
    return externalPayload(result, context.services.currencies);
  }

  @Authorized(Role.SERVICE)
  @Mutation(() => ExternalPayload, { description: 'Debits a wallet to outside (a withdrawal).' })
  async walletToExternal(
    @Arg('input') input: WalletToExternalInput,
    @Ctx() context: Context,
  ): Promise<ExternalPayload> {
    const result = await movements.withdraw(context.services, signedIn(context), input);
    return externalPayload(result, context.services.currencies);
  }

  @Authorized(Role.SERVICE)
  @Query(() => OperationView, {
    nullable: true,
    description: "The caller's deposit or withdrawal with this reference, or null.",
  })
  async externalOperation(
    @Arg('reference') reference: string,
    @Ctx() context: Context,
  ): Promise<OperationView | null> {
    assertLengthAtMost(reference, KEY_LENGTH_MAX, 'reference');
    const found = await movements.externalOperation(context.services, signedIn(context), reference);
    if (found === null) return null;
    return operationView(found.operation, context.services.currencies.precision(found.currency));
  }

  @Authorized()
  @Query(() => TransferView, {
    nullable: true,
    description: 'One transfer, for a party to it or an admin: to reconcile after a lost response.',
  })
  async transfer(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<TransferView> {
    const transfer = await movements.getTransfer(context.services, signedIn(context), id);
    return transferView(transfer, context.services.currencies);
  }
}
