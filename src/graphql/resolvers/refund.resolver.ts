import assert from 'node:assert/strict';
import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { assertCanRefund } from '../../domain/access';
import { signedIn } from '../auth-checker';
import type { Context } from '../context';
import { findTransfer, refundsOf, walletsById } from '../../db/queries';
import { DomainError } from '../../domain/errors';
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
    const caller = signedIn(context);
    const { db, ledger, currencies } = context.services;
    const original = await db.read((sql) => findTransfer(sql, input.transferId));
    if (original === null) {
      throw new DomainError('NOT_FOUND', 'There is no transfer with this id.');
    }
    const wallets = await db.read((sql) =>
      walletsById(sql, [original.fromWalletId, original.toWalletId]),
    );
    const sender = wallets.find((w) => w.id === original.fromWalletId);
    const recipient = wallets.find((w) => w.id === original.toWalletId);
    assert.ok(sender && recipient, `transfer ${original.id} has its wallets`);
    assertCanRefund(caller, recipient.userId);
    const result = await ledger.refund({
      initiatorUserId: caller.userId,
      original,
      source: recipient,
      target: sender,
      amount: input.amount ?? null,
      details: input.details ?? null,
      idempotencyKey: input.idempotencyKey ?? null,
    });
    return transferPayload(result, currencies);
  }

  @FieldResolver(() => [TransferView], {
    description: `The refunds of this transfer, oldest first (at most ${REFUNDS_PER_TRANSFER_MAX}).`,
    complexity: ({ childComplexity }) => 1 + childComplexity * REFUNDS_PER_TRANSFER_MAX,
  })
  async refunds(@Root() transfer: TransferView, @Ctx() context: Context): Promise<TransferView[]> {
    const { db, currencies } = context.services;
    if (transfer.refundOf !== null) return []; // a refund is never refunded
    const rows = await db.read((sql) => refundsOf(sql, transfer.id));
    return rows.map((row) => transferView(row, currencies));
  }
}
