/**
 * A payment provider's holds: authorized on a wallet's available balance,
 * then captured (in part) or voided, once, by the service account that
 * authorized them; seen by it, the wallet's owner and admins.
 */
import assert from 'node:assert/strict';
import { assertAuthorizedHold, assertCanViewHold } from '../domain/access';
import type { Caller } from '../domain/caller';
import { DomainError } from '../domain/errors';
import { expiresInSecondsOr } from '../domain/limits';
import type { HoldResult, HoldRow, OperationRow, WalletRow } from '../domain/records';
import { findCaptureOf, findHold, walletsById } from '../db/queries';
import type { Services } from './services';
import { getWallet } from './wallets';

/** A hold and its wallet, or NOT_FOUND. */
async function holdWithWallet(
  services: Services,
  id: string,
): Promise<{ hold: HoldRow; wallet: WalletRow }> {
  const { db } = services;
  const hold = await db.read((sql) => findHold(sql, id));
  if (hold === null) throw new DomainError('NOT_FOUND', 'There is no hold with this id.');
  const [wallet] = await db.read((sql) => walletsById(sql, [hold.walletId]));
  assert.ok(wallet, `hold ${hold.id} has its wallet`);
  return { hold, wallet };
}

export interface AuthorizeHoldInput {
  walletId: string;
  amount: string;
  reference: string;
  details?: string | null;
  expiresInSeconds?: number | null;
}

export async function authorizeHold(
  services: Services,
  caller: Caller,
  input: AuthorizeHoldInput,
): Promise<HoldResult> {
  const wallet = await getWallet(services.db, input.walletId);
  return services.ledger.authorizeHold({
    serviceUserId: caller.userId,
    wallet,
    amount: input.amount,
    reference: input.reference,
    details: input.details ?? null,
    expiresInSeconds: expiresInSecondsOr(input.expiresInSeconds),
  });
}

export async function captureHold(
  services: Services,
  caller: Caller,
  input: { holdId: string; amount?: string | null },
): Promise<HoldResult> {
  const { hold, wallet } = await holdWithWallet(services, input.holdId);
  assertAuthorizedHold(caller, hold);
  return services.ledger.captureHold({
    serviceUserId: caller.userId,
    hold,
    wallet,
    amount: input.amount ?? null,
  });
}

export async function voidHold(
  services: Services,
  caller: Caller,
  holdId: string,
): Promise<HoldResult> {
  const { hold, wallet } = await holdWithWallet(services, holdId);
  assertAuthorizedHold(caller, hold);
  return services.ledger.voidHold({ serviceUserId: caller.userId, hold, wallet });
}

/** One hold and its wallet's currency, for whoever may see it. */
export async function getHold(
  services: Services,
  caller: Caller,
  id: string,
): Promise<{ hold: HoldRow; currency: string }> {
  const { hold, wallet } = await holdWithWallet(services, id);
  assertCanViewHold(caller, hold, wallet.userId);
  return { hold, currency: wallet.currency };
}

/** The WITHDRAWAL a hold's capture wrote (of a hold already shown to the caller). */
export function captureOf(services: Services, holdId: string): Promise<OperationRow | null> {
  return services.db.read((sql) => findCaptureOf(sql, holdId));
}
