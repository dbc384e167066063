/** The contract's enums, registered with their GraphQL names. */
import { registerEnumType } from 'type-graphql';
import { EVENT_TYPES, type EventType as EventTypeName } from '../../domain/event-types';

export enum Role {
  USER = 'USER',
  SERVICE = 'SERVICE',
  ADMIN = 'ADMIN',
}
registerEnumType(Role, { name: 'Role' });

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
