/** A period's statement of a wallet. */
import { Field, ID, ObjectType } from 'type-graphql';
import { DateTimeScalar, MoneyScalar } from '../scalars';
import { SIMPLE } from './simple';
import { WalletView } from './account';

@ObjectType('Statement', {
  ...SIMPLE,
  description:
    "A wallet's operations in a period [from, to), with what they add up to: opening + totalIn - totalOut = closing.",
})
export class StatementView {
  @Field(() => ID)
  walletId!: string;

  @Field(() => DateTimeScalar, { description: 'Inclusive.' })
  from!: Date;

  @Field(() => DateTimeScalar, { description: 'Exclusive.' })
  to!: Date;

  @Field()
  currency!: string;

  @Field(() => MoneyScalar, { description: 'The balance just before `from`.' })
  openingBalance!: string;

  @Field(() => MoneyScalar, { description: 'The balance just before `to`.' })
  closingBalance!: string;

  @Field(() => MoneyScalar, { description: 'Deposits and transfers in, over the period.' })
  totalIn!: string;

  @Field(() => MoneyScalar, { description: 'Withdrawals and transfers out, over the period.' })
  totalOut!: string;

  /** The wallet, for Statement.operations; not exposed. */
  wallet!: WalletView;
}
