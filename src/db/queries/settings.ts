/** The settings table: the generated session secret. */
import type { Sql } from '../sql';

/** Stores `secret` as the session secret unless one is stored already (the first writer wins). */
export async function insertSessionSecretIfNone(sql: Sql, secret: string): Promise<void> {
  await sql.run(
    `INSERT INTO settings (key, value) VALUES ('session_secret', ?) ON CONFLICT (key) DO NOTHING`,
    [secret],
  );
}

export async function findSessionSecret(sql: Sql): Promise<string> {
  const [row] = await sql.rows<{ value: string }>(
    `SELECT value FROM settings WHERE key = 'session_secret'`,
  );
  return row.value;
}
