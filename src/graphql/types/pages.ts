/** Keyset pages (connections) of each listable type. */
import type { ClassType } from 'type-graphql';
import { Field, ObjectType } from 'type-graphql';
import { SIMPLE } from './simple';
import { UserView, WalletView } from './account';
import { HoldView } from './hold';
import { OperationView } from './operation';
import { PaymentRequestView } from './payment-request';
import { TransferView } from './transfer';
import { EventView, WebhookDeliveryView } from './webhook';

@ObjectType(SIMPLE)
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** `<Name>Connection` and `<Name>Edge` for a node type: the contract's page shape. */
function connection<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, SIMPLE)
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`, SIMPLE)
  class Connection {
    @Field(() => [node])
    nodes!: T[];

    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return Connection;
}

export const OperationConnection = connection(OperationView, 'Operation');
export const WalletConnection = connection(WalletView, 'Wallet');
export const TransferConnection = connection(TransferView, 'Transfer');
export const UserConnection = connection(UserView, 'User');
export const HoldConnection = connection(HoldView, 'Hold');
export const PaymentRequestConnection = connection(PaymentRequestView, 'PaymentRequest');
export const EventConnection = connection(EventView, 'Event');
export const WebhookDeliveryConnection = connection(WebhookDeliveryView, 'WebhookDelivery');
