/**
 * What a service exposed to anyone must withstand: documents shaped to cost
 * the server exponential work, forwarded addresses a client writes itself,
 * metrics asked for by strangers, and credentials that change under a session.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, type GraphQLResponse } from '../../testkit/client';
import { databaseKinds, freshDatabase } from '../../testkit/databases';
import { DEPOSIT, LOGIN, signIn, signUp } from '../../testkit/fixtures';
import {
  SERVICE_ACCOUNT,
  startServer,
  startServerOn,
  stopAllServers,
  type TestEnvironment,
} from '../../testkit/server';

after(stopAllServers);

/** Fragments on Query that each spread the next one twice: 2^n spreads when followed naively. */
function doublingFragments(count: number, leaf: string): string {
  const fragments = Array.from({ length: count }, (_, i) =>
    i === count - 1
      ? `fragment F${i} on Query { ${leaf} }`
      : `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`,
  );
  return fragments.join('\n');
}

/**
 * The shapes a hostile client sends, each under the 100 kB body limit and
 * most just under the parser's 5,000 tokens, so the rules walk them whole.
 */
const HOSTILE_DOCUMENTS: Record<string, string> = {
  'fragments that each spread the next twice': `query { ...F0 }\n${doublingFragments(30, '__typename')}`,
  'fragments that each spread every earlier one': (() => {
    const count = 60;
    const fragments = Array.from(
      { length: count },
      (_, i) =>
        `fragment G${i} on Query { __typename ${Array.from({ length: i }, (_, j) => `...G${j}`).join(' ')} }`,
    );
    return `query { ...G${count - 1} }\n${fragments.join('\n')}`;
  })(),
  'thousands of aliases of one field': `{ ${Array.from({ length: 1_600 }, (_, i) => `a${i}: __typename`).join(' ')} }`,
  'thousands of aliases with arguments that conflict': `{ ${Array.from({ length: 450 }, (_, i) => `x: __type(name: "T${i}") { name }`).join(' ')} }`,
  'fields nested thousands deep': `{ ${'me { wallets { '.repeat(800)}id${' }'.repeat(1_600)} }`,
  'one directive repeated thousands of times': `{ __typename ${'@skip(if: false) '.repeat(700)}}`,
  'a forest of fragment cycles': `query { ...C0 }\n${Array.from({ length: 500 }, (_, i) => `fragment C${i} on Query { ...C${(i + 1) % 500} ...C${(i + 7) % 500} }`).join('\n')}`,
  'variables by the thousand': `query (${Array.from({ length: 1_200 }, (_, i) => `$v${i}: Int`).join(' ')}) { __typename }`,
};

/** The server's time for one request, and what it answered. */
async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

for (const kind of databaseKinds()) {
  describe(`documents of any shape on ${kind}`, () => {
    let env: TestEnvironment;
    let url: string;
    before(async () => {
      env = await startServer(kind);
      url = env.server.url;
    });
    after(async () => env?.close());

    for (const [shape, document] of Object.entries(HOSTILE_DOCUMENTS)) {
      for (const method of ['POST', 'GET'] as const) {
        it(`${shape}, over ${method}: answered within a second, holding up nobody`, async () => {
          assert.ok(document.length < 100_000, `${document.length} bytes`);
          const send = () =>
            method === 'POST'
              ? fetch(`${url}/graphql`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify({ query: document }),
                })
              : fetch(`${url}/graphql?query=${encodeURIComponent(document)}`, {
                  headers: { 'apollo-require-preflight': 'true' },
                });
          // Someone else's request, sent while the hostile one is being handled.
          const hostile = timed(send);
          await new Promise((resolve) => setTimeout(resolve, 5));
          const other = await timed(() => fetch(`${url}/healthz`));
          const { ms, value: response } = await hostile;
          assert.equal(other.value.status, 200);
          assert.ok(other.ms < 1_000, `another request waited ${Math.round(other.ms)} ms`);
          assert.ok(ms < 1_000, `answered in ${Math.round(ms)} ms`);
          // A URL this long may be refused by the HTTP layer itself (431/414): that is a refusal too.
          assert.ok(response.status < 500, `status ${response.status}`);
          if (response.status === 200) return; // a cheap shape that is legal is simply answered
          const text = await response.text();
          if (!response.headers.get('content-type')?.includes('json')) return;
          const body = JSON.parse(text) as GraphQLResponse;
          assert.ok(body.errors?.length, text.slice(0, 300));
          assert.equal(body.data, undefined, 'nothing ran');
          assert.doesNotMatch(text, /\bat [\w.<>]+ \(/, 'no stack trace');
        });
      }
    }

    it('refuses a too-costly query even when fragments make it too large to price', async () => {
      const person = await signUp(url);
      const statement = `statement(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { openingBalance closingBalance }`;
      const costly = Array.from(
        { length: 100 },
        (_, i) => `s${i}: wallet(id: "${person.walletId}") { ${statement} }`,
      ).join(' ');
      // Alone, the hundred statements are priced and refused...
      const plain = await person.client.gql(`{ ${costly} }`);
      assert.equal(plain.errors?.[0].extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
      // ...and padded with 2^15 spreads, which the estimator gives up on, still refused.
      const padded = `query { ${costly} ...F0 }\n${doublingFragments(15, 'me { id }')}`;
      const response = await person.client.gql(padded);
      assert.equal(response.errors?.[0].extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
      assert.match(response.errors?.[0].message ?? '', /too costly/);
      assert.equal(response.data, undefined, 'no statement was computed');
      // A mistake in the variables is still the client's BAD_USER_INPUT, not a cost refusal.
      const badVariables = await person.client.gql(
        'query Q($first: Int) { me { wallets { operations(first: $first) { nodes { id } } } } }',
        { first: 'ten' },
      );
      assert.equal(badVariables.errors?.[0].extensions?.code, 'BAD_USER_INPUT');
    });

    it('refuses a cursor past the largest key as not ours, not as a fault', async () => {
      const person = await signUp(url);
      const cursor = (text: string) => Buffer.from(text).toString('base64url');
      const huge = '9999999999999999999';
      for (const [field, after] of [
        ['operations', cursor(`operations/${person.walletId}/all:1.${huge}`)],
        ['operations', cursor(`operations/${person.walletId}/all:${huge}.1`)],
        ['holds', cursor(`holds/${person.walletId}/ALL:${huge}`)],
      ] as const) {
        const response = await person.client.gql(
          `query($id: ID!, $after: String) { wallet(id: $id) { ${field}(after: $after) { pageInfo { hasNextPage } } } }`,
          { id: person.walletId, after },
        );
        assert.equal(
          response.errors?.[0].extensions?.code,
          'BAD_USER_INPUT',
          JSON.stringify(response.errors),
        );
      }
    });

    it('prices a document anew when a flag turns its costly parts on', async () => {
      const person = await signUp(url);
      const page =
        'operations(first: 100) @include(if: $big) { nodes { id amount balanceAfter createdAt type } }';
      const pages = Array.from({ length: 60 }, (_, i) => `a${i}: ${page}`).join(' ');
      const query = `query Q($big: Boolean!) { wallet { id ${pages} } }`;
      assert.equal(
        (await person.client.gql(query, { big: false })).errors,
        undefined,
        'cheap when off',
      );
      const on = await person.client.gql(query, { big: true });
      assert.equal(on.errors?.[0].extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
      assert.equal(on.data, undefined);
    });

    it("answers a persisted query it does not keep as the client's mistake", async () => {
      for (const persistedQuery of [
        { version: 1, sha256Hash: 'abc' },
        { version: 2, sha256Hash: 'abc' },
      ]) {
        const response = await new Client(url).post({
          query: '{ __typename }',
          extensions: { persistedQuery },
        });
        // Apollo answers these 200, so that clients that send hashes fall back to the query.
        const code = response.errors?.[0].extensions?.code;
        assert.equal(code, 'PERSISTED_QUERY_NOT_SUPPORTED', JSON.stringify(response.errors));
        assert.ok(response.status < 500, `status ${response.status}`);
      }
      assert.doesNotMatch(env.server.output(), /"level":50/, 'nothing was logged as our fault');
    });

    it('keeps a request id only when it is a plain token', async () => {
      const id = async (sent: string) =>
        (
          await fetch(`${url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-request-id': sent },
            body: JSON.stringify({ query: '{ __typename }' }),
          })
        ).headers.get('x-request-id');
      assert.equal(await id('trace-42.a_b:c'), 'trace-42.a_b:c');
      for (const hostile of [
        '<script>alert(1)</script>',
        'a b',
        'x'.repeat(101),
        '%0d%0aSet-Cookie:x',
      ]) {
        const answered = await id(hostile);
        assert.notEqual(answered, hostile);
        assert.match(answered ?? '', /^[0-9a-f-]{36}$/, 'a fresh id instead');
      }
    });

    it('refuses a name that would look other than it is to a payer', async () => {
      const signup = (name: string) =>
        new Client(url).gql(
          'mutation($input: SignupInput!) { signup(input: $input) { id name } }',
          { input: { name, email: `${randomUUID()}@people.test`, password: 'a-good-password' } },
        );
      for (const name of [
        'Bob\nSmith',
        'Bob\u202Ehtims',
        'Bo\u200Bb',
        'Bob\u2066x\u2069',
        'Bob\u0007',
      ]) {
        const refused = await signup(name);
        assert.equal(refused.errors?.[0].extensions?.code, 'BAD_USER_INPUT', JSON.stringify(name));
        assert.equal(
          (refused.errors?.[0].extensions as { field?: string } | undefined)?.field,
          'name',
        );
      }
      for (const name of ['Zoë Smith', 'می\u200Cخواهم', '👩\u200D💻 Dev']) {
        const accepted = await signup(name);
        assert.equal(accepted.errors, undefined, JSON.stringify(name));
        assert.equal(accepted.data.signup.name, name);
      }
    });

    it('bounds a document by its tokens before any rule walks it', async () => {
      const response = await new Client(url).gql(
        `{ ${Array.from({ length: 6_000 }, () => '__typename').join(' ')} }`,
      );
      assert.equal(response.errors?.[0].extensions?.code, 'GRAPHQL_PARSE_FAILED');
      assert.match(response.errors?.[0].message ?? '', /contains more tha[nt] 5000 tokens/);
    });
  });
}

describe('with introspection off (production)', () => {
  let env: TestEnvironment;
  before(async () => {
    env = await startServer('sqlite', {
      NODE_ENV: 'production',
      SESSION_SECRET: 'a-production-secret-for-tests',
      METRICS_TOKEN: 'a-metrics-token-for-tests',
    });
  });
  after(async () => env?.close());

  it('suggests no field names the schema would otherwise hide', async () => {
    const response = await new Client(env.server.url).gql('{ mee { id } walet { id } }');
    assert.equal(response.errors?.[0].extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    const text = JSON.stringify(response.errors);
    assert.doesNotMatch(text, /Did you mean/);
    assert.doesNotMatch(text, /"me"|"wallet"/);
    // Nor do errors about variables' values, before anyone signs in.
    for (const [query, variables] of [
      [
        'query($w: ID!, $t: [OperationType!]) { wallet(id: $w) { operations(types: $t) { nodes { id } } } }',
        { w: randomUUID(), t: ['DEPOSI'] },
      ],
      [
        'mutation($i: WalletToWalletInput!) { walletToWallet(input: $i) { transfer { id } } }',
        { i: { toWalletI: randomUUID(), amount: '1.00', idempotencyKey: randomUUID() } },
      ],
    ] as const) {
      const refused = await new Client(env.server.url).gql(query, variables);
      assert.equal(refused.errors?.[0].extensions?.code, 'BAD_USER_INPUT');
      assert.doesNotMatch(JSON.stringify(refused.errors), /Did you mean|DEPOSIT"|toWalletId/);
    }
  });

  it('serves /metrics only to the bearer of METRICS_TOKEN', async () => {
    const metrics = (headers: Record<string, string> = {}) =>
      fetch(`${env.server.url}/metrics`, { headers });
    const none = await metrics();
    assert.equal(none.status, 401);
    assert.deepEqual(
      ((await none.json()) as GraphQLResponse).errors?.map((e) => e.extensions?.code),
      ['UNAUTHENTICATED'],
    );
    assert.equal((await metrics({ authorization: 'Bearer a-metrics-token-for-test' })).status, 401);
    assert.equal((await metrics({ authorization: 'a-metrics-token-for-tests' })).status, 401);
    const granted = await metrics({ authorization: 'Bearer a-metrics-token-for-tests' });
    assert.equal(granted.status, 200);
    assert.match(await granted.text(), /wallet_graphql_requests_total|process_cpu/);
  });
});

for (const kind of databaseKinds()) {
  describe(`forwarded addresses and metrics on ${kind}`, () => {
    let env: TestEnvironment;
    let url: string;
    before(async () => {
      // One proxy in front: it appends the address it was called from.
      env = await startServer(kind, {
        TRUST_PROXY: '1',
        LOGIN_MAX_FAILURES: '1000',
        LOGIN_MAX_FAILURES_PER_ADDRESS: '3',
      });
      url = env.server.url;
    });
    after(async () => env?.close());

    const loginFrom = (forwardedFor: string, email: string, password: string) =>
      new Client(url).post(
        { query: LOGIN, variables: { input: { email, password } } },
        { 'x-forwarded-for': forwardedFor },
      );
    const code = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;

    it('counts a guesser at the address the proxy saw, whatever it writes before it', async () => {
      const owner = await signUp(url);
      for (let i = 0; i < 3; i++) {
        const wrong = await loginFrom(`10.9.${i}.1, 203.0.113.50`, owner.email, 'wrong-password');
        assert.equal(code(wrong), 'INVALID_CREDENTIALS');
      }
      const rotated = await loginFrom(`10.9.99.1, 203.0.113.50`, owner.email, owner.password);
      assert.equal(code(rotated), 'RATE_LIMITED', 'a new leftmost entry is not a new address');
    });

    it('never lets a client lock out an address it names', async () => {
      const victim = await signUp(url);
      for (let i = 0; i < 5; i++) {
        await loginFrom(`203.0.113.60, 198.51.100.${i}`, victim.email, 'wrong-password');
      }
      // The victim's own requests arrive with the victim's address as the proxy's entry.
      const own = await loginFrom('203.0.113.60', victim.email, victim.password);
      assert.equal(own.errors, undefined, JSON.stringify(own.errors));
    });

    it('counts an IPv6 client by its /64 and a mapped IPv4 address as itself', async () => {
      const owner = await signUp(url);
      for (const address of ['2001:db8:7:7::1', '2001:db8:7:7::2', '2001:db8:7:7:ffff::3']) {
        await loginFrom(address, owner.email, 'wrong-password');
      }
      const sameNetwork = await loginFrom('2001:db8:7:7::99', owner.email, owner.password);
      assert.equal(code(sameNetwork), 'RATE_LIMITED', 'another address of the same /64');
      const nextNetwork = await loginFrom('2001:db8:7:8::1', owner.email, owner.password);
      assert.equal(nextNetwork.errors, undefined, 'the next /64 is someone else');
      for (const address of ['203.0.113.80', '::ffff:203.0.113.80', '203.0.113.80']) {
        await loginFrom(address, owner.email, 'wrong-password');
      }
      const mapped = await loginFrom('::ffff:203.0.113.80', owner.email, owner.password);
      assert.equal(code(mapped), 'RATE_LIMITED');
    });

    it('serves /metrics to this machine, but not through a proxy', async () => {
      assert.equal((await fetch(`${url}/metrics`)).status, 200);
      const forwarded = await fetch(`${url}/metrics`, {
        headers: { 'x-forwarded-for': '198.51.100.7' },
      });
      assert.equal(forwarded.status, 403);
      assert.deepEqual(
        ((await forwarded.json()) as GraphQLResponse).errors?.map((e) => e.extensions?.code),
        ['FORBIDDEN'],
      );
    });
  });

  describe(`a list of trusted proxies on ${kind}`, () => {
    let env: TestEnvironment;
    let url: string;
    before(async () => {
      // The test's own connection comes from 127.0.0.1: it stands for the outer proxy.
      env = await startServer(kind, {
        TRUST_PROXY: '127.0.0.1, 10.0.0.0/8',
        LOGIN_MAX_FAILURES: '1000',
        LOGIN_MAX_FAILURES_PER_ADDRESS: '3',
      });
      url = env.server.url;
    });
    after(async () => env?.close());

    it('takes the first address from the right that is not a proxy', async () => {
      const owner = await signUp(url);
      const login = (forwardedFor: string, password: string) =>
        new Client(url).post(
          { query: LOGIN, variables: { input: { email: owner.email, password } } },
          { 'x-forwarded-for': forwardedFor },
        );
      // The client is 203.0.113.70, seen through an inner proxy 10.1.2.3; what it wrote before is ignored.
      for (let i = 0; i < 3; i++) {
        await login(`192.0.2.${i}, 203.0.113.70, 10.1.2.3`, 'wrong-password');
      }
      const limited = await login('192.0.2.99, 203.0.113.70, 10.1.2.3', owner.password);
      assert.equal(limited.errors?.[0]?.extensions?.code, 'RATE_LIMITED');
      const other = await login('203.0.113.71, 10.1.2.3', owner.password);
      assert.equal(other.errors, undefined, 'another client behind the same proxies');
    });
  });

  describe(`credentials that change under a session on ${kind}`, () => {
    it("ends the service account's sessions on every instance when its configured password changes", async () => {
      const database = await freshDatabase(kind);
      try {
        const first = await startServerOn(database.url);
        const provider = await signIn(first.url, SERVICE_ACCOUNT);
        const person = await signUp(first.url);
        const deposit = () =>
          provider.gql(DEPOSIT, {
            input: { walletId: person.walletId, amount: '1.00', reference: randomUUID() },
          });
        assert.equal((await deposit()).errors, undefined);
        // A second instance starts with the same password: nobody's session ends.
        const same = await startServerOn(database.url);
        assert.equal((await deposit()).errors, undefined, 'an unchanged password ends nothing');
        await same.stop();
        // Another instance starts with a new password: the old cookie stops on the first one too.
        const rotated = await startServerOn(database.url, {
          SERVICE_ACCOUNT_PASSWORD: 'a-new-provider-password',
        });
        const refused = await deposit();
        assert.equal(refused.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
        assert.equal((await person.client.gql('{ me { id } }')).errors, undefined, 'others stay');
        await signIn(first.url, {
          email: SERVICE_ACCOUNT.email,
          password: 'a-new-provider-password',
        });
        await rotated.stop();
        await first.stop();
      } finally {
        await database.drop();
      }
    });

    it('refuses to start when a configured account email belongs to a person who signed up', async () => {
      const database = await freshDatabase(kind);
      try {
        const server = await startServerOn(database.url);
        const person = await signUp(server.url);
        await server.stop();
        for (const variable of ['SERVICE_ACCOUNT', 'ADMIN']) {
          await assert.rejects(
            startServerOn(database.url, {
              [`${variable}_EMAIL`]: person.email,
              [`${variable}_PASSWORD`]: 'a-password-of-the-impostor',
            }),
            (error: Error) =>
              /exited with 1/.test(error.message) &&
              error.message.includes(`configuration error: ${variable}_EMAIL:`) &&
              error.message.includes('belongs to a person who signed up'),
          );
        }
        // The person is still a person, with the password they chose.
        const again = await startServerOn(database.url);
        const client = await signIn(again.url, { email: person.email, password: person.password });
        const me = await client.ok('{ me { role } }');
        assert.equal(me.me.role, 'USER');
        await again.stop();
      } finally {
        await database.drop();
      }
    });
  });
}
