/**
 * The GraphQL object types of the contract. Money fields hold formatted decimal strings.
 *
 * They are plain data, so each is declared with simpleResolvers: graphql reads
 * a property straight off the object instead of through type-graphql's
 * per-field wrapper (a closure call and an allocation for each field of each
 * answer). That also skips middlewares and auth rules on those properties, and
 * none has any; field resolvers, such as Wallet.operations, keep theirs.
 */
import type { ClassType } from 'type-graphql';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { HoldStatus as HoldStatusName } from '../domain/enums';
import type { DeliveryStatus as DeliveryStatusName } from '../domain/enums';
import { EVENT_TYPES, type EventType as EventTypeName } from '../domain/event-types';
import type { OperationType as OperationKind } from '../domain/enums';
import type { PaymentRequestStatus as PaymentRequestStatusName } from '../domain/enums';
import type { Role as RoleName } from '../domain/enums';
import { DateTimeScalar, MoneyScalar } from './scalars';

export enum Role {
  USER = 'USER',
  SERVICE = 'SERVICE',
  ADMIN = 'ADMIN',
}
registerEnumType(Role, { name: 'Role' });

const SIMPLE = { simpleResolvers: true } as const;

export enum OperationType {
  DEPOSIT = 'DEPOSIT',
  WITHDRAWAL = 'WITHDRAWAL',
  TRANSFER_IN = 'TRANSFER_IN',
  TRANSFER_OUT = 'TRANSFER_OUT',
}
registerEnumType(OperationType, { name: 'OperationType' });

export enum HoldStatus {
  PENDING = 'PENDING',
  CAPTURED = 'CAPTURED',
  VOIDED = 'VOIDED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(HoldStatus, { name: 'HoldStatus' });

export enum PaymentRequestStatus {
  PENDING = 'PENDING',
  PAID = 'PAID',
  DECLINED = 'DECLINED',
  CANCELED = 'CANCELED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(PaymentRequestStatus, { name: 'PaymentRequestStatus' });

export enum PaymentRequestDirection {
  INCOMING = 'INCOMING',
  OUTGOING = 'OUTGOING',
}
registerEnumType(PaymentRequestDirection, {
  name: 'PaymentRequestDirection',
  valuesConfig: {
    INCOMING: { description: 'Requests the caller is asked to pay.' },
    OUTGOING: { description: 'Requests the caller made.' },
  },
});

/** The event types, as GraphQL's enum (their list is domain/event-types.ts). */
export const EventTypeEnum = Object.fromEntries(EVENT_TYPES.map((type) => [type, type])) as {
  [T in EventTypeName]: T;
};
registerEnumType(EventTypeEnum, { name: 'EventType' });

export enum DeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}
registerEnumType(DeliveryStatus, { name: 'DeliveryStatus' });

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

@ObjectType('Event', {
  ...SIMPLE,
  description: 'Something that happened, as a webhook reports it.',
})
export class EventView {
  @Field(() => ID)
  id!: string;

  @Field(() => EventTypeEnum)
  type!: EventTypeName;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => [ID])
  walletIds!: string[];

  @Field({ description: "The webhook's JSON body." })
  data!: string;
}

@ObjectType('WebhookEndpoint', SIMPLE)
export class WebhookEndpointView {
  @Field(() => ID)
  id!: string;

  @Field()
  url!: string;

  @Field(() => [EventTypeEnum])
  eventTypes!: EventTypeName[];

  @Field({ description: 'Whether it is sent events (a deleted endpoint is gone).' })
  enabled!: boolean;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType('CreatedWebhookEndpoint', SIMPLE)
export class CreatedWebhookEndpointView {
  @Field(() => WebhookEndpointView)
  endpoint!: WebhookEndpointView;

  @Field({ description: 'The signing secret (whsec_…): shown here once, never again.' })
  secret!: string;
}

@ObjectType('WebhookDelivery', SIMPLE)
export class WebhookDeliveryView {
  @Field(() => ID)
  id!: string;

  @Field(() => DeliveryStatus)
  status!: DeliveryStatusName;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int, { nullable: true })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  nextAttemptAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  deliveredAt!: Date | null;

  /** For WebhookDelivery.event. */
  eventId!: string;
}

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
