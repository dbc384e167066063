import { isLockTimeout, walletBusy } from '../errors';
import type { Sql } from '../sql';
import type { SqliteSql } from './sqlite-sql';

/** Runs tasks one at a time, in arrival order. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** A transaction waiting for the next group commit, and how to answer it. */
interface PendingTransaction {
  queuedAtMs: number;
  work: (sql: Sql) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The most transactions one group commit holds: bounds how long the write lock is held. */
export const GROUP_COMMIT_MAX = 256;

/**
 * Transactions that arrive while the process's queue is busy are committed
 * together: one BEGIN IMMEDIATE, each transaction in its own savepoint, one
 * COMMIT, so one fsync serves many movements. None is answered before that
 * COMMIT, so an answer still means durable; a transaction that throws rolls
 * back to its savepoint and leaves the others untouched. BEGIN IMMEDIATE
 * takes SQLite's write lock before anything is written, so another
 * process's writer makes us wait at BEGIN, never halfway through; we wait by
 * trying again each millisecond (up to LOCK_TIMEOUT_MS, then WALLET_BUSY),
 * not inside SQLite, so reads and requests go on meanwhile.
 */
export class GroupCommit {
  private pending: PendingTransaction[] = [];

  constructor(
    private readonly queue: SerialQueue,
    private readonly sqlite: SqliteSql,
    private readonly lockTimeoutMs: number,
  ) {}

  /** One transaction: committed with its group when `work` resolves, rolled back to its savepoint when it throws. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        queuedAtMs: Date.now(),
        work,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      // Whenever transactions are pending, exactly one group commit is on its way
      // for them. It waits for the end of this event-loop turn, so that the
      // transactions of every request read in this turn join it.
      if (this.pending.length === 1) setImmediate(() => this.schedule());
    });
  }

  private schedule(): void {
    // Its transactions hear of any failure; a ROLLBACK that fails too has nobody else to tell.
    this.queue.run(() => this.commitPending()).catch(() => undefined);
  }

  /**
   * BEGIN IMMEDIATE without waiting: false while another process holds
   * SQLite's write lock. SQLite's own busy handler would wait by sleeping,
   * which stops this process's event loop, reads and requests included.
   */
  private tryBegin(): boolean {
    const { sqlite } = this;
    sqlite.exec('PRAGMA busy_timeout = 0');
    try {
      sqlite.exec('BEGIN IMMEDIATE');
      return true;
    } catch (error) {
      if (isLockTimeout(error)) return false;
      throw error;
    } finally {
      sqlite.exec(`PRAGMA busy_timeout = ${Math.trunc(this.lockTimeoutMs)}`);
    }
  }

  private async commitPending(): Promise<void> {
    const { sqlite } = this;
    let begun: boolean;
    try {
      begun = this.tryBegin();
    } catch (error) {
      return this.failGroup(this.takeGroup(), error);
    }
    if (!begun) {
      // Another process (a worker, the CLI) is writing: try again in a
      // millisecond, while reads go on and new transactions join the wait.
      if (Date.now() - this.pending[0].queuedAtMs < this.lockTimeoutMs) {
        setTimeout(() => this.schedule(), 1);
        return;
      }
      return this.failGroup(this.takeGroup(), walletBusy());
    }
    const group = this.takeGroup();
    try {
      const outcomes: Outcome[] = [];
      for (const transaction of group) {
        sqlite.exec('SAVEPOINT one');
        try {
          outcomes.push({ ok: true, value: await transaction.work(sqlite) });
          sqlite.exec('RELEASE one');
        } catch (error) {
          // Some errors (disk full, I/O) make SQLite roll the whole transaction back.
          if (!sqlite.connection.inTransaction) throw error;
          outcomes.push({ ok: false, error });
          sqlite.exec('ROLLBACK TO one');
          sqlite.exec('RELEASE one');
        }
      }
      sqlite.exec('COMMIT');
      group.forEach((transaction, i) => {
        const outcome = outcomes[i];
        if (outcome.ok) transaction.resolve(outcome.value);
        else transaction.reject(outcome.error);
      });
    } catch (error) {
      this.failGroup(group, error);
      if (sqlite.connection.inTransaction) sqlite.exec('ROLLBACK');
    }
  }

  /** The next group to commit; the rest, if any, get a group commit of their own. */
  private takeGroup(): PendingTransaction[] {
    const group = this.pending.splice(0, GROUP_COMMIT_MAX);
    if (this.pending.length > 0) this.schedule();
    return group;
  }

  /** Nothing of the group was committed: every one of its transactions fails. */
  private failGroup(group: PendingTransaction[], error: unknown): void {
    for (const transaction of group) transaction.reject(error);
  }
}
