/** Wallets and users. Money fields hold formatted decimal strings. */
import { Field, ID, ObjectType } from 'type-graphql';
import type { Role as RoleName } from '../../domain/enums';
import { DateTimeScalar, MoneyScalar } from '../scalars';
import { SIMPLE } from './simple';
import { Role } from './enums';

@ObjectType('Wallet', SIMPLE)
export class WalletView {
  @Field(() => ID)
  id!: string;

  @Field()
  currency!: string;

  @Field(() => MoneyScalar)
  balance!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  /** The owner, for the ownership check on `operations`; not exposed. */
  ownerId!: string;

  /** The owner, when the query that found the wallet read it too (see Wallet.owner). */
  owner!: UserView | null;

  /** For availableBalance and heldBalance: the balance, and the reserve stored (some may have expired). */
  balanceMinor!: bigint;
  heldMinor!: bigint;
  precision!: number;
}

@ObjectType('User', SIMPLE)
export class UserView {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  email!: string;

  @Field(() => Role)
  role!: RoleName;
}
