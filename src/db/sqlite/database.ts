import type { Database as BetterSqlite3Connection } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import type { Database } from '../database';
import type { Sql } from '../sql';
import { GroupCommit, SerialQueue } from './group-commit';
import { SqliteSql } from './sqlite-sql';

/**
 * SQLite: one better-sqlite3 connection, so every use of it — reads, the
 * session store, transactions — goes through one queue per process;
 * interleaved transactions on one connection corrupt each other.
 * Transactions are committed in groups (group-commit.ts).
 */
export class SqliteDatabase implements Database {
  readonly kind = 'sqlite';
  private readonly queue = new SerialQueue();
  private readonly sqlite: SqliteSql;
  private readonly groups: GroupCommit;

  constructor(
    readonly dataSource: DataSource,
    readonly lockTimeoutMs: number,
  ) {
    this.sqlite = new SqliteSql(
      (dataSource.driver as unknown as { databaseConnection: BetterSqlite3Connection })
        .databaseConnection,
    );
    this.groups = new GroupCommit(this.queue, this.sqlite, lockTimeoutMs);
  }

  read<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.queue.run(() => work(this.sqlite));
  }

  /** Holds this process's queue until `work` ends: for tools, not for requests. */
  snapshot<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    const { sqlite } = this;
    return this.queue.run(async () => {
      // In WAL mode a read transaction keeps the snapshot its first read took.
      sqlite.exec('BEGIN');
      try {
        return await work(sqlite);
      } finally {
        sqlite.exec('COMMIT');
      }
    });
  }

  /** The wait for the write lock is bounded by LOCK_TIMEOUT_MS in the group commit. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.groups.transaction(work);
  }

  async close(): Promise<void> {
    // Let queued work finish before the connection goes away.
    await this.queue.run(async () => undefined);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
