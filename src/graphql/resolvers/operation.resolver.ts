import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { ownerName } from '../../app/recipients';
import { OperationView } from '../types';

@Resolver(() => OperationView)
export class OperationResolver {
  /**
   * A page of operations reads the names with the page (one statement); an
   * operation answered by itself (a payment's leg) looks its name up.
   */
  @FieldResolver(() => String, {
    nullable: true,
    description: "The other party's name on a transfer's leg, for people to read (never an email).",
  })
  async counterpartyName(
    @Root() operation: OperationView,
    @Ctx() context: Context,
  ): Promise<string | null> {
    if (operation.knownCounterpartyName !== undefined) return operation.knownCounterpartyName;
    const walletId = operation.counterpartyWalletId;
    if (walletId === null) return null;
    return ownerName(context.services, walletId);
  }
}
