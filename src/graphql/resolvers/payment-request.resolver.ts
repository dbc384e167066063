import {
  Arg,
  Args,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  UseMiddleware,
} from 'type-graphql';
import { getWallet } from '../../app/wallets';
import { assertIsParty } from '../../domain/access';
import { signedIn } from '../auth-checker';
import type { Context } from '../context';
import type { Caller } from '../../domain/caller';
import type { Database } from '../../db/database';
import { lists, pageRequest, toPage } from '../../domain/pages';
import {
  findPaymentRequest,
  findTransfer,
  findWalletOf,
  paymentRequestsPage,
} from '../../db/queries';
import type { PaymentRequestRow } from '../../domain/records';
import type { PaymentRequestStatus as PaymentRequestStatusName } from '../../domain/enums';
import { DomainError } from '../../domain/errors';
import { parseAmountMinor } from '../../domain/money';
import { closePaymentRequest, createPaymentRequest } from '../../app/payment-requests';
import { personByEmail } from '../../app/recipients';
import { PayPaymentRequestArgs, RequestPaymentInput } from '../inputs';
import { EmailLookupRateLimit } from '../rate-limits';
import {
  PaymentRequestConnection,
  PaymentRequestDirection,
  PaymentRequestStatus,
  PaymentRequestView,
  TransferPayload,
  TransferView,
} from '../types';
import { pageComplexity } from './wallet.resolver';
import { paymentRequestView, transferPayload, transferView } from '../views';
import { expiresInSecondsOr } from '../../domain/limits';

/** A payment request one of whose parties is the caller, or NOT_FOUND / FORBIDDEN. */
async function ownRequest(
  db: Database,
  caller: Caller,
  id: string,
  party: 'payer' | 'requester',
): Promise<PaymentRequestRow> {
  const request = await db.read((sql) => findPaymentRequest(sql, id));
  if (request === null) {
    throw new DomainError('NOT_FOUND', 'There is no payment request with this id.');
  }
  assertIsParty(caller, party === 'payer' ? request.payerUserId : request.requesterUserId, party);
  return request;
}

/** Asking to be paid, and paying, declining or canceling what was asked. */
@Resolver(() => PaymentRequestView)
export class PaymentRequestResolver {
  @Authorized()
  @Mutation(() => PaymentRequestView, {
    description: 'Asks the person with payerEmail to pay into one of your wallets.',
  })
  @UseMiddleware(EmailLookupRateLimit)
  async requestPayment(
    @Arg('input') input: RequestPaymentInput,
    @Ctx() context: Context,
  ): Promise<PaymentRequestView> {
    const caller = signedIn(context);
    const { db, currencies, config } = context.services;
    // The wallet is the caller's before the payer is looked up: what the lookup
    // answers is about that wallet's currency.
    const into =
      input.toWalletId === null || input.toWalletId === undefined
        ? await db.read((sql) => findWalletOf(sql, caller.userId, config.defaultCurrency))
        : await getWallet(db, input.toWalletId);
    if (into === null) {
      throw new DomainError('NOT_FOUND', `You have no ${config.defaultCurrency} wallet.`);
    }
    if (into.userId !== caller.userId) {
      throw new DomainError('FORBIDDEN', 'You can only ask to be paid into your own wallets.');
    }
    const payer = await personByEmail(db, input.payerEmail, 'payerEmail');
    if (payer.id === caller.userId) {
      throw new DomainError('BAD_USER_INPUT', 'You cannot ask yourself to pay you.', {
        field: 'payerEmail',
      });
    }
    const payerWallet = await db.read((sql) => findWalletOf(sql, payer.id, into.currency));
    if (payerWallet === null) {
      throw new DomainError(
        'CURRENCY_MISMATCH',
        `The person with this email holds no ${into.currency} wallet.`,
      );
    }
    const precision = currencies.precision(into.currency);
    const request = await createPaymentRequest(db, {
      requesterUserId: caller.userId,
      requesterWallet: into,
      payerUserId: payer.id,
      payerWallet,
      amountMinor: parseAmountMinor(input.amount, into.currency, precision),
      details: input.details ?? null,
      expiresInSeconds: expiresInSecondsOr(input.expiresInSeconds),
      idempotencyKey: input.idempotencyKey ?? null,
      precision,
    });
    return paymentRequestView(request, precision);
  }

  @Authorized()
  @Query(() => PaymentRequestConnection, {
    description: "The caller's requests, newest first: those they are asked to pay, or made.",
    complexity: pageComplexity,
  })
  async paymentRequests(
    @Arg('direction', () => PaymentRequestDirection) direction: PaymentRequestDirection,
    @Arg('status', () => PaymentRequestStatus, { nullable: true })
    status: PaymentRequestStatusName | null,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() context: Context,
  ) {
    const caller = signedIn(context);
    const { db, currencies } = context.services;
    const page = pageRequest(
      first,
      after,
      lists.paymentRequests(caller.userId, direction, status ?? null),
    );
    const rows = await db.read((sql) =>
      paymentRequestsPage(sql, caller.userId, direction, status ?? null, page),
    );
    return toPage(rows, page, (row) => paymentRequestView(row, currencies.precision(row.currency)));
  }

  @Authorized()
  @Mutation(() => TransferPayload, {
    description:
      'The payer pays it with one transfer; the request is PAID in the same transaction.',
  })
  async payPaymentRequest(
    @Args() args: PayPaymentRequestArgs,
    @Ctx() context: Context,
  ): Promise<TransferPayload> {
    const caller = signedIn(context);
    const { db, ledger, currencies } = context.services;
    const request = await ownRequest(db, caller, args.id, 'payer');
    const fromWalletId = args.fromWalletId ?? request.payerWalletId;
    const source = await getWallet(db, fromWalletId);
    if (source.userId !== caller.userId) {
      throw new DomainError('FORBIDDEN', 'You can only pay from your own wallets.');
    }
    const target = await getWallet(db, request.requesterWalletId);
    const result = await ledger.payRequest({
      payerUserId: caller.userId,
      request,
      source,
      target,
      idempotencyKey: args.idempotencyKey ?? null,
    });
    return transferPayload(result, currencies);
  }

  @Authorized()
  @Mutation(() => PaymentRequestView, { description: 'The payer declines it: final.' })
  async declinePaymentRequest(
    @Arg('id', () => ID) id: string,
    @Ctx() context: Context,
  ): Promise<PaymentRequestView> {
    const { db, currencies } = context.services;
    const request = await ownRequest(db, signedIn(context), id, 'payer');
    const precision = currencies.precision(request.currency);
    const declined = await closePaymentRequest(db, request, 'DECLINED', precision);
    return paymentRequestView(declined, currencies.precision(declined.currency));
  }

  @Authorized()
  @Mutation(() => PaymentRequestView, { description: 'The requester cancels it: final.' })
  async cancelPaymentRequest(
    @Arg('id', () => ID) id: string,
    @Ctx() context: Context,
  ): Promise<PaymentRequestView> {
    const { db, currencies } = context.services;
    const request = await ownRequest(db, signedIn(context), id, 'requester');
    const precision = currencies.precision(request.currency);
    const canceled = await closePaymentRequest(db, request, 'CANCELED', precision);
    return paymentRequestView(canceled, currencies.precision(canceled.currency));
  }

  @FieldResolver(() => TransferView, { nullable: true, description: 'The transfer that paid it.' })
  async transfer(
    @Root() request: PaymentRequestView,
    @Ctx() context: Context,
  ): Promise<TransferView | null> {
    const { transferId } = request;
    if (transferId === null) return null;
    const { db, currencies } = context.services;
    const transfer = await db.read((sql) => findTransfer(sql, transferId));
    return transfer && transferView(transfer, currencies);
  }
}
