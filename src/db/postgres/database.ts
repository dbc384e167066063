import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { statementsCancelled } from '../../metrics';
import type { Database } from '../database';
import { driverCode, lockTimeoutUntil, walletBusy } from '../errors';
import type { Sql } from '../sql';
import { CANCEL_GRACE_MS, StatementCanceller } from './cancel';
import { PostgresSql } from './postgres-sql';

/**
 * PostgreSQL: a pool; each transaction sets its own lock_timeout, and the
 * row locks taken by the ledger serialize movements per wallet. Never a
 * transaction held open across an await of anything but the database.
 */
export class PostgresDatabase implements Database {
  readonly kind = 'postgres';
  private readonly canceller = new StatementCanceller();

  constructor(
    readonly dataSource: DataSource,
    readonly lockTimeoutMs: number,
  ) {}

  /**
   * Statements outside a transaction, each one atomic by itself (reads; a
   * transfer). With a deadline (a movement's), a statement still running
   * CANCEL_GRACE_MS after it is WALLET_BUSY.
   */
  read<T>(work: (sql: Sql) => Promise<T>, deadlineMs?: number): Promise<T> {
    return this.withClient((client) => work(new PostgresSql(client)), deadlineMs);
  }

  snapshot<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.withClient(async (client, discard) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      let result: T;
      try {
        result = await work(new PostgresSql(client));
      } catch (error) {
        // A connection that cannot even roll back is not given to anyone else.
        await client.query('ROLLBACK').catch(discard);
        throw error;
      }
      await client.query('COMMIT');
      return result;
    });
  }

  /**
   * Lock waits end at `deadlineMs` (a movement's), after which a statement
   * still running is cancelled as in `read`; without one, each lock wait
   * ends after LOCK_TIMEOUT_MS.
   */
  transaction<T>(work: (sql: Sql) => Promise<T>, deadlineMs?: number): Promise<T> {
    return this.withClient(async (client, discard) => {
      const lockTimeoutMs = lockTimeoutUntil(deadlineMs ?? Date.now() + this.lockTimeoutMs);
      // Sent with the transaction's first statements, not in a round trip of its own.
      const sql = new PostgresSql(client, `BEGIN; SET LOCAL lock_timeout = ${lockTimeoutMs}`);
      let result: T;
      try {
        result = await work(sql);
      } catch (error) {
        // A connection that cannot even roll back is not given to anyone else.
        if (sql.opened) await client.query('ROLLBACK').catch(discard);
        throw error;
      }
      if (sql.opened) await client.query('COMMIT');
      return result;
    }, deadlineMs);
  }

  /**
   * A pooled client for `work`. (The pool itself drops a client whose
   * connection ended.)
   *
   * With a deadline, a statement still running CANCEL_GRACE_MS after it is
   * cancelled (StatementCanceller), and the movement is WALLET_BUSY.
   * lock_timeout bounds each lock wait by itself, and inside PostgreSQL the
   * second in line at a row waits twice: for its place, until the first in
   * line gives up, then for the row's holder; without the cancel it could
   * wait twice LOCK_TIMEOUT_MS. A cancelled statement's error means its
   * transaction did not commit: PostgreSQL commits (at Sync, or at COMMIT)
   * with interrupts held off, and drops a cancel that finds no statement
   * running (postgres.c, PostgresMain). The connection a cancel was sent to
   * is closed, not pooled, so a cancel that lands late meets no one's
   * statement.
   */
  private async withClient<T>(
    work: (client: PoolClient, discard: () => void) => Promise<T>,
    deadlineMs?: number,
  ): Promise<T> {
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    // A connection lost between statements is reported by the next statement;
    // without a listener the client's error event would end the process.
    const ignore = () => undefined;
    client.on('error', ignore);
    let discarded = false;
    let cancelled = false;
    // A connection had only after the deadline still gives its statements the
    // grace (their lock waits end after 1 ms: lockTimeoutUntil).
    const cancelTimer =
      deadlineMs === undefined
        ? undefined
        : setTimeout(
            () => {
              cancelled = this.canceller.cancel(client);
              if (cancelled) statementsCancelled.inc();
            },
            Math.max(0, deadlineMs - Date.now()) + CANCEL_GRACE_MS,
          );
    try {
      return await work(client, () => (discarded = true));
    } catch (error) {
      throw cancelled && driverCode(error) === '57014' ? walletBusy() : error;
    } finally {
      clearTimeout(cancelTimer);
      client.off('error', ignore);
      client.release(discarded || cancelled);
    }
  }

  async close(): Promise<void> {
    await this.canceller.settled();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
