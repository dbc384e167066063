import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { newSigningSecret } from '../../src/app/webhooks/secrets';
import { attemptDelivery } from '../../src/app/webhooks/sender';

/** What an attempt records of a receiver's failure: a status and a reason, never its words. */
describe('a webhook attempt against a receiver on loopback', () => {
  let server: http.Server;
  let base: string;

  before(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = req.url === '/broken' ? 500 : 200;
        res.end(req.url === '/broken' ? 'db password=hunter2 at 10.0.0.5:5432' : 'ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const attempt = (url: string) =>
    attemptDelivery({
      url,
      secret: newSigningSecret(),
      eventId: 'evt',
      body: '{}',
      timeoutMs: 2_000,
      policy: { production: false, allowPrivate: true },
      signal: new AbortController().signal,
    });

  it('is delivered on a 2xx', async () => {
    assert.deepEqual(await attempt(`${base}/ok`), { delivered: true, statusCode: 200 });
  });

  it("keeps a failure's status code but none of the receiver's answer", async () => {
    const outcome = await attempt(`${base}/broken`);
    assert.deepEqual(outcome, { delivered: false, statusCode: 500, error: 'answered 500' });
  });

  it('names a connection failure by its code, without the address', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const outcome = await attempt(`http://127.0.0.1:${port}/x`);
    assert.deepEqual(outcome, {
      delivered: false,
      statusCode: null,
      error: 'request failed (ECONNREFUSED)',
    });
  });
});
