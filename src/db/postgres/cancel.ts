import { Connection, type ConnectionConfig, type PoolClient } from 'pg';

/**
 * How long past a movement's deadline a statement may still run before the
 * service cancels it (PostgreSQL; see PostgresDatabase.withClient). The database's
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
 * maps the key to its server connection: tried by hand, see docs/operations.md.)
 * With TLS configured, the request goes over TLS too; with a socket folder
 * as the host, over the Unix socket.
 * At most CANCELS_AT_ONCE are under way; one beyond them is not sent (its
 * statement ends at its own lock_timeout, as before cancels), so a database
 * that does not answer cannot pile them up.
 */
export class StatementCanceller {
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
