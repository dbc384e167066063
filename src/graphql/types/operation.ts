/** An operation: one leg of a wallet's ledger. */
import { Field, ID, ObjectType } from 'type-graphql';
import type { OperationType as OperationKind } from '../../domain/enums';
import { DateTimeScalar, MoneyScalar } from '../scalars';
import { SIMPLE } from './simple';
import { OperationType } from './enums';

@ObjectType('Operation', SIMPLE)
export class OperationView {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  walletId!: string;

  @Field(() => OperationType)
  type!: OperationKind;

  @Field(() => MoneyScalar, { description: 'Always positive; the type says the direction.' })
  amount!: string;

  @Field(() => MoneyScalar, { description: "The wallet's balance right after this operation." })
  balanceAfter!: string;

  @Field(() => ID, { nullable: true })
  transferId!: string | null;

  @Field(() => ID, { nullable: true })
  counterpartyWalletId!: string | null;

  @Field(() => String, { nullable: true })
  reference!: string | null;

  @Field(() => String, { nullable: true })
  details!: string | null;

  @Field(() => ID, { nullable: true, description: 'The hold whose capture this WITHDRAWAL is.' })
  holdId!: string | null;

  @Field(() => ID, { nullable: true, description: "A refund's leg: the transfer it refunds." })
  refundOf!: string | null;

  /** The other party's name when the query that read the operation read it too (Operation.counterpartyName). */
  knownCounterpartyName?: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}
