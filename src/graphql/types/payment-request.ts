/** People as others see them, and payment requests. */
import { Field, ID, ObjectType } from 'type-graphql';
import type { PaymentRequestStatus as PaymentRequestStatusName } from '../../domain/enums';
import { DateTimeScalar, MoneyScalar } from '../scalars';
import { SIMPLE } from './simple';
import { PaymentRequestStatus } from './enums';

@ObjectType('Party', { ...SIMPLE, description: 'All one user may see of another.' })
export class PartyView {
  @Field()
  name!: string;

  @Field(() => ID)
  walletId!: string;
}

@ObjectType('PaymentRequest', { ...SIMPLE, description: 'One person asking another to pay them.' })
export class PaymentRequestView {
  @Field(() => ID)
  id!: string;

  @Field(() => MoneyScalar)
  amount!: string;

  @Field()
  currency!: string;

  @Field(() => String, { nullable: true })
  details!: string | null;

  @Field(() => PaymentRequestStatus, {
    description: 'A PENDING request past expiresAt is EXPIRED.',
  })
  status!: PaymentRequestStatusName;

  @Field(() => PartyView)
  requester!: PartyView;

  @Field(() => PartyView)
  payer!: PartyView;

  @Field(() => DateTimeScalar)
  expiresAt!: Date;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  resolvedAt!: Date | null;

  /** The transfer that paid it (PaymentRequest.transfer). */
  transferId!: string | null;
}
