/** A transfer between two wallets. */
import { Field, ID, ObjectType } from 'type-graphql';
import { DateTimeScalar, MoneyScalar } from '../scalars';
import { SIMPLE } from './simple';

@ObjectType('Transfer', SIMPLE)
export class TransferView {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  fromWalletId!: string;

  @Field(() => ID)
  toWalletId!: string;

  @Field(() => MoneyScalar)
  amount!: string;

  @Field()
  currency!: string;

  @Field(() => String, { nullable: true })
  details!: string | null;

  @Field(() => MoneyScalar, { description: 'What refunds of this transfer have given back.' })
  refundedAmount!: string;

  @Field(() => ID, { nullable: true, description: 'The transfer this one refunds.' })
  refundOf!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}
