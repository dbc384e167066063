/** A TCP proxy the test can cut and restore, to take the database away from a server. */
import net from 'node:net';

type ProxyState = 'down' | 'up' | 'holding';

export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private state: ProxyState = 'down';
  private refusals = 0;
  private readonly refusalWaiters: (() => void)[] = [];

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /**
   * A proxy on a port the OS picks, down until `restore()`. It keeps that
   * port until `close()`: a port given back while the database is "away"
   * could be taken by another process before `restore()` listens again.
   */
  static async to(target: { host: string; port: number }): Promise<TcpProxy> {
    let proxy: TcpProxy | null = null;
    const server = net.createServer((client) => proxy?.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port, target);
    return proxy;
  }

  private accept(client: net.Socket): void {
    this.track(client);
    // Down: reset at once, which the client sees as a database that is not there.
    if (this.state === 'down') {
      client.resetAndDestroy();
      this.refusals++;
      for (const wake of this.refusalWaiters.splice(0)) wake();
      return;
    }
    if (this.state === 'holding') return;
    const upstream = net.connect(this.target.port, this.target.host);
    this.track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  /** Resolves once `count` connections in all were refused while down (a client that tried). */
  async refused(count = 1): Promise<void> {
    while (this.refusals < count) {
      await new Promise<void>((wake) => this.refusalWaiters.push(wake));
    }
  }

  /** Passes new connections on to the target. */
  restore(): void {
    this.state = 'up';
  }

  /** Accepts new connections and never answers them, like a database that hangs; open ones go on. */
  holdNew(): void {
    this.state = 'holding';
  }

  /** Refuses new connections and breaks the open ones, like a database that went away. */
  cut(): void {
    this.state = 'down';
    for (const socket of this.sockets) socket.destroy();
  }

  /** Cuts, and gives the port back. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
