import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { assertOwnWallet, assertCanView } from '../domain/access';
import type { Caller } from '../domain/caller';
import type { Database } from '../db/database';
import { isUniqueViolation } from '../db/errors';
import {
  findTransferWallets,
  findUserById,
  findWallet,
  findWalletOf,
  holdsPage,
  insertWallet,
  pendingHeldMinor,
  walletsOf,
} from '../db/queries';
import { operationsPage } from '../db/queries/history';
import type { HoldStatus } from '../domain/enums';
import {
  encodeOperationCursor,
  filterKey,
  lists,
  operationPageRequest,
  pageRequest,
  toPage,
  type Page,
} from '../domain/pages';
import { operationFilter } from '../domain/period';
import type { HoldRow, NamedOperationRow, UserRow, WalletRow } from '../domain/records';
import type { UserId, WalletId } from '../domain/ids';
import { DomainError } from '../domain/errors';
import type { Services } from './services';
import { availableMinor } from '../domain/money';
import { recipientWallet } from './recipients';
import type { WalletDirectory } from './wallet-directory';
import type { WalletIdentity } from '../domain/records';

/** A user's new wallet in `currency`, empty, as it is to be inserted. */
export function newWallet(userId: UserId, currency: string): Omit<WalletRow, 'seq'> {
  return {
    id: randomUUID() as WalletId,
    userId,
    currency,
    balanceMinor: 0n,
    heldMinor: 0n,
    lastOperationAtMs: 0,
    createdAtMs: Date.now(),
  };
}

/** One wallet per user and currency. */
export async function openWallet(
  services: Services,
  caller: Caller,
  uncheckedCurrency: string,
): Promise<WalletRow> {
  const currency = services.currencies.known(uncheckedCurrency);
  try {
    return await services.db.transaction((sql) =>
      insertWallet(sql, newWallet(caller.userId, currency)),
    );
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new DomainError('ALREADY_EXISTS', `You already have a ${currency} wallet.`);
    }
    throw error;
  }
}

/** The wallet, or NOT_FOUND. */
export function existingWallet(wallet: WalletRow | null | undefined): WalletRow {
  if (wallet === null || wallet === undefined) {
    throw new DomainError('NOT_FOUND', 'There is no wallet with this id.');
  }
  return wallet;
}

export async function getWallet(db: Database, id: string): Promise<WalletRow> {
  return existingWallet(await db.read((sql) => findWallet(sql, id)));
}

/** The caller's wallet in `currency`, or NOT_FOUND. */
export async function ownWalletIn(
  db: Database,
  caller: Caller,
  currency: string,
): Promise<WalletRow> {
  const wallet = await db.read((sql) => findWalletOf(sql, caller.userId, currency));
  if (wallet === null) throw new DomainError('NOT_FOUND', `You have no ${currency} wallet.`);
  return wallet;
}

/**
 * The wallets of a transfer: the target, and the source named, or else the
 * caller's wallet in the target's currency. From the directory when both are
 * known there, else read with one statement (and remembered).
 */
export async function transferWallets(
  db: Database,
  directory: WalletDirectory,
  caller: Caller,
  targetId: string,
  sourceId: string | null,
): Promise<{ source: WalletIdentity; target: WalletIdentity }> {
  const knownTarget = directory.byWalletId(targetId);
  const knownSource =
    knownTarget === undefined
      ? undefined
      : sourceId === null
        ? directory.ofOwner(caller.userId, knownTarget.currency)
        : directory.byWalletId(sourceId);
  if (knownTarget !== undefined && knownSource !== undefined) {
    return { source: knownSource, target: knownTarget };
  }
  const found = await db.read((sql) =>
    findTransferWallets(
      sql,
      targetId,
      sourceId === null ? { ownerId: caller.userId } : { walletId: sourceId },
    ),
  );
  const target = directory.remember(existingWallet(found.target));
  if (found.source === null && sourceId === null) {
    throw new DomainError(
      'CURRENCY_MISMATCH',
      `The receiving wallet holds ${target.currency}, and you have no ${target.currency} wallet to send from.`,
    );
  }
  return { source: directory.remember(existingWallet(found.source)), target };
}

/** Where a payment goes: to a wallet by its id, or to a person by their email. */
export type Payee = { walletId: string } | { email: string };

/** The one payee of a walletToWallet: exactly one of toWalletId and toEmail. */
export function payeeOf(input: { toWalletId?: string | null; toEmail?: string | null }): Payee {
  const hasWallet = input.toWalletId !== null && input.toWalletId !== undefined;
  const hasEmail = input.toEmail !== null && input.toEmail !== undefined;
  if (hasWallet === hasEmail) {
    throw new DomainError('BAD_USER_INPUT', 'Give exactly one of toWalletId and toEmail.', {
      field: hasWallet ? 'toEmail' : 'toWalletId',
    });
  }
  return hasWallet ? { walletId: input.toWalletId as string } : { email: input.toEmail as string };
}

/**
 * A payment to a person by email: their wallet in the sender's currency
 * (the named source wallet's, else `defaultCurrency`), and the source: the
 * named wallet, else the caller's wallet in that currency. The named wallet
 * must be the caller's before the payee is looked up: the lookup is in that
 * wallet's currency, and its answer (NOT_FOUND, CURRENCY_MISMATCH) would
 * tell a stranger what the wallet holds.
 */
export async function walletsForEmail(
  db: Database,
  directory: WalletDirectory,
  caller: Caller,
  email: string,
  sourceId: string | null,
  defaultCurrency: string,
): Promise<{ source: WalletIdentity; target: WalletIdentity }> {
  const named = sourceId === null ? null : await getWallet(db, sourceId);
  if (named !== null) assertOwnWallet(caller, named.userId, 'send');
  const currency = named?.currency ?? defaultCurrency;
  const { wallet: target } = await recipientWallet(db, email, currency, 'toEmail');
  // Blamed on the email the caller gave, not on a wallet id they never wrote.
  if (target.userId === caller.userId) {
    throw new DomainError('BAD_USER_INPUT', 'This email is yours: send to someone else.', {
      field: 'toEmail',
    });
  }
  const source = named ?? (await ownWalletIn(db, caller, currency));
  return { source: directory.remember(source), target: directory.remember(target) };
}

/** A wallet the caller may see, by id; none: the caller's own in the default currency. */
export async function walletFor(
  services: Services,
  caller: Caller,
  id: string | null,
): Promise<WalletRow> {
  const { db, config } = services;
  if (id === null) return ownWalletIn(db, caller, config.defaultCurrency);
  const wallet = await getWallet(db, id);
  assertCanView(caller, wallet.userId);
  return wallet;
}

/** A wallet already read, as the layers above hold it: its id, owner and currency. */
export interface WalletRef {
  id: string;
  ownerId: string;
}

/**
 * A wallet's reserve (its pending, unexpired holds, by the database's
 * clock) and what it can spend: no query when nothing is stored as held
 * (nearly every wallet).
 */
export async function walletBalances(
  services: Services,
  wallet: { id: string; balanceMinor: bigint; heldMinor: bigint },
): Promise<{ heldMinor: bigint; availableMinor: bigint }> {
  const heldMinor =
    wallet.heldMinor === 0n
      ? 0n
      : await services.db.read((sql) => pendingHeldMinor(sql, wallet.id as WalletId));
  return {
    heldMinor,
    availableMinor: availableMinor({ balanceMinor: wallet.balanceMinor, heldMinor }),
  };
}

/**
 * A page of a wallet's operations narrowed as asked (checked after who
 * asks), whose cursors name that narrowing.
 */
export async function listOperations(
  services: Services,
  caller: Caller,
  wallet: WalletRef,
  narrowing: Parameters<typeof operationFilter>[0],
  first: number,
  after: string | null,
): Promise<Page<NamedOperationRow>> {
  assertCanView(caller, wallet.ownerId);
  const filter = operationFilter(narrowing);
  const key = filterKey([filter.fromMs, filter.toMs, filter.types?.join(',') ?? null]);
  const page = operationPageRequest(first, after, lists.operations(wallet.id, key));
  const rows = await services.db.read((sql) =>
    operationsPage(sql, wallet.id as WalletId, filter, page),
  );
  return toPage(
    rows,
    page,
    (row) => row,
    (row) => encodeOperationCursor(page.list, row),
  );
}

/** A page of a wallet's holds, of one status or all. */
export async function listHolds(
  services: Services,
  caller: Caller,
  wallet: WalletRef,
  status: HoldStatus | null,
  first: number,
  after: string | null,
): Promise<Page<HoldRow>> {
  assertCanView(caller, wallet.ownerId);
  const page = pageRequest(first, after, lists.holds(wallet.id, status));
  const rows = await services.db.read((sql) => holdsPage(sql, wallet.id as WalletId, status, page));
  return toPage(rows, page, (row) => row);
}

/** A wallet's owner, for whoever may see the wallet. */
export async function walletOwner(
  services: Services,
  caller: Caller,
  wallet: WalletRef,
): Promise<UserRow> {
  assertCanView(caller, wallet.ownerId);
  const user = await services.db.read((sql) => findUserById(sql, wallet.ownerId));
  assert.ok(user !== null, `wallet ${wallet.id} has its owner`);
  return user;
}

/** A user's wallets, for the user and admins. */
export async function walletsOfUser(
  services: Services,
  caller: Caller,
  userId: string,
): Promise<WalletRow[]> {
  assertCanView(caller, userId);
  return services.db.read((sql) => walletsOf(sql, userId as UserId));
}
