import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { buildDataSource } from './data-source';
import { Database } from './database';

/** Connects, retrying while the database is not reachable yet (a server still starting). */
export async function openDatabase(config: Config, log: Logger): Promise<Database> {
  for (let attempt = 0; ; attempt++) {
    const dataSource = buildDataSource(config);
    try {
      await dataSource.initialize();
      return new Database(config.databaseKind, dataSource, config.lockTimeoutMs);
    } catch (error) {
      if (attempt >= config.dbConnectRetries) throw error;
      log.warn(
        { err: error, attempt: attempt + 1, retries: config.dbConnectRetries },
        'database not reachable; retrying',
      );
      await sleep(config.dbConnectRetryMs);
    }
  }
}

/** An arbitrary constant: the advisory lock that makes instances migrate one at a time. */
const MIGRATION_LOCK_KEY = 727_001;

/**
 * Applies pending migrations in one transaction. On PostgreSQL an advisory
 * lock makes instances starting together take turns; the later ones then
 * find nothing pending. On SQLite the write lock does the same.
 */
export async function migrate(db: Database): Promise<string[]> {
  const { dataSource } = db;
  if (db.kind !== 'postgres') {
    return (await dataSource.runMigrations({ transaction: 'all' })).map((m) => m.name);
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return (await dataSource.runMigrations({ transaction: 'all' })).map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
