/**
 * Hostile input, generated: every operation, every caller, values of the
 * wrong type, huge and tiny numbers, exponents, signs, unicode, 1 MB strings,
 * SQL and script injection, deep nesting, heavy aliasing, batches, malformed
 * JSON. No 5xx, every refusal a code the contract (or Apollo, for requests
 * that are not GraphQL) names, nothing changed by a refusal, server healthy.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Client } from '../../testkit/client';
import { databaseKinds, ledgerSnapshot } from '../../testkit/databases';
import {
  DEPOSIT,
  LOGIN,
  SEND,
  SIGNUP,
  fund,
  signInAdmin,
  signInProvider,
  signUp,
  type Person,
} from '../../testkit/fixtures';
import { startServer, stopAllServers, type TestEnvironment } from '../../testkit/server';

after(stopAllServers);

const CONTRACT_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'ALREADY_EXISTS',
  'INVALID_CREDENTIALS',
  'CURRENCY_MISMATCH',
  'IDEMPOTENCY_CONFLICT',
  'WALLET_BUSY',
  'INSUFFICIENT_FUNDS',
]);
const APOLLO_CODES = new Set(['BAD_REQUEST', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']);
const RUNS = Number(process.env.HOSTILE_RUNS ?? 1000);

const MEGABYTE = 'x'.repeat(1024 * 1024);

/** Values a hostile client might put anywhere. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '5.',
    '.5',
    '+5',
    '-5',
    '1e3',
    '1E-7',
    '1,00',
    ' 5',
    '0',
    '00.00',
    'NaN',
    'Infinity',
    '99999999999999999999999999',
    '0.0000000000000000001',
    "' OR 1=1 --",
    "'; DROP TABLE wallets; --",
    '<script>alert(1)</script>',
    '${7*7}',
    '\u0000',
    '🙂💸',
    'ＵＳＤ',
    'usd',
    '00000000-0000-0000-0000-000000000000',
    '',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 53 + 1, -(2 ** 63), 1e308, 5e-324),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  fc.constant(MEGABYTE),
);

interface Operation {
  kind: 'query' | 'mutation';
  field: string;
  /** name -> GraphQL type of its variable */
  args: Record<string, string>;
  selection: string;
  anonymousOnly?: boolean;
}

const PAYLOAD = '{ operation { id amount } wallet { id balance } }';
const OPERATIONS: Operation[] = [
  {
    kind: 'mutation',
    field: 'signup',
    args: { input: 'SignupInput!' },
    selection: '{ id }',
    anonymousOnly: true,
  },
  {
    kind: 'mutation',
    field: 'login',
    args: { input: 'LoginInput!' },
    selection: '{ id }',
    anonymousOnly: true,
  },
  { kind: 'mutation', field: 'logout', args: {}, selection: '', anonymousOnly: true },
  { kind: 'query', field: 'me', args: {}, selection: '{ id email }' },
  {
    kind: 'query',
    field: 'wallet',
    args: { id: 'ID' },
    selection: '{ id balance operations(first: 5) { nodes { id } } }',
  },
  { kind: 'mutation', field: 'openWallet', args: { currency: 'String!' }, selection: '{ id }' },
  { kind: 'query', field: 'transfer', args: { id: 'ID!' }, selection: '{ id amount }' },
  {
    kind: 'query',
    field: 'externalOperation',
    args: { reference: 'String!' },
    selection: '{ id }',
  },
  {
    kind: 'mutation',
    field: 'externalToWallet',
    args: { input: 'ExternalToWalletInput!' },
    selection: PAYLOAD,
  },
  {
    kind: 'mutation',
    field: 'walletToExternal',
    args: { input: 'WalletToExternalInput!' },
    selection: PAYLOAD,
  },
  {
    kind: 'mutation',
    field: 'walletToWallet',
    args: { input: 'WalletToWalletInput!' },
    selection: '{ transfer { id } wallet { balance } }',
  },
  {
    kind: 'query',
    field: 'wallets',
    args: { first: 'Int', after: 'String' },
    selection: '{ nodes { id } }',
  },
  {
    kind: 'query',
    field: 'transfers',
    args: { first: 'Int', after: 'String', walletId: 'ID' },
    selection: '{ nodes { id } }',
  },
  {
    kind: 'query',
    field: 'users',
    args: { first: 'Int', after: 'String' },
    selection: '{ nodes { id } }',
  },
];

/** Input objects: the right field names with hostile values, sometimes extra fields. */
const inputObject = fc.record(
  {
    name: hostileValue,
    email: hostileValue,
    password: hostileValue,
    walletId: hostileValue,
    toWalletId: hostileValue,
    fromWalletId: hostileValue,
    amount: hostileValue,
    reference: hostileValue,
    details: hostileValue,
    idempotencyKey: hostileValue,
    unexpected: hostileValue,
  },
  { requiredKeys: [] },
);

type Shape = 'variables' | 'inline' | 'aliased' | 'nested' | 'batched' | 'malformed' | 'text-plain';

const hostileRequest = fc.record({
  operation: fc.constantFrom(...OPERATIONS),
  caller: fc.constantFrom('anonymous', 'person', 'provider', 'admin'),
  values: fc.dictionary(
    fc.constantFrom('input', 'id', 'currency', 'reference', 'first', 'after', 'walletId'),
    fc.oneof(hostileValue, inputObject),
  ),
  shape: fc.constantFrom<Shape>(
    'variables',
    'variables',
    'variables',
    'inline',
    'aliased',
    'nested',
    'batched',
    'malformed',
    'text-plain',
  ),
  copies: fc.integer({ min: 2, max: 200 }),
});

type HostileRequest = typeof hostileRequest extends fc.Arbitrary<infer T> ? T : never;

function literal(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${literal(v)}`)
      .join(', ')} }`;
  }
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'number' && !Number.isFinite(value)) return '0';
  return JSON.stringify(value) ?? 'null';
}

function body(request: HostileRequest): { text: string; contentType: string } {
  const { operation, values, shape, copies } = request;
  const names = Object.keys(operation.args);
  const declared = names.length
    ? `(${names.map((n) => `$${n}: ${operation.args[n]}`).join(', ')})`
    : '';
  const passed = names.length ? `(${names.map((n) => `${n}: $${n}`).join(', ')})` : '';
  const field = `${operation.field}${passed} ${operation.selection}`;
  const variables = Object.fromEntries(names.map((n) => [n, values[n]]));
  const json = (payload: unknown) => ({
    text: JSON.stringify(payload),
    contentType: 'application/json',
  });
  switch (shape) {
    case 'variables':
      return json({ query: `${operation.kind} Hostile${declared} { ${field} }`, variables });
    case 'inline': {
      const inlineArgs = names.length
        ? `(${names.map((n) => `${n}: ${literal(values[n])}`).join(', ')})`
        : '';
      return json({
        query: `${operation.kind} { ${operation.field}${inlineArgs} ${operation.selection} }`,
      });
    }
    case 'aliased': {
      const fields = Array.from({ length: copies }, (_, i) => `a${i}: ${field}`).join(' ');
      return json({ query: `${operation.kind} Hostile${declared} { ${fields} }`, variables });
    }
    case 'nested':
      return json({
        query: `{ me { wallets { ${'operations { nodes { id } edges { node { id '.repeat(Math.min(copies, 40))}${' } } }'.repeat(Math.min(copies, 40))} } } }`,
      });
    case 'batched':
      return json(Array.from({ length: Math.min(copies, 20) }, () => ({ query: `{ me { id } }` })));
    case 'malformed':
      return {
        text: JSON.stringify({ query: `{ ${field} }`, variables }).slice(0, copies),
        contentType: 'application/json',
      };
    case 'text-plain':
      return { text: JSON.stringify({ query: '{ me { id } }' }), contentType: 'text/plain' };
  }
}

for (const kind of databaseKinds()) {
  describe(`hostile input on ${kind}`, () => {
    let env: TestEnvironment;
    let sessions: Record<string, string | null>;
    let person: Person;
    before(async () => {
      env = await startServer(kind, { SIGNUP_RATE_PER_HOUR: '0', LOGIN_MAX_FAILURES: '0' });
      person = await signUp(env.server.url);
      const provider = await signInProvider(env.server.url);
      await fund(provider, person.walletId, '10.00');
      sessions = {
        anonymous: null,
        person: person.client.cookie,
        provider: provider.cookie,
        admin: (await signInAdmin(env.server.url)).cookie,
      };
    });
    after(async () => env?.close());

    it('refuses a list argument that names a value twice, however long, and changes nothing', async () => {
      const as = (session: string) => {
        const client = new Client(env.server.url);
        client.cookie = sessions[session];
        return client;
      };
      const EVENTS = `query Events($types: [EventType!]) { events(first: 1, types: $types) { nodes { id } } }`;
      const OPERATIONS = `query Ops($id: ID!, $types: [OperationType!]) {
        wallet(id: $id) { operations(first: 1, types: $types) { nodes { id } } } }`;
      const CREATE = `mutation Create($input: CreateWebhookEndpointInput!) {
        createWebhookEndpoint(input: $input) { endpoint { id } } }`;
      const ENDPOINTS = '{ webhookEndpoints { id } }';
      const all = await as('admin').ok<{ events: unknown }>(EVENTS, {
        types: ['DEPOSIT_CREATED', 'TRANSFER_CREATED'],
      });
      assert.ok(all.events);
      const endpointsBefore = await as('provider').ok(ENDPOINTS);
      const before = await ledgerSnapshot(env.database.url);
      for (const copies of [2, 5_000]) {
        const message = await as('admin').refused('BAD_USER_INPUT', EVENTS, {
          types: Array.from({ length: copies }, () => 'DEPOSIT_CREATED'),
        });
        assert.match(message, /types/);
        await person.client.refused('BAD_USER_INPUT', OPERATIONS, {
          id: person.walletId,
          types: Array.from({ length: copies }, () => 'DEPOSIT'),
        });
        await as('provider').refused('BAD_USER_INPUT', CREATE, {
          input: {
            url: 'https://example.com/hooks',
            eventTypes: Array.from({ length: copies }, () => 'DEPOSIT_CREATED'),
          },
        });
      }
      assert.deepEqual(await as('provider').ok(ENDPOINTS), endpointsBefore);
      assert.equal(await ledgerSnapshot(env.database.url), before);
    });

    it('refuses U+0000 and half surrogate pairs in text it would keep, finds nothing by them, and changes nothing', async () => {
      const [NUL, HALF_PAIR] = ['a\u0000b', 'a\ud800'];
      const provider = new Client(env.server.url);
      provider.cookie = sessions.provider;
      const anonymous = new Client(env.server.url);
      const payee = await signUp(env.server.url);
      const before = await ledgerSnapshot(env.database.url);
      const signup = { name: 'N', email: `${randomUUID()}@n.test`, password: 'nul-password' };
      await anonymous.refused('BAD_USER_INPUT', SIGNUP, { input: { ...signup, name: NUL } });
      await anonymous.refused('BAD_USER_INPUT', LOGIN, {
        input: { email: NUL, password: 'nul-password' },
      });
      const deposit = { walletId: person.walletId, amount: '1.00', reference: randomUUID() };
      await provider.refused('BAD_USER_INPUT', DEPOSIT, { input: { ...deposit, reference: NUL } });
      await provider.refused('BAD_USER_INPUT', DEPOSIT, { input: { ...deposit, details: NUL } });
      const send = { toWalletId: payee.walletId, amount: '1.00' };
      await person.client.refused('BAD_USER_INPUT', SEND, { input: { ...send, details: NUL } });
      for (const idempotencyKey of [NUL, HALF_PAIR]) {
        await person.client.refused('BAD_USER_INPUT', SEND, { input: { ...send, idempotencyKey } });
      }
      await provider.refused('BAD_USER_INPUT', DEPOSIT, {
        input: { ...deposit, reference: HALF_PAIR },
      });
      const found = await provider.ok<{ externalOperation: unknown }>(
        'query Find($reference: String!) { externalOperation(reference: $reference) { id } }',
        { reference: NUL },
      );
      assert.equal(found.externalOperation, null);
      assert.equal(await ledgerSnapshot(env.database.url), before);
    });

    it(`${RUNS} generated requests: no 5xx, only named codes, refusals change nothing`, async () => {
      assert.match(env.server.output(), new RegExp(`"database":"${kind}"`));
      const seed = Number(process.env.HOSTILE_SEED ?? Date.now() % 2 ** 31);
      console.log(`hostile input on ${kind}: seed ${seed} (HOSTILE_SEED=${seed} repeats it)`);
      await fc.assert(
        fc.asyncProperty(hostileRequest, async (request) => {
          const caller = request.operation.anonymousOnly ? 'anonymous' : request.caller;
          const { text, contentType } = body(request);
          const before = await ledgerSnapshot(env.database.url);
          const response = await fetch(`${env.server.url}/graphql`, {
            method: 'POST',
            headers: {
              'content-type': contentType,
              ...(sessions[caller] ? { cookie: sessions[caller] as string } : {}),
            },
            body: text,
          });
          assert.ok(response.status < 500, `status ${response.status}`);
          const raw = await response.text();
          const parsed = JSON.parse(raw) as {
            data?: Record<string, unknown> | null;
            errors?: { path?: (string | number)[]; extensions?: { code?: string } }[];
          };
          for (const error of parsed.errors ?? []) {
            const code = error.extensions?.code ?? 'NO_CODE';
            assert.ok(
              CONTRACT_CODES.has(code) || APOLLO_CODES.has(code),
              `code ${code}: ${raw.slice(0, 300)}`,
            );
          }
          // Aliased mutations run one after another and stop at the first refusal,
          // which nulls `data` (the fields are non-null): the copies before it did run.
          const failedAt = parsed.errors?.[0]?.path?.[0];
          const earlierCopiesRan =
            request.shape === 'aliased' && typeof failedAt === 'string' && failedAt !== 'a0';
          const changedSomething =
            request.operation.kind === 'mutation' &&
            (earlierCopiesRan || Object.values(parsed.data ?? {}).some((value) => value !== null));
          if (!changedSomething) {
            assert.equal(
              await ledgerSnapshot(env.database.url),
              before,
              'a refusal changed nothing',
            );
          }
        }),
        { numRuns: RUNS, seed },
      );
      assert.equal((await fetch(`${env.server.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${env.server.url}/readyz`)).status, 200);
      const me = new Client(env.server.url);
      me.cookie = person.client.cookie;
      assert.equal((await me.ok('{ wallet { balance } }')).wallet.balance, '10.00');
    });
  });
}
