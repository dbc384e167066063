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
import { signedIn } from '../auth-checker';
import type { Context } from '../context';
import { mapPage } from '../../domain/pages';
import type { PaymentRequestStatus as PaymentRequestStatusName } from '../../domain/enums';
import * as paymentRequests from '../../app/payment-requests';
import { transferById } from '../../app/movements';
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
    const request = await paymentRequests.requestPayment(
      context.services,
      signedIn(context),
      input,
    );
    return paymentRequestView(request, context.services.currencies.precision(request.currency));
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
    const { currencies } = context.services;
    const page = await paymentRequests.listPaymentRequests(
      context.services,
      signedIn(context),
      direction,
      status ?? null,
      first,
      after,
    );
    return mapPage(page, (row) => paymentRequestView(row, currencies.precision(row.currency)));
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
    const result = await paymentRequests.payPaymentRequest(
      context.services,
      signedIn(context),
      args,
    );
    return transferPayload(result, context.services.currencies);
  }

  @Authorized()
  @Mutation(() => PaymentRequestView, { description: 'The payer declines it: final.' })
  async declinePaymentRequest(
    @Arg('id', () => ID) id: string,
    @Ctx() context: Context,
  ): Promise<PaymentRequestView> {
    const declined = await paymentRequests.declinePaymentRequest(
      context.services,
      signedIn(context),
      id,
    );
    return paymentRequestView(declined, context.services.currencies.precision(declined.currency));
  }

  @Authorized()
  @Mutation(() => PaymentRequestView, { description: 'The requester cancels it: final.' })
  async cancelPaymentRequest(
    @Arg('id', () => ID) id: string,
    @Ctx() context: Context,
  ): Promise<PaymentRequestView> {
    const canceled = await paymentRequests.cancelPaymentRequest(
      context.services,
      signedIn(context),
      id,
    );
    return paymentRequestView(canceled, context.services.currencies.precision(canceled.currency));
  }

  @FieldResolver(() => TransferView, { nullable: true, description: 'The transfer that paid it.' })
  async transfer(
    @Root() request: PaymentRequestView,
    @Ctx() context: Context,
  ): Promise<TransferView | null> {
    const { transferId } = request;
    if (transferId === null) return null;
    const transfer = await transferById(context.services, transferId);
    return transfer && transferView(transfer, context.services.currencies);
  }
}
