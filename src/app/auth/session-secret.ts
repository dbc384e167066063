import { randomBytes } from 'node:crypto';
import type { Database } from '../../db/database';

/**
 * The configured SESSION_SECRET or, outside production, one generated once
 * and kept in the database: sessions survive restarts and every instance on
 * the same database signs cookies alike. The first instance to insert wins.
 */
export async function sessionSecret(db: Database, configured: string | null): Promise<string> {
  if (configured !== null) return configured;
  return db.read(async (sql) => {
    await sql.run(
      `INSERT INTO settings (key, value) VALUES ('session_secret', ?) ON CONFLICT (key) DO NOTHING`,
      [randomBytes(32).toString('base64url')],
    );
    const [row] = await sql.rows<{ value: string }>(
      `SELECT value FROM settings WHERE key = 'session_secret'`,
    );
    return row.value;
  });
}
