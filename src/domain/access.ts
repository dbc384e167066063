/**
 * Who may see or do what with a wallet, a hold, a transfer or a payment
 * request: each rule in one place, whatever asks.
 */
import type { Caller } from './caller';
import { DomainError } from './errors';

/** Wallet ownership, in one place: who may see a wallet, and who may send from it. */
export function assertCanView(caller: Caller, ownerId: string): void {
  if (caller.role === 'ADMIN' || ownerId === caller.userId) return;
  throw new DomainError('FORBIDDEN', 'This wallet belongs to someone else.');
}

/** A hold is seen by the service that authorized it, the wallet's owner and admins. */
export function assertCanViewHold(
  caller: Caller,
  hold: { serviceUserId: string },
  walletOwnerId: string,
): void {
  if (caller.role === 'ADMIN' || caller.userId === hold.serviceUserId) return;
  if (caller.userId === walletOwnerId) return;
  throw new DomainError('FORBIDDEN', 'This hold belongs to someone else.');
}

/** Only the service that authorized a hold captures or voids it. */
export function assertAuthorizedHold(caller: Caller, hold: { serviceUserId: string }): void {
  if (caller.userId === hold.serviceUserId) return;
  throw new DomainError(
    'FORBIDDEN',
    'Only the service account that authorized a hold resolves it.',
  );
}

/** A transfer is refunded by its recipient (giving back) or an admin (a correction), never its sender. */
export function assertCanRefund(caller: Caller, recipientOwnerId: string): void {
  if (caller.role === 'ADMIN' || caller.userId === recipientOwnerId) return;
  throw new DomainError(
    'FORBIDDEN',
    'Only the recipient of a transfer, or an admin, can refund it.',
  );
}

/** Only a payment request's payer pays or declines it, only its requester cancels it. */
export function assertIsParty(caller: Caller, partyId: string, party: 'payer' | 'requester'): void {
  if (caller.userId === partyId) return;
  throw new DomainError(
    'FORBIDDEN',
    party === 'payer'
      ? 'Only the person asked to pay can pay or decline this request.'
      : 'Only the person who asked can cancel this request.',
  );
}

/** What a person does with a wallet that must be theirs, in the words of its refusal. */
const OWN_WALLET_WORDS = {
  send: 'You can only send money from your own wallets.',
  pay: 'You can only pay from your own wallets.',
  ask: 'You can only ask to be paid into your own wallets.',
} as const;

/** Money leaves (or is asked into) only a wallet of the caller's own. */
export function assertOwnWallet(
  caller: Caller,
  ownerId: string,
  use: keyof typeof OWN_WALLET_WORDS,
): void {
  if (ownerId === caller.userId) return;
  throw new DomainError('FORBIDDEN', OWN_WALLET_WORDS[use]);
}

/** A transfer is seen by whoever started it, the owners of its two wallets, and admins. */
export function assertCanSeeTransfer(
  caller: Caller,
  transfer: { initiatorUserId: string },
  walletOwnerIds: readonly string[],
): void {
  if (caller.role === 'ADMIN' || transfer.initiatorUserId === caller.userId) return;
  if (walletOwnerIds.includes(caller.userId)) return;
  throw new DomainError('FORBIDDEN', 'Only the parties to a transfer and admins can see it.');
}
