/**
 * Webhooks when things go wrong on the service's side: an endpoint whose
 * signing secret can no longer be opened, a database that goes away while a
 * delivery is under way, providers whose receivers never answer, and
 * endpoints made a moment before an event. The real server over HTTP, real
 * receivers on loopback, real databases.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Client } from '../../testkit/client';
import { databaseKinds, queryDatabase } from '../../testkit/databases';
import { WITHDRAW, fund, signInAdmin, signInProvider, signUp } from '../../testkit/fixtures';
import { Receiver } from '../helpers/receiver';
import {
  startServer,
  startServerOn,
  stopAllServers,
  type TestEnvironment,
} from '../../testkit/server';
import { TcpProxy } from '../helpers/tcp-proxy';

const CREATE = `mutation Create($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { endpoint { id } secret }
}`;
const EVENTS = `query Events($first: Int, $types: [EventType!]) {
  events(first: $first, types: $types) { nodes { id data } }
}`;
const AUTHORIZE = `mutation($i: AuthorizeHoldInput!) { authorizeHold(input: $i) { hold { id } } }`;
const DELETE = 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }';
const DELIVERIES = `query Deliveries($endpointId: ID!, $status: DeliveryStatus) {
  webhookDeliveries(endpointId: $endpointId, status: $status, first: 100) {
    nodes { id status attempts lastStatusCode lastError event { id type } }
  }
}`;

interface DeliveryNode {
  status: string;
  attempts: number;
  lastError: string | null;
  event: { id: string; type: string };
}

const closers: (() => Promise<void>)[] = [];
after(async () => {
  await stopAllServers();
  await Promise.all(closers.map((close) => close()));
});

async function endpointFor(client: Client, receiver: Receiver, eventTypes: string[]) {
  const created = (await client.ok(CREATE, { input: { url: receiver.url, eventTypes } }))
    .createWebhookEndpoint;
  receiver.secret = created.secret;
  return created.endpoint as { id: string };
}

async function deliveries(client: Client, endpointId: string, status?: string) {
  return (await client.ok(DELIVERIES, { endpointId, status })).webhookDeliveries
    .nodes as DeliveryNode[];
}

/** Polls `check` every 100 ms until it holds, for at most `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) assert.fail(`not in ${timeoutMs} ms: ${what}`);
    await sleep(100);
  }
}

/** A receiver on loopback that takes every delivery (signatures are not its concern here). */
async function acceptEverything(): Promise<{ url: string }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` };
}

const status = async (url: string, path: string) => (await fetch(`${url}${path}`)).status;

for (const kind of databaseKinds()) {
  describe(`webhooks when things go wrong, on ${kind}`, () => {
    let env: TestEnvironment;
    const receivers: Receiver[] = [];
    const settings = {
      SIGNUP_RATE_PER_HOUR: '0',
      WEBHOOKS_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_RETRY_SCALE: '0.0001',
      WEBHOOK_TIMEOUT_MS: '1000',
      SESSION_SECRET: 'the-first-session-secret-0123456789',
    };

    before(async () => {
      env = await startServer(kind, settings);
    });
    after(async () => {
      await Promise.all(receivers.map((r) => r.close()));
      await env?.close();
    });

    async function receiver(): Promise<Receiver> {
      const made = await Receiver.start();
      receivers.push(made);
      return made;
    }

    it('stays up when SESSION_SECRET changed: those endpoints’ deliveries fail, saying why', async () => {
      const target = await receiver();
      const endpoint = await endpointFor(await signInAdmin(env.server.url), target, [
        'DEPOSIT_CREATED',
      ]);
      await env.server.stop();
      // From here on every instance on this database runs with the new secret.
      settings.SESSION_SECRET = 'a-rotated-session-secret-9876543210';
      env.server = await startServerOn(env.database.url, settings);
      const { url } = env.server;
      const admin = await signInAdmin(url);
      const provider = await signInProvider(url);
      const person = await signUp(url);
      await fund(provider, person.walletId, '1.00');
      await fund(provider, person.walletId, '2.00');
      await eventually(
        async () => (await deliveries(admin, endpoint.id, 'FAILED')).length === 2,
        'both deliveries FAILED',
      );
      for (const delivery of await deliveries(admin, endpoint.id)) {
        assert.equal(delivery.status, 'FAILED');
        assert.match(delivery.lastError ?? '', /signing secret cannot be opened.*recreate/);
      }
      assert.equal(target.requestsStarted, 0, 'nothing was sent unsigned or wrongly signed');
      assert.equal(env.server.process.exitCode, null, 'the process is still running');
      assert.equal(await status(url, '/healthz'), 200);
      assert.equal(
        env.server.output().match(/signing secret cannot be opened/g)?.length,
        1,
        'logged once per endpoint',
      );
      // A new endpoint under the new secret is served as ever.
      const fresh = await receiver();
      await endpointFor(admin, fresh, ['DEPOSIT_CREATED']);
      await fund(provider, person.walletId, '3.00');
      await fresh.until(() => fresh.ids().size === 1, 10_000, 'the new endpoint');
      await admin.ok(DELETE, { id: endpoint.id });
    });

    it('sends an event to every endpoint made before it committed, even while the worker is busy', async () => {
      const { url } = env.server;
      const provider = await signInProvider(url);
      const admin = await signInAdmin(url);
      const sink = await acceptEverything();
      const payer = await signUp(url);
      await fund(provider, payer.walletId, '100.00');
      // A stream of other events keeps the worker fanning out, round after round.
      let flooding = true;
      const flood = Promise.all(
        Array.from({ length: 3 }, async () => {
          const person = await signUp(url);
          while (flooding) await fund(provider, person.walletId, '0.01');
        }),
      );
      const rounds: { endpointId: string; operationId: string }[] = [];
      try {
        for (let i = 0; i < 12; i++) {
          const endpoint = (
            await provider.ok(CREATE, {
              input: { url: `${sink.url}/${i}`, eventTypes: ['WITHDRAWAL_CREATED'] },
            })
          ).createWebhookEndpoint.endpoint;
          const withdrawal = await provider.ok(WITHDRAW, {
            input: { walletId: payer.walletId, amount: '0.01', reference: randomUUID() },
          });
          rounds.push({
            endpointId: endpoint.id,
            operationId: withdrawal.walletToExternal.operation.id,
          });
          await sleep(i * 20); // each round lands at another moment of the worker's turn
        }
      } finally {
        flooding = false;
        await flood;
      }
      let events: { id: string; data: string }[] = [];
      const eventOf = (operationId: string) =>
        events.find((e) => JSON.parse(e.data).data.operation.id === operationId)?.id;
      // On PostgreSQL an event shows once the transactions begun before it have ended.
      await eventually(async () => {
        events = (await admin.ok(EVENTS, { first: 100, types: ['WITHDRAWAL_CREATED'] })).events
          .nodes;
        return rounds.every((r) => eventOf(r.operationId) !== undefined);
      }, 'every withdrawal has its event');
      // Endpoint i is owed the withdrawals from the i-th on.
      for (const [i, round] of rounds.entries()) {
        const owed = rounds.slice(i).map((r) => eventOf(r.operationId));
        await eventually(async () => {
          const sent = new Set(
            (await deliveries(provider, round.endpointId)).map((d) => d.event.id),
          );
          return owed.every((id) => sent.has(id as string));
        }, `endpoint ${i} was sent every withdrawal after it`);
      }
      for (const round of rounds) await provider.ok(DELETE, { id: round.endpointId });
    });

    it('keeps an owner to 20 endpoints, also when it asks for 30 at once', async () => {
      const { url } = env.server;
      const admin = await signInAdmin(url);
      const sink = await acceptEverything();
      const LIST = '{ webhookEndpoints { id } }';
      const before = (await admin.ok(LIST)).webhookEndpoints.length as number;
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          admin.gql(CREATE, {
            input: { url: `${sink.url}/many/${i}`, eventTypes: ['DEPOSIT_CREATED'] },
          }),
        ),
      );
      const made = answers.filter((a) => a.errors === undefined);
      const refused = answers.filter((a) => a.errors !== undefined);
      assert.equal(made.length, 20 - before);
      assert.ok(refused.every((a) => a.errors?.[0].extensions?.code === 'BAD_USER_INPUT'));
      const listed = (await admin.ok(LIST)).webhookEndpoints as { id: string }[];
      assert.equal(listed.length, 20);
      for (const answer of made) {
        await admin.ok(DELETE, { id: answer.data.createWebhookEndpoint.endpoint.id });
      }
    });

    it('fails a deleted endpoint’s pending deliveries at once', async () => {
      const { url } = env.server;
      const admin = await signInAdmin(url);
      const down = await receiver();
      down.behaviour = 'down';
      const endpoint = await endpointFor(admin, down, ['DEPOSIT_CREATED']);
      await fund(await signInProvider(url), (await signUp(url)).walletId, '1.00');
      await down.until(() => down.requestsStarted > 0, 10_000, 'the first attempt');
      await admin.ok(DELETE, { id: endpoint.id });
      const rows = await queryDatabase<{ status: string; last_error: string }>(
        env.database.url,
        `SELECT status, last_error FROM webhook_deliveries WHERE endpoint_id = '${endpoint.id}'`,
      );
      assert.deepEqual(rows, [{ status: 'FAILED', last_error: 'the endpoint was deleted' }]);
    });

    it('expires a hold by itself, beside the deliveries, and sends its HOLD_EXPIRED', async () => {
      const { url } = env.server;
      const provider = await signInProvider(url);
      const target = await receiver();
      const endpoint = await endpointFor(provider, target, ['HOLD_EXPIRED']);
      const holder = await signUp(url);
      await fund(provider, holder.walletId, '5.00');
      await provider.ok(AUTHORIZE, {
        i: {
          walletId: holder.walletId,
          amount: '1.00',
          reference: randomUUID(),
          expiresInSeconds: 1,
        },
      });
      await target.until(() => target.ids().size === 1, 10_000, 'the HOLD_EXPIRED delivery');
      assert.equal(JSON.parse(target.received[0].body).type, 'HOLD_EXPIRED');
      await provider.ok(DELETE, { id: endpoint.id });
    });

    if (kind === 'postgres') {
      it('stays up when the database goes away while a delivery is under way, and delivers after', async () => {
        const proxy = await TcpProxy.to({ host: '127.0.0.1', port: 5432 });
        proxy.restore();
        const viaProxy = new URL(env.database.url);
        viaProxy.hostname = '127.0.0.1';
        viaProxy.port = String(proxy.port);
        // An attempt's answer takes 1.5 s, well within its timeout.
        const server = await startServerOn(viaProxy.toString(), {
          ...settings,
          WEBHOOK_TIMEOUT_MS: '3000',
        });
        try {
          const admin = await signInAdmin(server.url);
          const slow = await receiver();
          slow.delayMs = 1_500;
          const endpoint = await endpointFor(admin, slow, ['DEPOSIT_CREATED']);
          const person = await signUp(server.url);
          await fund(await signInProvider(server.url), person.walletId, '1.00');
          await slow.until(() => slow.requestsStarted > 0, 10_000, 'the attempt');
          // The answer comes while the database is away: its record cannot be written.
          proxy.cut();
          await slow.until(() => slow.received.length > 0, 10_000, 'the answer');
          await eventually(
            async () => (await status(server.url, '/readyz')) === 503,
            '/readyz 503 while the database is away',
          );
          await sleep(1_000);
          assert.equal(server.process.exitCode, null, 'the process is still running');
          assert.equal(await status(server.url, '/healthz'), 200);
          proxy.restore();
          await eventually(
            async () => (await status(server.url, '/readyz')) === 200,
            '/readyz 200 again',
          );
          // The unrecorded attempt is made again once its lease (2 × 3 s + 5 s) runs out.
          await eventually(
            async () => (await deliveries(admin, endpoint.id, 'DELIVERED')).length === 1,
            'DELIVERED after the outage',
            30_000,
          );
          assert.equal(server.process.exitCode, null);
        } finally {
          await server.stop();
          await proxy.close();
        }
      });
    }
  });
}

/** A receiver that takes connections and never answers, as a hostile one would. */
async function silentReceiver(): Promise<{ url: string; connections: () => number }> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => connections,
  };
}

for (const kind of databaseKinds()) {
  describe(`webhook fairness between owners, on ${kind}`, () => {
    let env: TestEnvironment;
    before(async () => {
      env = await startServer(kind, {
        SIGNUP_RATE_PER_HOUR: '0',
        WEBHOOKS_ALLOW_PRIVATE_URLS: 'true',
        WEBHOOK_TIMEOUT_MS: '15000', // the contract's
        SHUTDOWN_TIMEOUT_MS: '1000',
      });
    });
    after(() => env?.close());

    it('keeps one owner’s silent receivers from holding up another owner’s delivery', async () => {
      const { url } = env.server;
      const provider = await signInProvider(url);
      const admin = await signInAdmin(url);
      const silent = await silentReceiver();
      // The provider's twenty endpoints (its most) all go nowhere.
      for (let i = 0; i < 20; i++) {
        await provider.ok(CREATE, {
          input: { url: `${silent.url}/${i}`, eventTypes: ['DEPOSIT_CREATED'] },
        });
      }
      const person = await signUp(url);
      await fund(provider, person.walletId, '1.00');
      await eventually(async () => silent.connections() >= 4, 'the silent attempts under way');
      await sleep(500); // every slot the provider may take is taken
      const honest = await Receiver.start();
      closers.push(() => honest.close());
      await endpointFor(admin, honest, ['DEPOSIT_CREATED']);
      const started = Date.now();
      await fund(provider, person.walletId, '2.00');
      await honest.until(() => honest.ids().size === 1, 10_000, 'the honest receiver');
      const tookMs = Date.now() - started;
      assert.ok(tookMs < 2_000, `the admin's delivery took ${tookMs} ms`);
      assert.equal(env.server.process.exitCode, null);
    });
  });
}
