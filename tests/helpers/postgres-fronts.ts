/**
 * Fronts for the test PostgreSQL (plain TCP, no TLS) that reach it another
 * way: over TLS ended here, or over a Unix socket. Each relays to the real
 * database and counts the CancelRequests it carried, so a test can prove
 * that the statement canceller reaches the database the way the pool does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Duplex } from 'node:stream';
import tls from 'node:tls';

/** The protocol's codes in the first message's second int32. */
const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
/** The first byte of a TLS handshake record: a client negotiating TLS directly (sslnegotiation=direct). */
const TLS_HANDSHAKE = 0x16;

interface Target {
  host: string;
  port: number;
}

abstract class PostgresFront {
  /** CancelRequests relayed to the database. */
  cancelsRelayed = 0;

  private readonly sockets = new Set<net.Socket>();
  protected readonly server = net.createServer((client) => {
    this.track(client);
    this.accept(client);
  });

  protected constructor(private readonly target: Target) {}

  protected abstract accept(client: net.Socket): void;

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  protected track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  /** Relays `client`'s startup-phase stream to the database, counting a CancelRequest. */
  protected relay(client: net.Socket): void {
    readFirstMessage(client, (message) => {
      if (message.readInt32BE(4) === CANCEL_REQUEST) this.cancelsRelayed += 1;
      const upstream = net.connect(this.target.port, this.target.host);
      this.track(upstream);
      upstream.write(message);
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }
}

/**
 * Takes TLS only, in both of the protocol's ways (SSLRequest first, or TLS
 * at once with ALPN `postgresql`), with a throwaway self-signed certificate
 * (clients connect with sslmode=no-verify); refuses anything in the clear.
 */
export class PostgresTlsFront extends PostgresFront {
  /** Connections that sent anything but TLS. */
  plainRefused = 0;

  private readonly secureContext = selfSignedContext();

  static async to(target: Target): Promise<PostgresTlsFront> {
    const front = new PostgresTlsFront(target);
    await new Promise<void>((resolve) => front.server.listen(0, '127.0.0.1', resolve));
    return front;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  protected accept(client: net.Socket): void {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered[0] === TLS_HANDSHAKE) {
        client.off('data', onData);
        this.endTls(client, buffered, ['postgresql']);
        return;
      }
      if (buffered.length < 8) return;
      client.off('data', onData);
      if (buffered.readInt32BE(0) !== 8 || buffered.readInt32BE(4) !== SSL_REQUEST) {
        this.plainRefused += 1;
        client.destroy();
        return;
      }
      client.write('S');
      this.endTls(client, buffered.subarray(8));
    };
    client.on('data', onData);
  }

  /**
   * Ends the client's TLS here (`received`: its bytes read so far) and relays
   * the plain protocol. The TLS socket runs over a stream of our own, not
   * over the client's socket, so that the bytes already read reach the
   * handshake.
   */
  private endTls(client: net.Socket, received: Buffer, alpn?: string[]): void {
    const fromClient = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        client.write(chunk, callback);
      },
      final(callback) {
        client.end();
        callback();
      },
    });
    fromClient.push(received);
    client.on('data', (chunk: Buffer) => fromClient.push(chunk));
    client.on('end', () => fromClient.push(null));
    client.on('close', () => fromClient.destroy());
    const secure = new tls.TLSSocket(fromClient as unknown as net.Socket, {
      isServer: true,
      secureContext: this.secureContext,
      ALPNProtocols: alpn,
    });
    this.track(secure);
    this.relay(secure);
  }
}

/** Listens on a Unix socket, named as PostgreSQL names its own, in a folder of its own. */
export class PostgresUnixSocketFront extends PostgresFront {
  private constructor(
    target: Target,
    /** The folder to give as the host. */
    readonly directory: string,
    readonly port: number,
  ) {
    super(target);
  }

  static async to(target: Target): Promise<PostgresUnixSocketFront> {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'wallet-pg-socket-'));
    const front = new PostgresUnixSocketFront(target, directory, target.port);
    const socketPath = path.join(directory, `.s.PGSQL.${target.port}`);
    await new Promise<void>((resolve) => front.server.listen(socketPath, resolve));
    return front;
  }

  protected accept(client: net.Socket): void {
    this.relay(client);
  }

  override async close(): Promise<void> {
    await super.close();
    fs.rmSync(this.directory, { recursive: true, force: true });
  }
}

/** Calls back with the first message of a startup-phase stream (int32 length, then the rest). */
function readFirstMessage(stream: net.Socket, then: (message: Buffer) => void): void {
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.length < 8 || buffered.length < buffered.readInt32BE(0)) return;
    stream.off('data', onData);
    stream.pause();
    const length = buffered.readInt32BE(0);
    if (buffered.length > length) stream.unshift(buffered.subarray(length));
    then(buffered.subarray(0, length));
  };
  stream.on('data', onData);
}

/** A certificate made for this run only. */
function selfSignedContext(): tls.SecureContext {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wallet-tls-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'ignore' },
    );
    return tls.createSecureContext({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
