import fs from 'node:fs';
import path from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { Config } from '../config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

type DatabaseSettings = Pick<
  Config,
  'databaseUrl' | 'databaseKind' | 'sqlitePath' | 'dbPoolSize' | 'lockTimeoutMs'
>;

/** The TypeORM DataSource for a DATABASE_URL. Schema comes from migrations only. */
export function buildDataSource(settings: DatabaseSettings): DataSource {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, synchronize: false, logging: false };
  let options: DataSourceOptions;
  if (settings.databaseKind === 'sqlite') {
    const file = settings.sqlitePath as string;
    createPrivately(file);
    options = {
      ...common,
      type: 'better-sqlite3',
      database: file,
      enableWAL: true,
      // The busy timeout bounds how long a write waits for another process's lock.
      timeout: settings.lockTimeoutMs,
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        // FULL: a movement that was answered survives a power cut.
        db.pragma('synchronous = FULL');
        // Copy the log back into the database every 10,000 pages (~40 MB)
        // instead of SQLite's 1,000: a group commit of transfers between
        // many wallets writes a few hundred pages, mostly the same ones each
        // time, so a checkpoint copied and synced them every few commits
        // (measured: COMMIT 94 -> 67 us per transfer, random pairs).
        db.pragma('wal_autocheckpoint = 10000');
        // Each movement of a group commit runs in its own savepoint, and
        // SQLite keeps a savepoint's undo pages in a statement journal. On
        // disk (the default once it passes 64 KiB) that journal grows for the
        // whole group and is written page by page; in memory it is emptied at
        // each RELEASE, so it holds one movement's pages at most. It is never
        // needed after a crash: the WAL alone is what recovery reads.
        // (Measured, random pairs: writes per transfer 48 calls / 98 KiB -> 12 / 25 KiB.)
        db.pragma('temp_store = MEMORY');
      },
    };
  } else {
    options = {
      ...common,
      type: 'postgres',
      url: settings.databaseUrl,
      applicationName: 'wallet-service',
      extra: {
        max: settings.dbPoolSize,
        // A connection attempt that hangs must not hang a request or /readyz.
        connectionTimeoutMillis: 5_000,
        // A transfer is one statement (wallet_transfer) that commits by
        // itself: if this process dies while it waits for a lock, PostgreSQL
        // would otherwise finish and commit it for nobody. Checking the
        // client every 250 ms while a statement runs ends it instead. Set on
        // each new connection before the pool hands it out (pg-pool's
        // onConnect, pg 8.20 and later), not as a startup option: PgBouncer
        // refuses those.
        onConnect: (client: { query(text: string): Promise<unknown> }) =>
          client.query(`SET client_connection_check_interval = ${CLIENT_CHECK_INTERVAL_MS}`),
      },
    };
  }
  const dataSource = new DataSource(options);
  if (settings.databaseKind === 'sqlite') {
    const initialize = dataSource.initialize.bind(dataSource);
    dataSource.initialize = async () => {
      await initialize();
      alignGeneratedKeyTypes(dataSource);
      return dataSource;
    };
  }
  return dataSource;
}

/**
 * The database holds password hashes, the session secret and the ledger:
 * the directories made for it are 0700 and a new file 0600, whatever the
 * umask (which can only take bits away). SQLite gives the -wal and -shm
 * files the database file's mode. An existing file keeps its mode.
 */
function createPrivately(file: string): void {
  if (file === ':memory:') return;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, 'a', 0o600));
}

/** How often PostgreSQL checks, while a statement runs, that this process is still there. */
const CLIENT_CHECK_INTERVAL_MS = 250;

/**
 * The entities declare the `seq` keys bigint (PostgreSQL needs 64 bits);
 * SQLite's AUTOINCREMENT key must be declared exactly INTEGER, which is 64-bit
 * there. TypeORM creates it so, but compares it with the declared type and
 * would report drift forever: tell its metadata what SQLite really has.
 */
function alignGeneratedKeyTypes(dataSource: DataSource): void {
  for (const entity of dataSource.entityMetadatas) {
    for (const column of entity.columns) {
      if (column.isGenerated && column.generationStrategy === 'increment') column.type = 'integer';
    }
  }
}
