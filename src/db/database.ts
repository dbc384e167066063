import assert from 'node:assert/strict';
import type { Database as BetterSqlite3Connection, Statement } from 'better-sqlite3';
import {
  Connection,
  type ConnectionConfig,
  type Pool,
  type PoolClient,
  type QueryResult,
} from 'pg';
import type { DataSource } from 'typeorm';
import type { DatabaseKind } from '../config';
import { DomainError } from '../errors';
import { statementsCancelled } from '../metrics';
import { isUuid } from './rows';

export type Row = Record<string, unknown>;

/** Raw SQL through one connection or transaction. Write `?` placeholders; both dialects run them. */
export interface Sql {
  readonly kind: DatabaseKind;
  /** Rows of a SELECT or of a statement with RETURNING. */
  rows<T = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; the number of rows it changed. */
  run(text: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Statements run in order, the rows of each: on PostgreSQL in one round
   * trip, together with the transaction's BEGIN when they are its first. Only
   * PostgreSQL's simple protocol carries several statements, and it has no
   * parameters, so the parameters here must be ids the service made: each is
   * checked to be a UUID and written into the text.
   */
  rowsOfEach<T = Row>(statements: readonly IdStatement[]): Promise<T[][]>;
}

/** A statement whose only parameters are ids (UUIDs). */
export interface IdStatement {
  text: string;
  params: readonly string[];
}

/** Refuses anything but UUIDs, on both databases alike, so a misuse fails in any test run. */
function assertIds(params: readonly unknown[]): void {
  for (const id of params) {
    assert.ok(typeof id === 'string' && isUuid(id), 'only a UUID is written into SQL text');
  }
}

/** The statement with its ids in place: safe, since a UUID holds no quote. */
export function withIdLiterals({ text, params }: IdStatement): string {
  assertIds(params);
  let index = 0;
  const written = text.replace(/\?/g, () => `'${params[index++]}'`);
  assert.equal(index, params.length, 'one id per placeholder');
  return written;
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

/** Statement names per text: node-postgres prepares a named statement once per connection. */
const preparedNames = new Map<string, { name: string; text: string }>();
/** Texts beyond this many run unprepared, so an unforeseen variety cannot grow without bound. */
const PREPARED_MAX = 500;

function postgresStatement(text: string): { name?: string; text: string } {
  let statement = preparedNames.get(text);
  if (statement === undefined) {
    if (preparedNames.size >= PREPARED_MAX) return { text: toPostgresPlaceholders(text) };
    statement = { name: `wallet_${preparedNames.size}`, text: toPostgresPlaceholders(text) };
    preparedNames.set(text, statement);
  }
  return statement;
}

/**
 * PostgreSQL straight through one pooled node-postgres client, each statement
 * prepared once per connection: TypeORM's runner cost more than the
 * statements on the hot path.
 */
class PostgresSql implements Sql {
  readonly kind = 'postgres';

  constructor(
    private readonly client: PoolClient,
    /** A transaction's opening statements, not sent yet: they join the first round trip they can. */
    private opening: string | null = null,
  ) {}

  /** Whether the opening has gone out (a transaction that sent nothing has nothing to end). */
  get opened(): boolean {
    return this.opening === null;
  }

  private takeOpening(): string | null {
    const opening = this.opening;
    this.opening = null;
    return opening;
  }

  private async query(text: string, params: readonly unknown[]) {
    const opening = this.takeOpening();
    if (opening !== null) await this.client.query(opening);
    return this.client.query({
      ...postgresStatement(text),
      // node-postgres has no bigint binding.
      values: params.map((p) => (typeof p === 'bigint' ? p.toString() : p)),
    });
  }

  async rows<T>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.query(text, params)).rows as T[];
  }

  async run(text: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.query(text, params)).rowCount ?? 0;
  }

  async rowsOfEach<T>(statements: readonly IdStatement[]): Promise<T[][]> {
    const opening = this.takeOpening();
    const texts = [...(opening === null ? [] : [opening]), ...statements.map(withIdLiterals)];
    const results = (await this.client.query(texts.join(';\n'))) as unknown as
      QueryResult | QueryResult[];
    const each = Array.isArray(results) ? results : [results];
    return each.slice(each.length - statements.length).map((result) => result.rows as T[]);
  }
}

/**
 * SQLite straight through better-sqlite3, each text prepared once and kept:
 * the hot path's statements are few and fixed, and TypeORM's runner adds an
 * event broadcast and a logger call to every statement.
 */
class SqliteSql implements Sql {
  readonly kind = 'sqlite';
  private readonly statements = new Map<string, Statement>();

  constructor(readonly connection: BetterSqlite3Connection) {}

  private prepared(text: string): Statement {
    let statement = this.statements.get(text);
    if (statement === undefined) {
      statement = this.connection.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** Synchronous underneath; the promise keeps the interface both dialects share. */
  async rows<T>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    const statement = this.prepared(text);
    return statement.reader ? (statement.all(...params) as T[]) : (statement.run(...params), []);
  }

  async run(text: string, params: readonly unknown[] = []): Promise<number> {
    const statement = this.prepared(text);
    return statement.reader ? statement.all(...params).length : statement.run(...params).changes;
  }

  async rowsOfEach<T>(statements: readonly IdStatement[]): Promise<T[][]> {
    const each: T[][] = [];
    for (const { text, params } of statements) {
      assertIds(params);
      each.push(await this.rows<T>(text, params));
    }
    return each;
  }

  exec(text: string): void {
    this.connection.exec(text);
  }
}

/** The error's SQLSTATE (PostgreSQL) or SQLite code, when a driver raised it. */
export function driverCode(error: unknown): string | undefined {
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

/**
 * What is left until `deadlineMs`, as PostgreSQL's lock_timeout takes it:
 * whole milliseconds, never 0 (which means no bound), so a deadline already
 * past leaves a lock wait 1 ms.
 */
export function lockTimeoutUntil(deadlineMs: number): number {
  return Math.max(1, Math.trunc(deadlineMs - Date.now()));
}

export const walletBusy = (): DomainError =>
  new DomainError(
    'WALLET_BUSY',
    'The wallet is busy with another payment. Retry shortly with the same idempotency key.',
  );

/**
 * How long past a movement's deadline a statement may still run before the
 * service cancels it (PostgreSQL; see Database.withClient). The database's
 * own lock_timeout ends a wait at the deadline; the cancel is for the one
 * wait that lock_timeout does not bound.
 */
export const CANCEL_GRACE_MS = 100;

/** Cancels under way at once, at most (see StatementCanceller). */
const CANCELS_AT_ONCE = 4;

/** How long a cancel request may take to be delivered before it is given up. */
const CANCEL_SEND_TIMEOUT_MS = 2_000;

/** The parts of node-postgres's Connection that its type declarations leave out. */
interface ConnectionInternals {
  connect(portOrPath: number | string, host?: string): void;
  requestSsl(): void;
  cancel(processID: number, secretKey: number): void;
}

/** What a pooled client knows of its connection: enough to cancel its statement. */
interface CancelTarget {
  host: string;
  port: number;
  ssl: unknown;
  sslNegotiation?: string;
  /** The BackendKeyData the server sent at startup. */
  processID: number;
  secretKey: number;
}

/**
 * Cancels statements running on the pool's connections (PostgreSQL) the way
 * psql does: a CancelRequest (the backend's process id and secret key) sent
 * on a socket of its own, which the server answers by signalling that backend
 * and closing the socket. It needs no login and no connection slot, so it
 * works while `max_connections` is reached, and a cancel never waits for the
 * pool whose connections it is there to free. (PgBouncer in session mode
 * maps the key to its server connection: tried by hand, see the README.)
 * With TLS configured, the request goes over TLS too; with a socket folder
 * as the host, over the Unix socket.
 * At most CANCELS_AT_ONCE are under way; one beyond them is not sent (its
 * statement ends at its own lock_timeout, as before cancels), so a database
 * that does not answer cannot pile them up.
 */
class StatementCanceller {
  private readonly underWay = new Set<Promise<void>>();

  /**
   * Cancels whatever the client's connection is running, if anything; false
   * if there were too many under way to send this one. Never throws.
   */
  cancel(client: PoolClient): boolean {
    if (this.underWay.size >= CANCELS_AT_ONCE) return false;
    const sending: Promise<void> = this.send(client as unknown as CancelTarget).finally(() =>
      this.underWay.delete(sending),
    );
    this.underWay.add(sending);
    return true;
  }

  /** Settles once the server has closed the request's socket (it has signalled the backend), or on failure. */
  private send(target: CancelTarget): Promise<void> {
    return new Promise((resolve) => {
      const connection = new Connection({
        ssl: target.ssl,
        sslNegotiation: target.sslNegotiation,
      } as ConnectionConfig) as Connection & ConnectionInternals;
      const done = () => {
        clearTimeout(timer);
        connection.stream.destroy();
        // If it failed, the statement ends at its own lock_timeout, as it did before cancels.
        resolve();
      };
      const timer = setTimeout(done, CANCEL_SEND_TIMEOUT_MS);
      const sendCancel = () => connection.cancel(target.processID, target.secretKey);
      connection.on('error', done);
      connection.on('end', done);
      connection.on('connect', () => {
        if (!target.ssl) sendCancel();
        else if (target.sslNegotiation !== 'direct') connection.requestSsl();
      });
      connection.on('sslconnect', sendCancel);
      if (target.host.startsWith('/')) {
        connection.connect(`${target.host}/.s.PGSQL.${target.port}`);
      } else {
        connection.connect(target.port, target.host);
      }
    });
  }

  /** Waits for the cancels under way. */
  async settled(): Promise<void> {
    await Promise.all(this.underWay);
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

/**
 * The service's only door to the database.
 *
 * SQLite: one better-sqlite3 connection, so every use of it — reads, the
 * session store, transactions — goes through one queue per process;
 * interleaved transactions on one connection corrupt each other.
 * Transactions that arrive while the queue is busy are committed together
 * (group commit): one BEGIN IMMEDIATE, each transaction in its own savepoint,
 * one COMMIT, so one fsync serves many movements. None is answered before
 * that COMMIT, so an answer still means durable; a transaction that throws
 * rolls back to its savepoint and leaves the others untouched. BEGIN
 * IMMEDIATE takes SQLite's write lock before anything is written, so another
 * process's writer makes us wait at BEGIN, never halfway through; we wait by
 * trying again each millisecond (up to LOCK_TIMEOUT_MS, then WALLET_BUSY),
 * not inside SQLite, so reads and requests go on meanwhile.
 *
 * PostgreSQL: a pool; each transaction sets its own lock_timeout, and the row
 * locks taken by the ledger serialize movements per wallet.
 */
export class Database {
  private readonly queue = new SerialQueue();
  private readonly sqlite: SqliteSql | null;
  private readonly canceller: StatementCanceller | null;
  private pending: PendingTransaction[] = [];

  constructor(
    readonly kind: DatabaseKind,
    readonly dataSource: DataSource,
    readonly lockTimeoutMs: number,
  ) {
    this.sqlite =
      kind === 'sqlite'
        ? new SqliteSql(
            (dataSource.driver as unknown as { databaseConnection: BetterSqlite3Connection })
              .databaseConnection,
          )
        : null;
    this.canceller = kind === 'postgres' ? new StatementCanceller() : null;
  }

  /**
   * Statements outside a transaction, each one atomic by itself (reads; a
   * transfer on PostgreSQL). With a deadline (a movement's; PostgreSQL only),
   * a statement still running CANCEL_GRACE_MS after it is WALLET_BUSY.
   */
  read<T>(work: (sql: Sql) => Promise<T>, deadlineMs?: number): Promise<T> {
    const sqlite = this.sqlite;
    if (sqlite !== null) return this.queue.run(() => work(sqlite));
    return this.withClient((client) => work(new PostgresSql(client)), deadlineMs);
  }

  /**
   * Reads that see the database at one moment, whatever commits meanwhile
   * (the audit: a balance read before a transfer committed and its legs read
   * after would not add up). Writes nothing. On SQLite it holds this process's
   * queue until `work` ends, so it is for tools, not for requests.
   */
  snapshot<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    const sqlite = this.sqlite;
    if (sqlite !== null) {
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
   * One transaction: committed when `work` resolves, rolled back when it
   * throws. On PostgreSQL its lock waits end at `deadlineMs` (a movement's),
   * after which a statement still running is cancelled as in `read`; without
   * one, each lock wait ends after LOCK_TIMEOUT_MS. (On SQLite the wait for
   * the write lock is bounded by LOCK_TIMEOUT_MS in commitPending.)
   */
  transaction<T>(work: (sql: Sql) => Promise<T>, deadlineMs?: number): Promise<T> {
    if (this.sqlite === null) return this.postgresTransaction(work, deadlineMs);
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
      if (this.pending.length === 1) setImmediate(() => this.scheduleGroupCommit());
    });
  }

  private scheduleGroupCommit(): void {
    // Its transactions hear of any failure; a ROLLBACK that fails too has nobody else to tell.
    this.queue.run(() => this.commitPending()).catch(() => undefined);
  }

  /**
   * BEGIN IMMEDIATE without waiting: false while another process holds
   * SQLite's write lock. SQLite's own busy handler would wait by sleeping,
   * which stops this process's event loop, reads and requests included.
   */
  private tryBegin(sqlite: SqliteSql): boolean {
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
    const sqlite = this.sqlite as SqliteSql;
    let begun: boolean;
    try {
      begun = this.tryBegin(sqlite);
    } catch (error) {
      return this.failGroup(this.takeGroup(), error);
    }
    if (!begun) {
      // Another process (a worker, the CLI) is writing: try again in a
      // millisecond, while reads go on and new transactions join the wait.
      if (Date.now() - this.pending[0].queuedAtMs < this.lockTimeoutMs) {
        setTimeout(() => this.scheduleGroupCommit(), 1);
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
    if (this.pending.length > 0) this.scheduleGroupCommit();
    return group;
  }

  /** Nothing of the group was committed: every one of its transactions fails. */
  private failGroup(group: PendingTransaction[], error: unknown): void {
    for (const transaction of group) transaction.reject(error);
  }

  private postgresTransaction<T>(
    work: (sql: Sql) => Promise<T>,
    deadlineMs: number | undefined,
  ): Promise<T> {
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
              cancelled = this.canceller?.cancel(client) === true;
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
    await this.canceller?.settled();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
