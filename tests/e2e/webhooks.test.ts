/**
 * Events and signed webhooks over real HTTP: the outbox, the events cursor,
 * and deliveries to real receivers on loopback that verify signatures with
 * the standardwebhooks library, through outages, crashes, two instances and
 * hostile receivers.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { EVENT_TYPES } from '../../src/domain/event-types';
import { Client } from '../../testkit/client';
import { databaseKinds, queryDatabase } from '../../testkit/databases';
import {
  SEND,
  WITHDRAW,
  fund,
  signInAdmin,
  signInProvider,
  signUp,
  fundedPerson,
} from '../../testkit/fixtures';
import { Receiver } from '../helpers/receiver';
import {
  startServer,
  startServerOn,
  stopAllServers,
  type TestEnvironment,
  type TestServer,
} from '../../testkit/server';

const CREATE = `mutation Create($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { endpoint { id url eventTypes enabled createdAt } secret }
}`;
const EVENTS = `query Events($first: Int, $after: String, $types: [EventType!]) {
  events(first: $first, after: $after, types: $types) {
    nodes { id type createdAt walletIds data } pageInfo { hasNextPage endCursor }
  }
}`;
const DELIVERIES = `query Deliveries($endpointId: ID!, $status: DeliveryStatus) {
  webhookDeliveries(endpointId: $endpointId, status: $status, first: 100) {
    nodes { id status attempts lastStatusCode lastError nextAttemptAt deliveredAt event { id type } }
  }
}`;
const REDELIVER = `mutation Redeliver($endpointId: ID!, $eventId: ID!) {
  redeliverEvent(endpointId: $endpointId, eventId: $eventId) { id status attempts }
}`;
const AUTHORIZE = `mutation($i: AuthorizeHoldInput!) { authorizeHold(input: $i) { hold { id } } }`;
const CAPTURE = `mutation($i: CaptureHoldInput!) { captureHold(input: $i) { hold { id } } }`;
const REFUND = `mutation($i: RefundTransferInput!) { refundTransfer(input: $i) { transfer { id } } }`;
const REQUEST = `mutation($i: RequestPaymentInput!) { requestPayment(input: $i) { id } }`;

const ALL_TYPES = [...EVENT_TYPES];

after(stopAllServers);

interface EventNode {
  id: string;
  type: string;
  walletIds: string[];
  data: string;
}

interface EventPage {
  nodes: EventNode[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Every event a client may read, paging `first` at a time from the start. */
async function allEvents(client: Client, first = 50): Promise<EventNode[]> {
  const events: EventNode[] = [];
  let after: string | null = null;
  for (;;) {
    const page: EventPage = (await client.ok(EVENTS, { first, after })).events;
    events.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return events;
    after = page.pageInfo.endCursor;
  }
}

/**
 * Every event a client may read once `ready` holds of them: on PostgreSQL an
 * event shows only when the write transactions that began before it have
 * ended (the horizon), a moment after its movement's answer.
 */
async function eventsOnceVisible(
  client: Client,
  ready: (events: EventNode[]) => boolean,
  first = 50,
): Promise<EventNode[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const events = await allEvents(client, first);
    if (ready(events) || Date.now() > deadline) return events;
    await sleep(50);
  }
}

async function endpointFor(client: Client, receiver: Receiver, eventTypes = ALL_TYPES) {
  const created = (await client.ok(CREATE, { input: { url: receiver.url, eventTypes } }))
    .createWebhookEndpoint;
  receiver.secret = created.secret;
  return created.endpoint as { id: string; url: string };
}

for (const kind of databaseKinds()) {
  describe(`events and webhooks on ${kind}`, () => {
    let env: TestEnvironment;
    let url: string;
    let provider: Client;
    let admin: Client;
    const receivers: Receiver[] = [];
    const servers: TestServer[] = [];

    const settings = {
      SIGNUP_RATE_PER_HOUR: '0',
      WEBHOOKS_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_RETRY_SCALE: '0.0001',
      WEBHOOK_TIMEOUT_MS: '1000',
    };

    before(async () => {
      env = await startServer(kind, settings);
      url = env.server.url;
      provider = await signInProvider(url);
      admin = await signInAdmin(url);
    });
    after(async () => {
      await Promise.all(servers.map((s) => s.stop('SIGKILL')));
      await Promise.all(receivers.map((r) => r.close()));
      await env?.close();
    });

    async function receiver(): Promise<Receiver> {
      const made = await Receiver.start();
      receivers.push(made);
      return made;
    }

    const funded = (amount: string, name?: string) => fundedPerson(url, provider, amount, name);

    it(`serves from the ${kind} driver`, () => {
      assert.match(env.server.output(), new RegExp(`"database":"${kind}"`));
    });

    it('reports every change of a concurrent workload once, signed, to each endpoint that wants it', async () => {
      const toAdmin = await receiver();
      const toProvider = await receiver();
      await endpointFor(admin, toAdmin);
      await endpointFor(provider, toProvider, [
        'DEPOSIT_CREATED',
        'HOLD_AUTHORIZED',
        'HOLD_CAPTURED',
      ]);
      const people = await Promise.all(
        Array.from({ length: 6 }, (_, i) => funded('100.00', `P${i}`)),
      );
      // 60 transfers at once, among them.
      const sent = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          people[i % 6].client.gql(SEND, {
            input: { toWalletId: people[(i + 1) % 6].walletId, amount: '1.00' },
          }),
        ),
      );
      assert.ok(
        sent.every((s) => s.errors === undefined),
        JSON.stringify(sent.find((s) => s.errors)),
      );
      const firstTransfer = sent[0].data.walletToWallet.transfer.id as string;
      await people[1].client.ok(REFUND, { i: { transferId: firstTransfer, amount: '0.50' } });
      const hold = (
        await provider.ok(AUTHORIZE, {
          i: { walletId: people[2].walletId, amount: '5.00', reference: randomUUID() },
        })
      ).authorizeHold.hold;
      await provider.ok(CAPTURE, { i: { holdId: hold.id, amount: '2.00' } });
      await people[3].client.ok(REQUEST, { i: { payerEmail: people[4].email, amount: '3.00' } });

      const adminEvents = await eventsOnceVisible(
        admin,
        (events) => events.some((e) => e.type === 'PAYMENT_REQUEST_CREATED'),
        7,
      );
      const counts = (type: string) => adminEvents.filter((e) => e.type === type).length;
      // Each answered movement has its event, and no event is written twice.
      assert.equal(new Set(adminEvents.map((e) => e.id)).size, adminEvents.length);
      assert.equal(counts('TRANSFER_CREATED'), 60);
      assert.equal(counts('DEPOSIT_CREATED'), 6);
      assert.equal(counts('REFUND_CREATED'), 1);
      assert.equal(counts('HOLD_AUTHORIZED'), 1);
      assert.equal(counts('HOLD_CAPTURED'), 1);
      assert.equal(counts('PAYMENT_REQUEST_CREATED'), 1);
      // Exactly the 60 answered transfers are reported, each once, and the ledger holds those 60.
      const answered = sent.map((s) => s.data.walletToWallet.transfer.id as string).sort();
      const reported = adminEvents
        .filter((e) => e.type === 'TRANSFER_CREATED')
        .map((e) => JSON.parse(e.data).data.transfer.id as string)
        .sort();
      assert.deepEqual(reported, answered);
      const wallets = people.map((p) => `'${p.walletId}'`).join(', ');
      const [transfers] = await queryDatabase<{ n: unknown }>(
        env.database.url,
        `SELECT COUNT(*) AS n FROM transfers WHERE refund_of IS NULL AND from_wallet_id IN (${wallets})`,
      );
      assert.equal(Number(transfers.n), 60);
      const body = JSON.parse(adminEvents.find((e) => e.type === 'REFUND_CREATED')?.data ?? '{}');
      assert.equal(body.data.transfer.refundOf, firstTransfer);
      assert.equal(body.data.transfer.amount, '0.50');

      await toAdmin.until(
        () => adminEvents.every((e) => toAdmin.ids().has(e.id)),
        20_000,
        'the admin receiver',
      );
      assert.ok(
        toAdmin.received.every((r) => r.signatureValid),
        'every signature verifies',
      );
      // The provider sees its own events only: deposits it made, its hold.
      const providerEvents = await allEvents(provider);
      assert.ok(providerEvents.length >= 8);
      assert.ok(
        providerEvents.every((e) => !['TRANSFER_CREATED', 'REFUND_CREATED'].includes(e.type)),
      );
      const wanted = providerEvents.filter((e) =>
        ['DEPOSIT_CREATED', 'HOLD_AUTHORIZED', 'HOLD_CAPTURED'].includes(e.type),
      );
      await toProvider.until(() => wanted.every((e) => toProvider.ids().has(e.id)), 20_000);
      const notWanted = [...toProvider.ids()].filter((id) => !wanted.some((e) => e.id === id));
      assert.deepEqual(notWanted, [], 'only the types it asked for, and only its own');
    });

    it('pages events oldest first; a cursor belongs to its list; people cannot read them', async () => {
      const person = await funded('10.00');
      const page = (await provider.ok(EVENTS, { first: 2 })).events;
      assert.equal(page.nodes.length, 2);
      const next = (await provider.ok(EVENTS, { first: 2, after: page.pageInfo.endCursor })).events;
      assert.ok(
        !next.nodes.some((n: EventNode) => page.nodes.some((p: EventNode) => p.id === n.id)),
      );
      await provider.refused('BAD_USER_INPUT', EVENTS, {
        after: page.pageInfo.endCursor,
        types: ['DEPOSIT_CREATED'],
      });
      await admin.refused('BAD_USER_INPUT', EVENTS, { after: page.pageInfo.endCursor });
      await provider.refused('BAD_USER_INPUT', EVENTS, { after: 'not-a-cursor' });
      await person.client.refused('FORBIDDEN', EVENTS, {});
      await new Client(url).refused('UNAUTHENTICATED', EVENTS, {});
      // A filter by type gives exactly that type's events, in the same order, and leaves out the rest.
      await provider.ok(WITHDRAW, {
        input: { walletId: person.walletId, amount: '1.00', reference: randomUUID() },
      });
      const all = await eventsOnceVisible(provider, (events) =>
        events.some(
          (e) => e.type === 'WITHDRAWAL_CREATED' && e.walletIds.includes(person.walletId),
        ),
      );
      const deposits = all.filter((e) => e.type === 'DEPOSIT_CREATED').map((e) => e.id);
      assert.ok(
        deposits.length > 0 && deposits.length < all.length,
        'some events are deposits, some not',
      );
      const filtered = (await provider.ok(EVENTS, { first: 100, types: ['DEPOSIT_CREATED'] }))
        .events;
      assert.equal(filtered.pageInfo.hasNextPage, false);
      assert.deepEqual(
        filtered.nodes.map((n: EventNode) => n.id),
        deposits,
      );
    });

    it('gets everything to a receiver that was down, once it is back; FAILED after the schedule, redelivered on demand', async () => {
      const flaky = await receiver();
      const endpoint = await endpointFor(admin, flaky, ['DEPOSIT_CREATED']);
      flaky.behaviour = 'down';
      const people = await Promise.all([funded('1.00'), funded('2.00'), funded('3.00')]);
      await sleep(1_000); // the attempts at 0, +0.5, +30, +180 and +720 ms fail
      flaky.behaviour = 'ok';
      const wallets = new Set(people.map((p) => p.walletId));
      const isMine = (e: EventNode) => e.type === 'DEPOSIT_CREATED' && wallets.has(e.walletIds[0]);
      const mine = (
        await eventsOnceVisible(admin, (events) => events.filter(isMine).length >= 3)
      ).filter(isMine);
      assert.equal(mine.length, 3);
      await flaky.until(() => mine.every((e) => flaky.ids().has(e.id)), 20_000);
      const deliveries = (await admin.ok(DELIVERIES, { endpointId: endpoint.id })).webhookDeliveries
        .nodes as { status: string; attempts: number; event: { id: string } }[];
      for (const event of mine) {
        const delivery = deliveries.find((d) => d.event.id === event.id);
        assert.equal(delivery?.status, 'DELIVERED');
        assert.ok((delivery?.attempts ?? 0) > 1, 'it was retried');
      }

      // A receiver that never comes back: FAILED once the schedule is spent (8 attempts).
      const dead = await receiver();
      const lost = await endpointFor(admin, dead, ['WITHDRAWAL_CREATED']);
      dead.behaviour = 'down';
      await provider.ok(
        `mutation($i: WalletToExternalInput!) { walletToExternal(input: $i) { operation { id } } }`,
        { i: { walletId: people[2].walletId, amount: '1.00', reference: randomUUID() } },
      );
      let failed: { status: string; attempts: number; event: { id: string } } | undefined;
      const started = Date.now();
      while (failed === undefined) {
        assert.ok(Date.now() - started < 60_000, 'FAILED within the scaled schedule');
        await sleep(250);
        failed = (await admin.ok(DELIVERIES, { endpointId: lost.id, status: 'FAILED' }))
          .webhookDeliveries.nodes[0];
      }
      assert.equal(failed.attempts, 8);
      dead.behaviour = 'ok';
      const again = (await admin.ok(REDELIVER, { endpointId: lost.id, eventId: failed.event.id }))
        .redeliverEvent;
      assert.deepEqual([again.status, again.attempts], ['PENDING', 0]);
      await dead.until(() => dead.ids().has(failed?.event.id ?? ''), 10_000);
    });

    it('loses nothing when wallet serve is killed mid-delivery: the same webhook-id comes again', async () => {
      const slow = await receiver();
      const second = await startServerOn(env.database.url, settings);
      servers.push(second);
      // Only the second instance sends: the first is stopped meanwhile.
      await env.server.stop();
      const secondAdmin = await signInAdmin(second.url);
      await endpointFor(secondAdmin, slow, ['DEPOSIT_CREATED']);
      slow.behaviour = 'hang';
      const secondProvider = await signInProvider(second.url);
      const person = await signUp(second.url);
      await fund(secondProvider, person.walletId, '4.00');
      await slow.until(() => slow.hung.length > 0, 10_000, 'the first attempt');
      const webhookId = slow.hung[0];
      await second.stop('SIGKILL');
      slow.behaviour = 'ok';
      env.server = await startServerOn(env.database.url, settings);
      url = env.server.url;
      provider = await signInProvider(url);
      admin = await signInAdmin(url);
      // Once the dead instance's lease runs out (2 x 1 s + 5 s), the attempt is made again.
      await slow.until(() => slow.ids().has(webhookId), 20_000, 'the attempt after the crash');
      assert.equal(slow.received.filter((r) => r.webhookId === webhookId).length, 1);
    });

    it('never has two instances send one event to one endpoint at the same time', async () => {
      const careful = await receiver();
      careful.delayMs = 150;
      await endpointFor(admin, careful, ['TRANSFER_CREATED']);
      const twin = await startServerOn(env.database.url, settings);
      servers.push(twin);
      const payer = await funded('100.00');
      const payee = await signUp(url);
      const made = await Promise.all(
        Array.from({ length: 20 }, () =>
          payer.client.ok(SEND, { input: { toWalletId: payee.walletId, amount: '1.00' } }),
        ),
      );
      const ids = made.map((m) => m.walletToWallet.transfer.id as string);
      const isMade = (e: EventNode) =>
        e.type === 'TRANSFER_CREATED' && ids.includes(JSON.parse(e.data).data.transfer.id);
      const events = (
        await eventsOnceVisible(admin, (all) => all.filter(isMade).length >= 20)
      ).filter(isMade);
      assert.equal(events.length, 20);
      await careful.until(() => events.every((e) => careful.ids().has(e.id)), 30_000);
      assert.equal(careful.maxConcurrentPerId, 1, 'one attempt of an event at a time');
      await twin.stop();
    });

    it('refuses bad URLs, private addresses, people, and others’ endpoints, with the right code', async () => {
      const strict = await startServerOn(env.database.url, {
        ...settings,
        WEBHOOKS_ALLOW_PRIVATE_URLS: 'false',
      });
      servers.push(strict);
      const strictProvider = await signInProvider(strict.url);
      const input = (overrides: Record<string, unknown>) => ({
        input: { url: 'https://example.com/hooks', eventTypes: ['DEPOSIT_CREATED'], ...overrides },
      });
      for (const bad of [
        'not a url',
        'ftp://example.com/hooks',
        'https://user:secret@example.com/hooks',
        `https://example.com/${'x'.repeat(2050)}`,
        'http://127.0.0.1:9/hooks',
        'http://[::1]:9/hooks',
        'http://localhost:9/hooks',
        'http://10.1.2.3/hooks',
        'http://169.254.169.254/latest/meta-data',
        'http://[::127.0.0.1]:9/hooks',
        'http://[::ffff:10.0.0.1]/hooks',
        'http://[64:ff9b::a9fe:a9fe]/hooks',
        'https://198.18.0.1/hooks',
      ]) {
        const message = await strictProvider.refused('BAD_USER_INPUT', CREATE, input({ url: bad }));
        assert.match(message, /webhook URL|url/i, bad);
      }
      // Public receivers of both families are accepted (and deleted at once: none answers here).
      for (const good of ['https://1.1.1.1/hooks', 'https://[2606:4700:4700::1111]/hooks']) {
        const made = (await strictProvider.ok(CREATE, input({ url: good }))).createWebhookEndpoint;
        assert.equal(made.endpoint.url, good);
        await strictProvider.ok('mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', {
          id: made.endpoint.id,
        });
      }
      await strictProvider.refused('BAD_USER_INPUT', CREATE, input({ eventTypes: [] }));
      await strict.stop();
      const person = await signUp(url);
      const target = await receiver();
      await person.client.refused('FORBIDDEN', CREATE, input({ url: target.url }));
      await new Client(url).refused('UNAUTHENTICATED', CREATE, input({ url: target.url }));
      // Someone else's endpoint is not there for you.
      const adminEndpoint = await endpointFor(admin, target, ['DEPOSIT_CREATED']);
      await provider.refused('NOT_FOUND', DELIVERIES, { endpointId: adminEndpoint.id });
      await provider.refused('NOT_FOUND', 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', {
        id: adminEndpoint.id,
      });
      const listed = (await provider.ok('{ webhookEndpoints { id } }')).webhookEndpoints;
      assert.ok(!listed.some((e: { id: string }) => e.id === adminEndpoint.id));
      // The secret is shown once and kept sealed: the database does not hold it.
      const [stored] = await queryDatabase<{ secret_ciphertext: string }>(
        env.database.url,
        `SELECT secret_ciphertext FROM webhook_endpoints WHERE id = '${adminEndpoint.id}'`,
      );
      assert.match(target.secret, /^whsec_[A-Za-z0-9+/=]{40,}$/);
      assert.ok(!stored.secret_ciphertext.includes(target.secret.slice(6, 20)));
      assert.ok(
        (
          await admin.ok('mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', {
            id: adminEndpoint.id,
          })
        ).deleteWebhookEndpoint,
      );
    });

    it('keeps hostile receivers from holding up the others: silence, huge answers, redirects', async () => {
      const good = await receiver();
      const silent = await receiver();
      const huge = await receiver();
      const redirect = await receiver();
      silent.behaviour = 'hang';
      huge.behaviour = 'huge';
      redirect.behaviour = 'redirect';
      for (const r of [good, silent, huge, redirect])
        await endpointFor(provider, r, ['HOLD_VOIDED']);
      const person = await funded('10.00');
      const hold = (
        await provider.ok(AUTHORIZE, {
          i: { walletId: person.walletId, amount: '1.00', reference: randomUUID() },
        })
      ).authorizeHold.hold;
      const started = Date.now();
      await provider.ok('mutation($id: ID!) { voidHold(holdId: $id) { hold { id } } }', {
        id: hold.id,
      });
      await good.until(() => good.ids().size === 1, 10_000, 'the good receiver');
      assert.ok(Date.now() - started < 5_000, 'not held up by the silent one');
      await huge.until(() => huge.received.length >= 1, 10_000, 'the huge receiver');
      await redirect.until(() => redirect.received.length >= 1, 10_000, 'the redirecting receiver');
      await sleep(500);
      assert.equal(redirect.redirectedHits, 0, 'a redirect is never followed');
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /wallet_webhook_deliveries_total\{outcome="delivered"\} [1-9]/);
      assert.match(metrics, /wallet_webhook_deliveries_total\{outcome="retry"\} [1-9]/);
      assert.match(metrics, /wallet_webhook_oldest_undelivered_seconds \d/);
    });

    it('finishes a delivery under way at SIGTERM, and gives back one it cannot finish in time', async () => {
      const patient = await receiver();
      patient.delayMs = 600;
      const endpoint = await endpointFor(admin, patient, ['DEPOSIT_CREATED']);
      const person = await signUp(url);
      await env.server.stop();
      const stopping = await startServerOn(env.database.url, {
        ...settings,
        SHUTDOWN_TIMEOUT_MS: '5000',
      });
      await fund(await signInProvider(stopping.url), person.walletId, '1.00');
      await patient.until(() => patient.requestsStarted > 0, 10_000, 'the attempt');
      // The attempt is under way, its answer 600 ms off.
      assert.equal(await stopping.stop('SIGTERM'), 0);
      const delivered = (
        await queryDatabase<{ status: string }>(
          env.database.url,
          `SELECT status FROM webhook_deliveries WHERE endpoint_id = '${endpoint.id}'`,
        )
      ).map((row) => row.status);
      assert.deepEqual(delivered, ['DELIVERED'], 'the attempt under way was finished and recorded');

      // One that cannot finish within the bound is given back, and sent at once after the restart.
      patient.behaviour = 'hang';
      const quick = await startServerOn(env.database.url, {
        ...settings,
        SHUTDOWN_TIMEOUT_MS: '500',
      });
      await fund(await signInProvider(quick.url), person.walletId, '1.00');
      await patient.until(() => patient.hung.length > 0, 10_000, 'the hanging attempt');
      const stoppedAt = Date.now();
      assert.equal(await quick.stop('SIGTERM'), 0);
      assert.ok(Date.now() - stoppedAt < 3_000, 'shutdown kept its bound');
      const [leased] = await queryDatabase<{ lease_until: unknown; status: string }>(
        env.database.url,
        `SELECT lease_until, status FROM webhook_deliveries WHERE endpoint_id = '${endpoint.id}' AND status = 'PENDING'`,
      );
      assert.equal(leased.lease_until, null, 'given back, not left under a lease');
      patient.behaviour = 'ok';
      patient.delayMs = 0;
      env.server = await startServerOn(env.database.url, settings);
      url = env.server.url;
      provider = await signInProvider(url);
      admin = await signInAdmin(url);
      await patient.until(() => patient.ids().size === 2, 5_000, 'the given-back delivery');
    });

    if (kind === 'postgres') {
      it('never lets a reader page past an event whose transaction is still open (the horizon)', async () => {
        const reader = await signInAdmin(url);
        let cursor: string | null = null;
        const pageOn = async () => {
          const got: EventNode[] = [];
          for (;;) {
            const page: EventPage = (await reader.ok(EVENTS, { first: 100, after: cursor })).events;
            got.push(...page.nodes);
            cursor = page.pageInfo.endCursor;
            if (!page.pageInfo.hasNextPage) return got;
          }
        };
        assert.ok((await pageOn()).length > 0, 'read to the end');
        // An event written by a transaction that began first and commits last.
        const { Client: PgClient } = await import('pg');
        const late = new PgClient({ connectionString: env.database.url });
        await late.connect();
        const lateId = randomUUID();
        await late.query('BEGIN');
        await late.query(
          `INSERT INTO events (id, type, owner_user_id, wallet_ids, body, created_at, tx_order)
           VALUES ($1, 'DEPOSIT_CREATED', NULL, '[]', '{}', 0, CAST(CAST(pg_current_xact_id() AS text) AS bigint))`,
          [lateId],
        );
        const person = await funded('1.00'); // commits an event after the open one began
        const meanwhile = await pageOn();
        assert.deepEqual(meanwhile, [], 'nothing past the open transaction is shown yet');
        await late.query('COMMIT');
        await late.end();
        const then = await pageOn();
        assert.equal(then[0].id, lateId, 'the late event comes first');
        assert.ok(
          then.some((e) => e.walletIds.includes(person.walletId)),
          'then the one after it',
        );
      });
    }
  });
}
