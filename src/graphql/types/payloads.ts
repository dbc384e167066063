/** What the mutations that move money answer. */
import { Field, ObjectType } from 'type-graphql';
import { SIMPLE } from './simple';
import { WalletView } from './account';
import { HoldView } from './hold';
import { OperationView } from './operation';
import { TransferView } from './transfer';

@ObjectType(SIMPLE)
export class ExternalPayload {
  @Field(() => OperationView)
  operation!: OperationView;

  @Field(() => WalletView)
  wallet!: WalletView;
}

@ObjectType(SIMPLE)
export class HoldPayload {
  @Field(() => HoldView)
  hold!: HoldView;

  @Field(() => WalletView)
  wallet!: WalletView;
}

@ObjectType({ ...SIMPLE, description: "The transfer, with the sender's operation and wallet." })
export class TransferPayload {
  @Field(() => TransferView)
  transfer!: TransferView;

  @Field(() => OperationView)
  operation!: OperationView;

  @Field(() => WalletView)
  wallet!: WalletView;
}
