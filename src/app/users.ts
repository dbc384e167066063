import { normalizeEmail } from '../domain/text';
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database';
import { isUniqueViolation } from '../db/errors';
import {
  endSessionsOf,
  findUserByEmail,
  findUserById,
  insertUser,
  insertWallet,
  setPasswordAndRole,
} from '../db/queries';
import type { Caller } from '../domain/caller';
import type { Services } from './services';
import type { UserRow } from '../domain/records';
import type { UserId } from '../domain/ids';
import type { Role } from '../domain/enums';
import { DomainError } from '../domain/errors';
import { dummyPasswordHash, hashPassword, verifyPassword } from './auth/passwords';
import { ConfigError } from '../config';
import { newWallet } from './wallets';

export interface NewUser {
  name: string;
  email: string;
  password: string;
  role: Role;
  /** The wallet every new USER gets; null for accounts without one. */
  walletCurrency: string | null;
}

/** Creates a user (and its first wallet) in one transaction; ALREADY_EXISTS for a taken email. */
export async function createUser(db: Database, user: NewUser): Promise<UserRow> {
  const passwordHash = await hashPassword(user.password);
  const row: UserRow = {
    seq: 0n,
    id: randomUUID() as UserId,
    email: normalizeEmail(user.email),
    name: user.name.trim(),
    role: user.role,
    passwordHash,
    createdAtMs: Date.now(),
  };
  try {
    return await db.transaction(async (sql) => {
      const created = await insertUser(sql, row);
      if (user.walletCurrency !== null) {
        await insertWallet(sql, newWallet(created.id, user.walletCurrency));
      }
      return created;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new DomainError('ALREADY_EXISTS', 'An account with this email already exists.');
    }
    throw error;
  }
}

/**
 * The service and admin accounts named in the configuration: created at
 * start-up, or given the configured password and role if they exist. A new
 * password or role ends the account's sessions, which were granted on the
 * old ones. A person who signed up is never made SERVICE or ADMIN this way:
 * whoever chose that email would get the rights.
 */
export async function ensureAccount(
  db: Database,
  role: Role,
  account: { email: string; password: string; variable: string },
): Promise<'created' | 'updated' | 'unchanged'> {
  const email = normalizeEmail(account.email);
  let existing = await db.read((sql) => findUserByEmail(sql, email));
  if (existing === null) {
    try {
      await createUser(db, {
        name: role === 'SERVICE' ? 'Payment provider' : 'Administrator',
        email,
        password: account.password,
        role,
        walletCurrency: null,
      });
      return 'created';
    } catch (error) {
      // Another instance starting at the same moment created it: compare below.
      if (!(error instanceof DomainError && error.code === 'ALREADY_EXISTS')) throw error;
      existing = await db.read((sql) => findUserByEmail(sql, email));
      if (existing === null) throw error;
    }
  }
  if (existing.role === 'USER') {
    throw new ConfigError(
      account.variable,
      `${email} belongs to a person who signed up; it cannot become a ${role} account. Choose another email.`,
    );
  }
  const samePassword = await verifyPassword(existing.passwordHash, account.password);
  if (samePassword && existing.role === role) return 'unchanged';
  const passwordHash = samePassword ? existing.passwordHash : await hashPassword(account.password);
  const userId = existing.id;
  await db.transaction(async (sql) => {
    await setPasswordAndRole(sql, userId, passwordHash, role);
    await endSessionsOf(sql, userId);
  });
  return 'updated';
}

/** A new person with a wallet in the default currency. */
export function signUp(
  services: Services,
  input: { name: string; email: string; password: string },
): Promise<UserRow> {
  return createUser(services.db, {
    name: input.name,
    email: input.email,
    password: input.password,
    role: 'USER',
    walletCurrency: services.config.defaultCurrency,
  });
}

/**
 * The person whose email and password these are, or INVALID_CREDENTIALS;
 * a success forgets the failures counted against this email and address.
 */
export async function logIn(
  services: Services,
  input: { email: string; password: string },
  clientAddress: string,
): Promise<UserRow> {
  const { db, loginLimit } = services;
  const email = normalizeEmail(input.email);
  const user = await db.read((sql) => findUserByEmail(sql, email));
  // Exactly one verification whether or not the email exists: nothing to tell them apart.
  const passwordMatches = await verifyPassword(
    user?.passwordHash ?? (await dummyPasswordHash()),
    input.password,
  );
  if (user === null || !passwordMatches) {
    throw new DomainError('INVALID_CREDENTIALS', 'The email or password is wrong.');
  }
  await loginLimit.undo(email, clientAddress);
  return user;
}

/** The caller's own account (null if it is gone). */
export function me(services: Services, caller: Caller): Promise<UserRow | null> {
  return services.db.read((sql) => findUserById(sql, caller.userId));
}
