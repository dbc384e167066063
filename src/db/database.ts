import type { DataSource, QueryRunner } from 'typeorm';
import type { DatabaseKind } from '../config';
import { DomainError } from '../errors';

export type Row = Record<string, unknown>;

/** Raw SQL through one connection or transaction. Write `?` placeholders; both dialects run them. */
export interface Sql {
  readonly kind: DatabaseKind;
  /** Rows of a SELECT or of a statement with RETURNING. */
  rows<T = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; the number of rows it changed. */
  run(text: string, params?: readonly unknown[]): Promise<number>;
}

/** Runs tasks one at a time, in arrival order. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

function toPostgresPlaceholders(text: string): string {
  let index = 0;
  return text.replace(/\?/g, () => `$${++index}`);
}

class RunnerSql implements Sql {
  constructor(
    readonly kind: DatabaseKind,
    private readonly runner: QueryRunner,
  ) {}

  private params(params: readonly unknown[]): unknown[] {
    // node-postgres has no bigint binding; better-sqlite3 binds bigint natively.
    return this.kind === 'postgres'
      ? params.map((p) => (typeof p === 'bigint' ? p.toString() : p))
      : [...params];
  }

  private text(text: string): string {
    return this.kind === 'postgres' ? toPostgresPlaceholders(text) : text;
  }

  async rows<T>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.runner.query(this.text(text), this.params(params), true);
    return (result.records ?? []) as T[];
  }

  async run(text: string, params: readonly unknown[] = []): Promise<number> {
    const result = await this.runner.query(this.text(text), this.params(params), true);
    return result.affected ?? 0;
  }
}

function driverCode(error: unknown): string | undefined {
  const cause = (error as { driverError?: { code?: unknown } })?.driverError ?? error;
  const code = (cause as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** A lock wait ran past its bound: PostgreSQL's lock_timeout, SQLite's busy timeout. */
export function isLockTimeout(error: unknown): boolean {
  const code = driverCode(error);
  return code === '55P03' || code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT';
}

export const walletBusy = (): DomainError =>
  new DomainError(
    'WALLET_BUSY',
    'The wallet is busy with another payment. Retry shortly with the same idempotency key.',
  );

/**
 * The service's only door to the database.
 *
 * SQLite: TypeORM shares one better-sqlite3 connection, so every use of it —
 * reads, the session store, transactions — goes through one queue per process;
 * interleaved transactions on one connection corrupt each other. Write
 * transactions begin IMMEDIATE so another process's writer makes us wait (up
 * to the busy timeout) at BEGIN, never halfway through.
 *
 * PostgreSQL: a pool; each transaction sets its own lock_timeout, and the row
 * locks taken by the ledger serialize movements per wallet.
 */
export class Database {
  private readonly queue = new SerialQueue();

  constructor(
    readonly kind: DatabaseKind,
    readonly dataSource: DataSource,
    private readonly lockTimeoutMs: number,
  ) {}

  /** Statements outside a transaction (each one atomic by itself). */
  read<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    if (this.kind === 'sqlite') {
      return this.queue.run(() => this.withRunner(work));
    }
    return this.withRunner(work);
  }

  /** One transaction: committed when `work` resolves, rolled back when it throws. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    const run = () =>
      this.withRunner(async (sql, runner) => {
        try {
          if (this.kind === 'sqlite') {
            await runner.query('BEGIN IMMEDIATE');
          } else {
            await runner.query('BEGIN');
            await runner.query(`SET LOCAL lock_timeout = ${Math.trunc(this.lockTimeoutMs)}`);
          }
        } catch (error) {
          if (isLockTimeout(error)) throw walletBusy();
          throw error;
        }
        let result: T;
        try {
          result = await work(sql);
        } catch (error) {
          await runner.query('ROLLBACK');
          throw error;
        }
        await runner.query('COMMIT');
        return result;
      });
    return this.kind === 'sqlite' ? this.queue.run(run) : run();
  }

  private async withRunner<T>(work: (sql: Sql, runner: QueryRunner) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      return await work(new RunnerSql(this.kind, runner), runner);
    } finally {
      await runner.release();
    }
  }

  async ping(): Promise<boolean> {
    try {
      await this.read((sql) => sql.rows('SELECT 1 AS ok'));
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    // Let queued work finish before the connection goes away.
    await this.queue.run(async () => undefined);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
