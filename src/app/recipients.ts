/** Finding another person by email, to pay them or ask them to pay. */
import { normalizeEmail } from '../domain/text';
import type { Database } from '../db/database';
import { findUserByEmail, findWalletOf, ownerNameOf } from '../db/queries';
import type { WalletId } from '../domain/ids';
import type { Services } from './services';
import type { UserRow, WalletRow } from '../domain/records';
import { DomainError } from '../domain/errors';

/**
 * The user with this email (trimmed, lower-cased), or NOT_FOUND. Callers
 * have counted the lookup (EmailLookupRateLimit), so nobody can list who
 * has an account; what is found is shown to others only as a Party (a name
 * and a wallet id), never its email.
 */
export async function personByEmail(
  db: Database,
  email: string,
  field: 'toEmail' | 'payerEmail' | 'email',
): Promise<UserRow> {
  const user = await db.read((sql) => findUserByEmail(sql, normalizeEmail(email)));
  if (user === null || user.role !== 'USER') {
    throw new DomainError('NOT_FOUND', 'There is no one with this email here.', { field });
  }
  return user;
}

/**
 * Where a payment by email reaches: the person with this email and their
 * wallet in `currency`; NOT_FOUND, or CURRENCY_MISMATCH when they hold none.
 */
export async function recipientWallet(
  db: Database,
  email: string,
  currency: string,
  field: 'toEmail' | 'email',
): Promise<{ person: UserRow; wallet: WalletRow }> {
  const person = await personByEmail(db, email, field);
  const wallet = await db.read((sql) => findWalletOf(sql, person.id, currency));
  if (wallet === null) {
    throw new DomainError(
      'CURRENCY_MISMATCH',
      `The person with this email holds no ${currency} wallet.`,
    );
  }
  return { person, wallet };
}

/** Who a payment by email in `currency` (default: the service's) would reach. */
export async function findRecipient(
  services: Services,
  email: string,
  currency: string | null,
): Promise<{ name: string; walletId: string }> {
  const { db, config, currencies } = services;
  const wanted = currencies.known(currency ?? config.defaultCurrency);
  const { person, wallet } = await recipientWallet(db, email, wanted, 'email');
  return { name: person.name, walletId: wallet.id };
}

/** The name of a wallet's owner, as others see it (never an email); null if none. */
export async function ownerName(services: Services, walletId: string): Promise<string | null> {
  return services.db.read((sql) => ownerNameOf(sql, walletId as WalletId));
}
