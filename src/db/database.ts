/**
 * The service's only door to the database: one interface, one implementation
 * per dialect (sqlite/database.ts, postgres/database.ts; open.ts picks one).
 */
import type { DataSource } from 'typeorm';
import type { DatabaseKind } from '../config';
import type { Sql } from './sql';

export interface Database {
  readonly kind: DatabaseKind;
  readonly dataSource: DataSource;
  readonly lockTimeoutMs: number;
  /**
   * Statements outside a transaction, each one atomic by itself (reads; a
   * transfer on PostgreSQL). With a deadline (a movement's; PostgreSQL only),
   * a statement still running CANCEL_GRACE_MS after it is WALLET_BUSY.
   */
  read<T>(work: (sql: Sql) => Promise<T>, deadlineMs?: number): Promise<T>;
  /**
   * Reads that see the database at one moment, whatever commits meanwhile
   * (the audit: a balance read before a transfer committed and its legs read
   * after would not add up). Writes nothing. On SQLite it holds this process's
   * queue until `work` ends, so it is for tools, not for requests.
   */
  snapshot<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /**
   * One transaction: committed when `work` resolves, rolled back when it
   * throws. On PostgreSQL its lock waits end at `deadlineMs` (a movement's);
   * on SQLite the wait for the write lock is bounded by LOCK_TIMEOUT_MS.
   */
  transaction<T>(work: (sql: Sql) => Promise<T>, deadlineMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** Whether the database answers a statement now (readiness). */
export async function databaseAnswers(db: Database): Promise<boolean> {
  try {
    await db.read((sql) => sql.rows('SELECT 1 AS ok'));
    return true;
  } catch {
    return false;
  }
}

/** Rows a cleanup deletes per statement (see deleteInChunks). */
export const DELETE_CHUNK = 1_000;

/**
 * Deletes the rows of `table` that `where` selects, DELETE_CHUNK at a time;
 * how many. On SQLite a statement holds the process's queue while it runs:
 * 100,000 expired sessions in one DELETE took 212 ms, with every transfer
 * waiting; between chunks the queue serves whatever arrived meanwhile.
 * `table`, `key` and `where` are the code's own text, never a client's.
 */
export async function deleteInChunks(
  db: Database,
  table: string,
  key: string,
  where: string,
  params: readonly unknown[],
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const chunk = await db.read((sql) =>
      sql.run(
        `DELETE FROM ${table} WHERE ${key} IN
           (SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${DELETE_CHUNK})`,
        params,
      ),
    );
    deleted += chunk;
    if (chunk < DELETE_CHUNK) return deleted;
  }
}
