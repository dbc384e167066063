/** Finding another person by email, to pay them or ask them to pay. */
import { normalizeEmail } from '../accounts/users';
import type { Database } from '../db/database';
import { findUserByEmail } from '../db/queries';
import type { UserRow } from '../db/rows';
import { DomainError } from '../errors';

/**
 * The user with this email (trimmed, lower-cased), or NOT_FOUND. Callers
 * have counted the lookup (EmailLookupRateLimit), so nobody can list who
 * has an account; what is found is shown to others only as a Party (a name
 * and a wallet id), never its email.
 */
export async function personByEmail(
  db: Database,
  email: string,
  field: 'toEmail' | 'payerEmail',
): Promise<UserRow> {
  const user = await db.read((sql) => findUserByEmail(sql, normalizeEmail(email)));
  if (user === null || user.role !== 'USER') {
    throw new DomainError('NOT_FOUND', 'There is no one with this email here.', { field });
  }
  return user;
}
