/** What a hostile client may try: guessing passwords, fixing sessions, probing emails, holding sockets. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client } from '../../testkit/client';
import { databaseKinds } from '../../testkit/databases';
import { LOGIN, signUp } from '../../testkit/fixtures';
import { startServer, stopAllServers, type TestEnvironment } from '../../testkit/server';

after(stopAllServers);

async function verifications(url: string): Promise<number> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith('wallet_password_verifications_total '));
  return Number(line?.split(' ')[1] ?? NaN);
}

for (const kind of databaseKinds()) {
  describe(`abuse on ${kind}`, () => {
    let env: TestEnvironment;
    let url: string;
    before(async () => {
      env = await startServer(kind, { LOGIN_MAX_FAILURES: '3' });
      url = env.server.url;
    });
    after(async () => env?.close());

    it(`serves from the ${kind} driver`, () => {
      assert.match(env.server.output(), new RegExp(`"database":"${kind}"`));
    });

    it('limits failed logins per email when they come as aliases in one request', async () => {
      const person = await signUp(url);
      const aliases = Array.from(
        { length: 10 },
        (_, i) =>
          `a${i}: login(input: { email: "${person.email}", password: "wrong-password" }) { id }`,
      ).join('\n');
      // login is non-null: the first failed alias ends the request, so ten
      // aliases cost one verification and count as one attempt.
      for (let request = 0; request < 3; request++) {
        const before = await verifications(url);
        const response = await new Client(url).gql(`mutation { ${aliases} }`);
        assert.deepEqual(
          (response.errors ?? []).map((e) => e.extensions?.code),
          ['INVALID_CREDENTIALS'],
        );
        assert.equal((await verifications(url)) - before, 1);
      }
      const limited = await new Client(url).gql(`mutation { ${aliases} }`);
      assert.deepEqual(
        (limited.errors ?? []).map((e) => e.extensions?.code),
        ['RATE_LIMITED'],
      );
      const batch = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          { query: LOGIN, variables: { input: { email: person.email, password: 'x' } } },
        ]),
      });
      assert.equal(batch.status, 400, 'batches are refused outright');
    });

    it('costs exactly one password verification per login, whether the email exists or not', async () => {
      const [known1, known2, right] = await Promise.all([signUp(url), signUp(url), signUp(url)]);
      const before = await verifications(url);
      const attempt = (email: string, password: string) =>
        new Client(url).gql(LOGIN, { input: { email, password } });
      await attempt(known1.email, 'wrong-password');
      await attempt(`${randomUUID()}@nobody.test`, 'wrong-password');
      await attempt(known2.email, 'wrong-password');
      await attempt(`${randomUUID()}@nobody.test`, 'wrong-password');
      assert.equal((await attempt(right.email, right.password)).errors, undefined);
      assert.equal((await verifications(url)) - before, 5);
    });

    it('never lets a planted session id become the victim’s session', async () => {
      const attacker = await signUp(url);
      const victim = await signUp(url);
      const planted = attacker.client.cookie;
      const browser = new Client(url);
      browser.cookie = planted; // the attacker got its cookie into the victim's browser
      await browser.ok(LOGIN, { input: { email: victim.email, password: victim.password } });
      assert.notEqual(browser.cookie, planted, 'login issues a new session id');
      const attackerView = new Client(url);
      attackerView.cookie = planted;
      const me = await attackerView.ok('{ me { id } }');
      assert.notEqual(me.me?.id, victim.userId);
      const forged = new Client(url);
      forged.cookie = 'wallet.sid=s%3Aforged-session.invalidsignature';
      assert.equal((await forged.ok('{ me { id } }')).me, null);
    });

    it('sends security headers that leave the pages and the API working', async () => {
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(page.headers.get('x-frame-options'), 'SAMEORIGIN');
      assert.match(page.headers.get('strict-transport-security') ?? '', /max-age=/);
      const api = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      assert.equal(api.status, 200);
      assert.equal(api.headers.get('x-content-type-options'), 'nosniff');
    });

    it('cuts off a client that sends its body too slowly', async () => {
      const outcome = await dripSlowly(
        url,
        'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
          'Content-Length: 100000\r\n\r\n{"query":"',
        ' ',
      );
      assert.equal(outcome, 'closed', 'the server closed the connection (request timeout)');
    });

    it('cuts off a client that sends its headers too slowly', async () => {
      const outcome = await dripSlowly(
        url,
        'POST /graphql HTTP/1.1\r\nHost: localhost\r\n',
        'X-Slow: 1\r\n',
      );
      assert.equal(outcome, 'closed', 'the server closed the connection (headers timeout)');
    });
  });
}

for (const kind of databaseKinds()) {
  describe(`login limits by client address on ${kind}`, () => {
    let env: TestEnvironment;
    let url: string;
    before(async () => {
      env = await startServer(kind, {
        TRUST_PROXY: 'true',
        LOGIN_MAX_FAILURES: '3',
        LOGIN_MAX_FAILURES_PER_ADDRESS: '5',
      });
      url = env.server.url;
    });
    after(async () => env?.close());

    const loginFrom = (address: string, email: string, password: string) =>
      new Client(url).post(
        { query: LOGIN, variables: { input: { email, password } } },
        { 'x-forwarded-for': address },
      );

    /** A RATE_LIMITED answer, with when to try again within the 15-minute window. */
    const assertLimited = (response: Awaited<ReturnType<typeof loginFrom>>) => {
      const error = response.errors?.[0] as
        { extensions?: { code?: string; retryAfterSeconds?: unknown } } | undefined;
      assert.equal(error?.extensions?.code, 'RATE_LIMITED', JSON.stringify(response.errors));
      const retryAfter = error?.extensions?.retryAfterSeconds;
      assert.ok(
        typeof retryAfter === 'number' && retryAfter >= 1 && retryAfter <= 900,
        `retryAfterSeconds ${String(retryAfter)}`,
      );
    };

    it('stops a guesser at one address without locking the owner out elsewhere', async () => {
      const owner = await signUp(url);
      for (let i = 0; i < 3; i++) {
        const wrong = await loginFrom('203.0.113.10', owner.email, 'wrong-password');
        assert.equal(wrong.errors?.[0].extensions?.code, 'INVALID_CREDENTIALS');
      }
      const before = await verifications(url);
      assertLimited(await loginFrom('203.0.113.10', owner.email, owner.password));
      assert.equal((await verifications(url)) - before, 0, 'a limited attempt checks no password');
      const elsewhere = await loginFrom('203.0.113.11', owner.email, owner.password);
      assert.equal(elsewhere.errors, undefined, 'the owner signs in from another address');
      assert.equal(elsewhere.data.login.id, owner.userId);
    });

    it('limits one address across many emails, and only that address', async () => {
      const owner = await signUp(url);
      for (let i = 0; i < 5; i++) {
        const wrong = await loginFrom('203.0.113.20', `${randomUUID()}@nobody.test`, 'wrong-pw');
        assert.equal(wrong.errors?.[0].extensions?.code, 'INVALID_CREDENTIALS');
      }
      assertLimited(await loginFrom('203.0.113.20', owner.email, owner.password));
      const elsewhere = await loginFrom('203.0.113.21', owner.email, owner.password);
      assert.equal(elsewhere.errors, undefined, 'another address is not limited');
    });
  });
}

/** Sends `start`, then `drip` once a second: 'closed' if the server hangs up within 30 s. */
async function dripSlowly(url: string, start: string, drip: string): Promise<'closed' | 'held'> {
  const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
  const closed = new Promise<'closed'>((resolve) => socket.on('close', () => resolve('closed')));
  socket.on('error', () => undefined);
  socket.write(start);
  const dripping = setInterval(() => socket.write(drip), 1_000);
  let timer: NodeJS.Timeout | undefined;
  const held = new Promise<'held'>(
    (resolve) => (timer = setTimeout(() => resolve('held'), 30_000)),
  );
  const outcome = await Promise.race([closed, held]);
  clearInterval(dripping);
  clearTimeout(timer);
  socket.destroy();
  return outcome;
}
