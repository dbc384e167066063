/**
 * A real webhook receiver on loopback, as a payment provider would run one:
 * it verifies each delivery's signature with the `standardwebhooks` library
 * and keeps what it was sent. It can behave badly on purpose.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type Behaviour =
  | 'ok'
  /** Answers 503. */
  | 'down'
  /** Takes the request and never answers. */
  | 'hang'
  /** Answers 200 with 10 MB. */
  | 'huge'
  /** Answers 302 to another URL of its own. */
  | 'redirect';

export interface Received {
  webhookId: string;
  type: string;
  body: string;
  signatureValid: boolean;
}

export class Receiver {
  readonly received: Received[] = [];
  behaviour: Behaviour = 'ok';
  /** Added before answering, to make attempts overlap if anything lets them. */
  delayMs = 0;
  secret = '';
  /** The most attempts of one webhook-id seen under way at once. */
  maxConcurrentPerId = 0;
  /** Requests whose body has arrived, answered yet or not. */
  requestsStarted = 0;
  /** The webhook-ids of requests taken and never answered ('hang'). */
  readonly hung: string[] = [];
  /** Requests to the redirect's target (never followed, so never any). */
  redirectedHits = 0;
  private readonly underWay = new Map<string, number>();
  private readonly hanging = new Set<http.ServerResponse>();
  private server: http.Server;

  private constructor(server: http.Server) {
    this.server = server;
  }

  static async start(): Promise<Receiver> {
    const receiver = new Receiver(http.createServer());
    receiver.server.on('request', (req, res) => receiver.handle(req, res));
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  /** The distinct webhook-ids received with a valid signature. */
  ids(): Set<string> {
    return new Set(this.received.filter((r) => r.signatureValid).map((r) => r.webhookId));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.url === '/elsewhere') {
      this.redirectedHits++;
      res.end('ok');
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      this.requestsStarted++;
      const webhookId = String(req.headers['webhook-id'] ?? '');
      let signatureValid = true;
      try {
        new Webhook(this.secret).verify(body, req.headers as Record<string, string>);
      } catch {
        signatureValid = false;
      }
      const now = (this.underWay.get(webhookId) ?? 0) + 1;
      this.underWay.set(webhookId, now);
      this.maxConcurrentPerId = Math.max(this.maxConcurrentPerId, now);
      const answer = () => {
        this.underWay.set(webhookId, (this.underWay.get(webhookId) ?? 1) - 1);
        const type = signatureValid ? (JSON.parse(body) as { type: string }).type : '';
        switch (this.behaviour) {
          case 'hang':
            this.hung.push(webhookId);
            this.hanging.add(res);
            return;
          case 'down':
            this.received.push({ webhookId, type, body, signatureValid: false });
            res.statusCode = 503;
            res.end('down');
            return;
          case 'huge':
            this.received.push({ webhookId, type, body, signatureValid });
            res.write('x'.repeat(10 * 1024 * 1024));
            res.end();
            return;
          case 'redirect':
            this.received.push({ webhookId, type, body, signatureValid: false });
            res.statusCode = 302;
            res.setHeader('location', this.url.replace('/hooks', '/elsewhere'));
            res.end();
            return;
          case 'ok':
            this.received.push({ webhookId, type, body, signatureValid });
            res.statusCode = signatureValid ? 200 : 400;
            res.end('ok');
        }
      };
      if (this.delayMs > 0) setTimeout(answer, this.delayMs);
      else answer();
    });
  }

  /** Waits until `done()` holds, checking every 50 ms, for at most `timeoutMs`. */
  async until(done: () => boolean, timeoutMs = 20_000, what = 'the receiver'): Promise<void> {
    const started = Date.now();
    while (!done()) {
      if (Date.now() - started > timeoutMs) throw new Error(`${what}: not in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
