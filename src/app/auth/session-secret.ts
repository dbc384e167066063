import { randomBytes } from 'node:crypto';
import type { Database } from '../../db/database';
import { findSessionSecret, insertSessionSecretIfNone } from '../../db/queries';

/**
 * The configured SESSION_SECRET or, outside production, one generated once
 * and kept in the database: sessions survive restarts and every instance on
 * the same database signs cookies alike. The first instance to insert wins.
 */
export async function sessionSecret(db: Database, configured: string | null): Promise<string> {
  if (configured !== null) return configured;
  return db.read(async (sql) => {
    await insertSessionSecretIfNone(sql, randomBytes(32).toString('base64url'));
    return findSessionSecret(sql);
  });
}
