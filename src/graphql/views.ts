/** Rows to GraphQL views: minor units become decimal strings in the currency's precision. */
import type { UserSummary } from '../domain/records';
import type {
  HoldRow,
  OperationRow,
  PaymentRequestRow,
  TransferRow,
  UserRow,
  WalletRow,
} from '../domain/records';
import type { TransferResult } from '../domain/records';
import type { Currencies } from '../domain/currencies';
import { formatMinor } from '../domain/money';
import type {
  HoldView,
  OperationView,
  PaymentRequestView,
  TransferPayload,
  TransferView,
  UserView,
  WalletView,
} from './types';

export function walletView(
  row: WalletRow & { owner?: UserSummary },
  currencies: Currencies,
): WalletView {
  return {
    id: row.id,
    currency: row.currency,
    balance: formatMinor(row.balanceMinor, currencies.precision(row.currency)),
    createdAt: new Date(row.createdAtMs),
    ownerId: row.userId,
    owner: row.owner === undefined ? null : userView(row.owner),
    balanceMinor: row.balanceMinor,
    heldMinor: row.heldMinor,
    precision: currencies.precision(row.currency),
  };
}

export function userView(row: Pick<UserRow, 'id' | 'name' | 'email' | 'role'>): UserView {
  return { id: row.id, name: row.name, email: row.email, role: row.role };
}

export function operationView(
  row: OperationRow & { counterpartyName?: string | null },
  precision: number,
): OperationView {
  return {
    knownCounterpartyName: row.counterpartyName,
    id: row.id,
    walletId: row.walletId,
    type: row.type,
    amount: formatMinor(row.amountMinor, precision),
    balanceAfter: formatMinor(row.balanceAfterMinor, precision),
    transferId: row.transferId,
    counterpartyWalletId: row.counterpartyWalletId,
    reference: row.reference,
    details: row.details,
    holdId: row.holdId,
    refundOf: row.refundOf,
    createdAt: new Date(row.createdAtMs),
  };
}

export function paymentRequestView(row: PaymentRequestRow, precision: number): PaymentRequestView {
  return {
    id: row.id,
    amount: formatMinor(row.amountMinor, precision),
    currency: row.currency,
    details: row.details,
    status: row.status,
    requester: { name: row.requesterName, walletId: row.requesterWalletId },
    payer: { name: row.payerName, walletId: row.payerWalletId },
    expiresAt: new Date(row.expiresAtMs),
    createdAt: new Date(row.createdAtMs),
    resolvedAt: row.resolvedAtMs === null ? null : new Date(row.resolvedAtMs),
    transferId: row.transferId,
  };
}

export function holdView(row: HoldRow, precision: number): HoldView {
  return {
    id: row.id,
    walletId: row.walletId,
    amount: formatMinor(row.amountMinor, precision),
    capturedAmount: row.capturedMinor === null ? null : formatMinor(row.capturedMinor, precision),
    status: row.status,
    reference: row.reference,
    details: row.details,
    expiresAt: new Date(row.expiresAtMs),
    createdAt: new Date(row.createdAtMs),
    resolvedAt: row.resolvedAtMs === null ? null : new Date(row.resolvedAtMs),
    serviceUserId: row.serviceUserId,
    precision,
  };
}

export function transferView(row: TransferRow, currencies: Currencies): TransferView {
  return {
    id: row.id,
    fromWalletId: row.fromWalletId,
    toWalletId: row.toWalletId,
    amount: formatMinor(row.amountMinor, currencies.precision(row.currency)),
    currency: row.currency,
    details: row.details,
    refundedAmount: formatMinor(row.refundedMinor, currencies.precision(row.currency)),
    refundOf: row.refundOf,
    createdAt: new Date(row.createdAtMs),
  };
}

/** A movement between two wallets, answered from the side that sent the money. */
export function transferPayload(result: TransferResult, currencies: Currencies): TransferPayload {
  return {
    transfer: transferView(result.transfer, currencies),
    operation: operationView(result.operation, currencies.precision(result.wallet.currency)),
    wallet: walletView(result.wallet, currencies),
  };
}
