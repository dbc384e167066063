/**
 * Money between wallets and with the outside: sending (to a wallet or to a
 * person by email), deposits and withdrawals by a service account, and
 * reading a transfer or a deposit back. The resolvers translate; these decide.
 */
import { assertCanSeeTransfer, assertOwnWallet } from '../domain/access';
import type { Caller } from '../domain/caller';
import { DomainError } from '../domain/errors';
import type {
  ExternalResult,
  OperationRow,
  TransferResult,
  TransferRow,
  WalletRow,
} from '../domain/records';
import type { ExternalCommand } from '../ledger/movements/external';
import { findOperationByReference, findTransfer, walletsById } from '../db/queries';
import type { Services } from './services';
import { getWallet, payeeOf, transferWallets, walletsForEmail } from './wallets';

export interface SendMoneyInput {
  fromWalletId?: string | null;
  toWalletId?: string | null;
  toEmail?: string | null;
  amount: string;
  details?: string | null;
  idempotencyKey?: string | null;
}

/** A payment from one of the caller's wallets to a wallet, or to a person by email. */
export async function sendMoney(
  services: Services,
  caller: Caller,
  input: SendMoneyInput,
): Promise<TransferResult> {
  const { db, ledger, wallets, config } = services;
  const payee = payeeOf(input);
  const sourceId = input.fromWalletId ?? null;
  const { source, target } =
    'walletId' in payee
      ? await transferWallets(db, wallets, caller, payee.walletId, sourceId)
      : await walletsForEmail(db, wallets, caller, payee.email, sourceId, config.defaultCurrency);
  assertOwnWallet(caller, source.userId, 'send');
  return ledger.transfer({
    initiatorUserId: caller.userId,
    source,
    target,
    amount: input.amount,
    details: input.details ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
  });
}

export interface ExternalInput {
  walletId: string;
  amount: string;
  reference: string;
  details?: string | null;
}

/** Money from outside into a wallet, by the service account that names its reference. */
export async function deposit(
  services: Services,
  caller: Caller,
  input: ExternalInput,
): Promise<ExternalResult> {
  const wallet = await getWallet(services.db, input.walletId);
  return services.ledger.deposit(externalCommand(caller, wallet, input));
}

/** Money out of a wallet to outside, by the service account that names its reference. */
export async function withdraw(
  services: Services,
  caller: Caller,
  input: ExternalInput,
): Promise<ExternalResult> {
  const wallet = await getWallet(services.db, input.walletId);
  return services.ledger.withdraw(externalCommand(caller, wallet, input));
}

function externalCommand(caller: Caller, wallet: WalletRow, input: ExternalInput): ExternalCommand {
  return {
    serviceUserId: caller.userId,
    wallet,
    amount: input.amount,
    reference: input.reference,
    details: input.details ?? null,
  };
}

/** The caller's deposit or withdrawal with this reference and its wallet's currency, or null. */
export async function externalOperation(
  services: Services,
  caller: Caller,
  reference: string,
): Promise<{ operation: OperationRow; currency: string } | null> {
  const { db } = services;
  const operation = await db.read((sql) => findOperationByReference(sql, caller.userId, reference));
  if (operation === null) return null;
  const [wallet] = await db.read((sql) => walletsById(sql, [operation.walletId]));
  return { operation, currency: wallet.currency };
}

/** One transfer, for a party to it or an admin. */
export async function getTransfer(
  services: Services,
  caller: Caller,
  id: string,
): Promise<TransferRow> {
  const { db } = services;
  const transfer = await transferById(services, id);
  if (transfer === null) throw new DomainError('NOT_FOUND', 'There is no transfer with this id.');
  const wallets = await db.read((sql) =>
    walletsById(sql, [transfer.fromWalletId, transfer.toWalletId]),
  );
  assertCanSeeTransfer(
    caller,
    transfer,
    wallets.map((wallet) => wallet.userId),
  );
  return transfer;
}

/** A transfer by id, for what was already shown to be the caller's (a paid request's). */
export function transferById(services: Services, id: string): Promise<TransferRow | null> {
  return services.db.read((sql) => findTransfer(sql, id));
}
