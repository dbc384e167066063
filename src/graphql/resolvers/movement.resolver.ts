import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver, UseMiddleware } from 'type-graphql';
import { getWallet, payeeOf, transferWallets, walletsForEmail } from '../../app/wallets';
import { assertCanSpend } from '../../domain/access';
import { signedIn } from '../auth-checker';
import type { Context } from '../context';
import { findOperationByReference, findTransfer, walletsById } from '../../db/queries';
import { DomainError } from '../../domain/errors';
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
    const caller = signedIn(context);
    const { db, ledger, currencies, wallets, config } = context.services;
    const payee = payeeOf(input);
    const sourceId = input.fromWalletId ?? null;
    const { source, target } =
      'walletId' in payee
        ? await transferWallets(db, wallets, caller, payee.walletId, sourceId)
        : await walletsForEmail(db, wallets, caller, payee.email, sourceId, config.defaultCurrency);
    assertCanSpend(caller, source.userId);
    const result = await ledger.transfer({
      initiatorUserId: caller.userId,
      source,
      target,
      amount: input.amount,
      details: input.details ?? null,
      idempotencyKey: input.idempotencyKey ?? null,
    });
    return transferPayload(result, currencies);
  }

  @Authorized(Role.SERVICE)
  @Mutation(() => ExternalPayload, { description: 'Credits a wallet from outside (a deposit).' })
  externalToWallet(
    @Arg('input') input: ExternalToWalletInput,
    @Ctx() context: Context,
  ): Promise<ExternalPayload> {
    return this.external('deposit', input, context);
  }

  @Authorized(Role.SERVICE)
  @Mutation(() => ExternalPayload, { description: 'Debits a wallet to outside (a withdrawal).' })
  walletToExternal(
    @Arg('input') input: WalletToExternalInput,
    @Ctx() context: Context,
  ): Promise<ExternalPayload> {
    return this.external('withdraw', input, context);
  }

  private async external(
    direction: 'deposit' | 'withdraw',
    input: ExternalToWalletInput,
    context: Context,
  ): Promise<ExternalPayload> {
    const caller = signedIn(context);
    const { db, ledger, currencies } = context.services;
    const wallet = await getWallet(db, input.walletId);
    const result = await ledger[direction]({
      serviceUserId: caller.userId,
      wallet,
      amount: input.amount,
      reference: input.reference,
      details: input.details ?? null,
    });
    return externalPayload(result, currencies);
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
    const caller = signedIn(context);
    assertLengthAtMost(reference, KEY_LENGTH_MAX, 'reference');
    const { db, currencies } = context.services;
    const operation = await db.read((sql) =>
      findOperationByReference(sql, caller.userId, reference),
    );
    if (operation === null) return null;
    const [wallet] = await db.read((sql) => walletsById(sql, [operation.walletId]));
    return operationView(operation, currencies.precision(wallet.currency));
  }

  @Authorized()
  @Query(() => TransferView, {
    nullable: true,
    description: 'One transfer, for a party to it or an admin: to reconcile after a lost response.',
  })
  async transfer(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<TransferView> {
    const caller = signedIn(context);
    const { db, currencies } = context.services;
    const transfer = await db.read((sql) => findTransfer(sql, id));
    if (transfer === null) throw new DomainError('NOT_FOUND', 'There is no transfer with this id.');
    const wallets = await db.read((sql) =>
      walletsById(sql, [transfer.fromWalletId, transfer.toWalletId]),
    );
    const isParty =
      transfer.initiatorUserId === caller.userId ||
      wallets.some((wallet) => wallet.userId === caller.userId);
    if (!isParty && caller.role !== 'ADMIN') {
      throw new DomainError('FORBIDDEN', 'Only the parties to a transfer and admins can see it.');
    }
    return transferView(transfer, currencies);
  }
}
