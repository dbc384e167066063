import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import * as refunds from '../../app/refunds';
import { signedIn } from '../auth-checker';
import type { Context } from '../context';
import { REFUNDS_PER_TRANSFER_MAX } from '../../domain/limits';
import { RefundTransferInput } from '../inputs';
import { TransferPayload, TransferView } from '../types';
import { transferPayload, transferView } from '../views';

/** Refunds: a transfer given back by its recipient (or an admin), in part or in full, once in total. */
@Resolver(() => TransferView)
export class RefundResolver {
  @Authorized()
  @Mutation(() => TransferPayload, {
    description:
      'A new transfer back from the recipient to the sender, refundOf the original; the refunding side answers.',
  })
  async refundTransfer(
    @Arg('input') input: RefundTransferInput,
    @Ctx() context: Context,
  ): Promise<TransferPayload> {
    const result = await refunds.refundTransfer(context.services, signedIn(context), input);
    return transferPayload(result, context.services.currencies);
  }

  @FieldResolver(() => [TransferView], {
    description: `The refunds of this transfer, oldest first (at most ${REFUNDS_PER_TRANSFER_MAX}).`,
    complexity: ({ childComplexity }) => 1 + childComplexity * REFUNDS_PER_TRANSFER_MAX,
  })
  async refunds(@Root() transfer: TransferView, @Ctx() context: Context): Promise<TransferView[]> {
    const rows = await refunds.refundsOfTransfer(context.services, transfer);
    return rows.map((row) => transferView(row, context.services.currencies));
  }
}
