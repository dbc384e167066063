import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { ConfigError, type Config, type DatabaseKind } from '../config';
import type { Logger } from '../logger';
import { buildDataSource } from './data-source';
import type { Database } from './database';
import { PostgresDatabase } from './postgres/database';
import { SqliteDatabase } from './sqlite/database';
import { isLockTimeout } from './errors';

/** Connects, retrying while the database is not reachable yet (a server still starting). */
export async function openDatabase(config: Config, log: Logger): Promise<Database> {
  for (let attempt = 0; ; attempt++) {
    const dataSource = buildDataSource(config);
    try {
      await dataSource.initialize();
      return createDatabase(config.databaseKind, dataSource, config.lockTimeoutMs);
    } catch (error) {
      const refusal = refusedForGood(error, config.databaseUrl);
      if (refusal !== null) throw refusal;
      if (attempt >= config.dbConnectRetries) throw error;
      log.warn(
        { err: error, attempt: attempt + 1, retries: config.dbConnectRetries },
        'database not reachable; retrying',
      );
      await sleep(config.dbConnectRetryMs);
    }
  }
}

/**
 * A server that answers but refuses us (no such database, a wrong password)
 * will refuse again: start-up stops at once with one line saying what to do,
 * rather than retrying as if the server were still starting.
 */
function refusedForGood(error: unknown, databaseUrl: string): ConfigError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== '3D000' && code !== '28P01' && code !== '28000') return null;
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1)) || url.username || 'postgres';
  return new ConfigError(
    'DATABASE_URL',
    code === '3D000'
      ? `the database "${name}" does not exist on ${url.host}; create it first (createdb -h ${url.hostname} -p ${url.port || 5432} ${name})`
      : `${url.host} refused the login of "${decodeURIComponent(url.username)}": check the user and password`,
  );
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
  if (db.kind !== 'postgres') return migrateSqlite(db);
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

/** How often a SQLite migration that lost a race with another process is tried again. */
const SQLITE_MIGRATE_ATTEMPTS = 5;

/**
 * TypeORM creates its migrations table, if missing, before its transaction
 * begins, and its transaction begins DEFERRED; so of processes migrating at
 * once, one may find the table made by another under its feet, or its
 * snapshot outdated (SQLITE_BUSY_SNAPSHOT). Nothing was applied by the loser:
 * it tries again and then finds the work done.
 */
async function migrateSqlite(db: Database): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await db.dataSource.runMigrations({ transaction: 'all' })).map((m) => m.name);
    } catch (error) {
      const lostRace = isLockTimeout(error) || /already exists/.test(String(error));
      if (!lostRace || attempt >= SQLITE_MIGRATE_ATTEMPTS) throw error;
      await sleep(50 * attempt);
    }
  }
}

/** The dialect's implementation of the one interface. */
function createDatabase(
  kind: DatabaseKind,
  dataSource: DataSource,
  lockTimeoutMs: number,
): Database {
  return kind === 'sqlite'
    ? new SqliteDatabase(dataSource, lockTimeoutMs)
    : new PostgresDatabase(dataSource, lockTimeoutMs);
}
