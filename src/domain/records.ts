/**
 * The records the service reads and returns: what a user, a wallet, an
 * operation, a transfer, a hold, a payment request or an event is, and what
 * a movement answers; a webhook endpoint and a delivery. Times are epoch
 * milliseconds; money is minor units.
 */
import type { EventType } from './event-types';
import type {
  DeliveryStatus,
  HoldStatus,
  OperationType,
  PaymentRequestStatus,
  Role,
} from './enums';
import type { HoldId, PaymentRequestId, UserId, WalletId } from './ids';

export interface UserRow {
  seq: bigint;
  id: UserId;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  createdAtMs: number;
}

export interface WalletRow {
  seq: bigint;
  id: WalletId;
  userId: UserId;
  currency: string;
  balanceMinor: bigint;
  /** The reserve of holds stored as PENDING, some perhaps expired (see availableMinor). */
  heldMinor: bigint;
  /** When its last operation was made: a movement's time is never earlier (legs.ts). */
  lastOperationAtMs: number;
  createdAtMs: number;
}

export interface OperationRow {
  seq: bigint;
  id: string;
  walletId: WalletId;
  type: OperationType;
  amountMinor: bigint;
  balanceAfterMinor: bigint;
  transferId: string | null;
  counterpartyWalletId: WalletId | null;
  reference: string | null;
  details: string | null;
  holdId: HoldId | null;
  /** A refund's leg: the transfer its transfer refunds. */
  refundOf: string | null;
  initiatorUserId: UserId;
  createdAtMs: number;
}

export interface TransferRow {
  seq: bigint;
  id: string;
  fromWalletId: WalletId;
  toWalletId: WalletId;
  amountMinor: bigint;
  currency: string;
  details: string | null;
  initiatorUserId: UserId;
  idempotencyKey: string | null;
  /** The transfer this one refunds. */
  refundOf: string | null;
  /** What refunds of this transfer have returned so far. */
  refundedMinor: bigint;
  createdAtMs: number;
}

/** U+0000, or half of a surrogate pair (text that is not well-formed Unicode). */
export interface HoldRow {
  seq: bigint;
  id: HoldId;
  walletId: WalletId;
  serviceUserId: UserId;
  reference: string;
  amountMinor: bigint;
  capturedMinor: bigint | null;
  /** As read: a PENDING hold past its expiry is EXPIRED (holdColumns). */
  status: HoldStatus;
  details: string | null;
  expiresAtMs: number;
  createdAtMs: number;
  resolvedAtMs: number | null;
}

export interface PaymentRequestRow {
  seq: bigint;
  id: PaymentRequestId;
  requesterUserId: UserId;
  requesterWalletId: WalletId;
  requesterName: string;
  payerUserId: UserId;
  payerWalletId: WalletId;
  payerName: string;
  amountMinor: bigint;
  currency: string;
  details: string | null;
  /** As read: a PENDING request past its expiry is EXPIRED (paymentRequestColumns). */
  status: PaymentRequestStatus;
  idempotencyKey: string | null;
  expiresAtMs: number;
  createdAtMs: number;
  resolvedAtMs: number | null;
  transferId: string | null;
}

/** What one user may be shown of another's account: never the password hash. */
export type UserSummary = Pick<UserRow, 'id' | 'email' | 'name' | 'role'>;

/** A wallet with its owner, as an administrator's list shows it. */
export interface OwnedWalletRow extends WalletRow {
  owner: UserSummary;
}

export interface EventRow {
  seq: bigint;
  txOrder: bigint;
  id: string;
  type: EventType;
  ownerUserId: UserId | null;
  walletIds: string[];
  body: string;
  createdAtMs: number;
}

export interface EndpointRow {
  id: string;
  ownerUserId: UserId;
  /** The owner's role: an admin's endpoint gets every event, a service's its own. */
  ownerRole: Role;
  url: string;
  eventTypes: EventType[];
  secretCiphertext: string;
  createdAtMs: number;
  /**
   * Where in the events' order it starts: it is sent the events at or past
   * this (startOf, in db/queries/webhooks).
   */
  from: { txOrder: bigint; seq: bigint };
}

export interface DeliveryRow {
  seq: bigint;
  id: string;
  endpointId: string;
  eventId: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAtMs: number | null;
  deliveredAtMs: number | null;
}

/** An operation with the name of the other party to its transfer, for people to read. */
export interface NamedOperationRow extends OperationRow {
  /** Null for a deposit or withdrawal (no other party); never an email. */
  counterpartyName: string | null;
}

export interface HoldResult {
  hold: HoldRow;
  wallet: WalletRow;
  /** A capture's WITHDRAWAL; null for the others. */
  operation: OperationRow | null;
  replayed: boolean;
}

export interface ExternalResult {
  operation: OperationRow;
  wallet: WalletRow;
  replayed: boolean;
}

export interface TransferResult {
  transfer: TransferRow;
  /** The sender's leg and wallet. */
  operation: OperationRow;
  wallet: WalletRow;
  replayed: boolean;
}

/** The payment, and the request as it stands once paid. */
export interface PayRequestResult extends TransferResult {
  request: PaymentRequestRow;
}

/** What never changes about a wallet; all a transfer needs before it takes its locks. */
export type WalletIdentity = Pick<WalletRow, 'id' | 'userId' | 'currency'>;
