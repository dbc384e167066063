/**
 * Holds a wallet's lock from a connection of the test's own, exactly as a
 * movement in another process would: SQLite's write lock, or PostgreSQL's row
 * lock on the wallet. No hook in the service is needed, so none exists to be
 * reached from a request.
 */
export async function holdWalletLock(url: string, walletId: string): Promise<() => Promise<void>> {
  const lock = `UPDATE wallets SET lock_version = lock_version + 1 WHERE id = '${walletId}'`;
  if (url.startsWith('sqlite:')) {
    const BetterSqlite3 = (await import('better-sqlite3')).default;
    const connection = new BetterSqlite3(url.slice('sqlite:'.length));
    connection.exec('BEGIN IMMEDIATE');
    connection.exec(lock);
    return async () => {
      connection.exec('ROLLBACK');
      connection.close();
    };
  }
  const { Client: PgClient } = await import('pg');
  const client = new PgClient({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query(lock);
  return async () => {
    await client.query('ROLLBACK');
    await client.end();
  };
}
