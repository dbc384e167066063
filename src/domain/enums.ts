/** The service's closed sets of words: roles, kinds and statuses. */

export type Role = 'USER' | 'SERVICE' | 'ADMIN';
export const ROLES: readonly Role[] = ['USER', 'SERVICE', 'ADMIN'];

export type OperationType = 'DEPOSIT' | 'WITHDRAWAL' | 'TRANSFER_IN' | 'TRANSFER_OUT';

/** Stored statuses; a PENDING hold past its expiry reads as EXPIRED at once. */
export type HoldStatus = 'PENDING' | 'CAPTURED' | 'VOIDED' | 'EXPIRED';

/** Statuses; a PENDING request past its expiry reads as EXPIRED before it is stored so. */
export type PaymentRequestStatus = 'PENDING' | 'PAID' | 'DECLINED' | 'CANCELED' | 'EXPIRED';

/** A webhook delivery's states. */
export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

/** What a service account's reference was taken by: one namespace for all three. */
export type ReferenceKind = 'DEPOSIT' | 'WITHDRAWAL' | 'HOLD';
