/** A hold on a wallet. */
import { Field, ID, ObjectType } from 'type-graphql';
import type { HoldStatus as HoldStatusName } from '../../domain/enums';
import { DateTimeScalar, MoneyScalar } from '../scalars';
import { SIMPLE } from './simple';
import { HoldStatus } from './enums';

@ObjectType('Hold', { ...SIMPLE, description: "A reserve on a wallet's available balance." })
export class HoldView {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  walletId!: string;

  @Field(() => MoneyScalar)
  amount!: string;

  @Field(() => MoneyScalar, { nullable: true, description: 'What a capture took.' })
  capturedAmount!: string | null;

  @Field(() => HoldStatus, { description: 'A PENDING hold past expiresAt is EXPIRED.' })
  status!: HoldStatusName;

  @Field()
  reference!: string;

  @Field(() => String, { nullable: true })
  details!: string | null;

  @Field(() => DateTimeScalar)
  expiresAt!: Date;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  resolvedAt!: Date | null;

  /** Who may see it: the service that authorized it (and the wallet's owner, an admin). */
  serviceUserId!: string;
  precision!: number;
}
