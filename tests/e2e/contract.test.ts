/**
 * The contract's operation and error tables, row by row, against the real
 * server over HTTP. Every refusal is checked to have changed nothing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client } from '../../testkit/client';
import { databaseKinds } from '../../testkit/databases';
import {
  DEPOSIT,
  LOGIN,
  SEND,
  SIGNUP,
  WITHDRAW,
  fund,
  signInAdmin,
  signInProvider,
  signUp,
  type Person,
} from '../../testkit/fixtures';
import { startServer, type TestEnvironment, stopAllServers } from '../../testkit/server';
import { refusedUnchanged as refusedIn } from '../helpers/refusals';

const WALLET = `query Wallet($id: ID) { wallet(id: $id) { id currency balance createdAt } }`;
const OPERATIONS = `query Ops($id: ID, $first: Int, $after: String) {
  wallet(id: $id) { balance operations(first: $first, after: $after) {
    nodes { id type amount balanceAfter transferId counterpartyWalletId reference details createdAt }
    edges { cursor node { id } }
    pageInfo { hasNextPage endCursor }
  } }
}`;
const OPEN_WALLET = `mutation Open($currency: String!) { openWallet(currency: $currency) { id currency balance } }`;

after(stopAllServers);

for (const kind of databaseKinds()) {
  describe(`contract over HTTP on ${kind}`, () => {
    let env: TestEnvironment;
    let url: string;
    let provider: Client;
    let admin: Client;

    async function refusedUnchanged(
      client: Client,
      code: string,
      query: string,
      variables?: Record<string, unknown>,
    ): Promise<string> {
      const message = await refusedIn(env.database.url, client, code, query, variables);
      assert.ok(message.length > 0 && !/at \/|\.js:\d+|SQLITE|QueryFailed/.test(message), message);
      return message;
    }

    before(async () => {
      env = await startServer(kind, { LOGIN_MAX_FAILURES: '3' });
      url = env.server.url;
      provider = await signInProvider(url);
      admin = await signInAdmin(url);
    });
    after(async () => env?.close());

    it(`serves from the ${kind} driver`, () => {
      assert.match(env.server.output(), new RegExp(`"database":"${kind}"`));
    });

    describe('process endpoints', () => {
      it('answers liveness, readiness and metrics', async () => {
        await fund(provider, (await signUp(url)).walletId, '1.00');
        const health = await fetch(`${url}/healthz`);
        assert.equal(health.status, 200);
        assert.deepEqual(await health.json(), { status: 'ok' });
        assert.equal((await fetch(`${url}/readyz`)).status, 200);
        const metrics = await (await fetch(`${url}/metrics`)).text();
        assert.match(metrics, /wallet_graphql_requests_total/);
        assert.match(metrics, /wallet_movements_total\{kind="deposit",outcome="committed"\}/);
        assert.equal((await fetch(`${url}/`)).status, 200);
        const icon = await fetch(`${url}/favicon.ico`);
        assert.equal(icon.status, 200, 'a browser asks for /favicon.ico on every page');
        assert.match(icon.headers.get('content-type') ?? '', /^image\//);
      });
    });

    describe('signup, login, logout, me', () => {
      it('signs up with a wallet in the default currency and a session', async () => {
        const client = new Client(url);
        const email = `  New.Person+${randomUUID().slice(0, 8)}@Example.COM `;
        const data = await client.ok(SIGNUP, {
          input: { name: 'New Person', email, password: 'password-123' },
        });
        assert.equal(data.signup.email, email.trim().toLowerCase());
        assert.equal(data.signup.role, 'USER');
        assert.deepEqual(
          data.signup.wallets.map((w: { currency: string; balance: string }) => [
            w.currency,
            w.balance,
          ]),
          [['USD', '0.00']],
        );
        const me = await client.ok('{ me { id email } }');
        assert.equal(me.me.id, data.signup.id);
        await refusedUnchanged(new Client(url), 'ALREADY_EXISTS', SIGNUP, {
          input: { name: 'Copy', email: email.toUpperCase(), password: 'password-123' },
        });
      });

      it('refuses a bad name, email or password', async () => {
        const client = new Client(url);
        const ok = { name: 'N', email: `${randomUUID()}@x.test`, password: 'password-123' };
        for (const input of [
          { ...ok, name: '' },
          { ...ok, name: '   ' },
          { ...ok, name: 'n'.repeat(101) },
          { ...ok, email: 'not-an-email' },
          { ...ok, email: `${'a'.repeat(250)}@x.test` },
          { ...ok, password: 'short' },
          { ...ok, password: 'p'.repeat(129) },
        ]) {
          await refusedUnchanged(client, 'BAD_USER_INPUT', SIGNUP, { input });
        }
      });

      it('logs in under a new session id; one message for unknown email and wrong password', async () => {
        const person = await signUp(url);
        const client = new Client(url);
        client.cookie = person.client.cookie;
        const oldCookie = client.cookie;
        await client.ok(LOGIN, { input: { email: person.email, password: person.password } });
        assert.notEqual(client.cookie, oldCookie, 'a new session id on login');
        const wrong = await refusedUnchanged(new Client(url), 'INVALID_CREDENTIALS', LOGIN, {
          input: { email: person.email, password: 'wrong-password' },
        });
        const unknown = await refusedUnchanged(new Client(url), 'INVALID_CREDENTIALS', LOGIN, {
          input: { email: `${randomUUID()}@nobody.test`, password: 'wrong-password' },
        });
        assert.equal(wrong, unknown);
      });

      it('rate-limits failed logins per email, even with the right password', async () => {
        const person = await signUp(url);
        for (let i = 0; i < 3; i++) {
          await new Client(url).refused('INVALID_CREDENTIALS', LOGIN, {
            input: { email: person.email, password: 'wrong-password' },
          });
        }
        await refusedUnchanged(new Client(url), 'RATE_LIMITED', LOGIN, {
          input: { email: person.email.toUpperCase(), password: person.password },
        });
      });

      it('logs out at once; true also without a session; me is null after', async () => {
        const person = await signUp(url);
        const stolen = new Client(url);
        stolen.cookie = person.client.cookie;
        assert.equal((await person.client.ok('mutation { logout }')).logout, true);
        assert.equal((await stolen.ok('{ me { id } }')).me, null, 'the old cookie is dead');
        await stolen.refused('UNAUTHENTICATED', WALLET);
        assert.equal((await new Client(url).ok('mutation { logout }')).logout, true);
      });
    });

    describe('wallets', () => {
      let alice: Person;
      let bob: Person;
      before(async () => {
        alice = await signUp(url, 'Alice');
        bob = await signUp(url, 'Bob');
      });

      it("shows the caller's default wallet, or one by id to its owner and admins", async () => {
        assert.equal((await alice.client.ok(WALLET)).wallet.id, alice.walletId);
        assert.equal(
          (await alice.client.ok(WALLET, { id: alice.walletId })).wallet.balance,
          '0.00',
        );
        assert.equal((await admin.ok(WALLET, { id: alice.walletId })).wallet.id, alice.walletId);
        assert.match(
          (await alice.client.ok(WALLET)).wallet.createdAt,
          /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
        );
      });

      it('refuses a stranger, an unknown id, a malformed id, no session', async () => {
        await refusedUnchanged(bob.client, 'FORBIDDEN', WALLET, { id: alice.walletId });
        await refusedUnchanged(bob.client, 'NOT_FOUND', WALLET, { id: randomUUID() });
        await refusedUnchanged(bob.client, 'NOT_FOUND', WALLET, { id: 'not-a-uuid' });
        await refusedUnchanged(new Client(url), 'UNAUTHENTICATED', WALLET, { id: alice.walletId });
      });

      it("opens one wallet per currency, with the currency's precision", async () => {
        const person = await signUp(url);
        const jpy = (await person.client.ok(OPEN_WALLET, { currency: 'JPY' })).openWallet;
        const bhd = (await person.client.ok(OPEN_WALLET, { currency: 'BHD' })).openWallet;
        assert.deepEqual([jpy.currency, jpy.balance], ['JPY', '0']);
        assert.deepEqual([bhd.currency, bhd.balance], ['BHD', '0.000']);
        await refusedUnchanged(person.client, 'ALREADY_EXISTS', OPEN_WALLET, { currency: 'JPY' });
        await refusedUnchanged(person.client, 'ALREADY_EXISTS', OPEN_WALLET, { currency: 'USD' });
        for (const currency of ['XYZ', '', 'US', 'usdx']) {
          await refusedUnchanged(person.client, 'BAD_USER_INPUT', OPEN_WALLET, { currency });
        }
        // A code in any case means the same currency, answered in upper case.
        await refusedUnchanged(person.client, 'ALREADY_EXISTS', OPEN_WALLET, { currency: 'usd' });
        const gbp = (await person.client.ok(OPEN_WALLET, { currency: 'gbp' })).openWallet;
        assert.deepEqual([gbp.currency, gbp.balance], ['GBP', '0.00']);
        await refusedUnchanged(new Client(url), 'UNAUTHENTICATED', OPEN_WALLET, {
          currency: 'EUR',
        });
        await provider.ok(DEPOSIT, {
          input: { walletId: bhd.id, amount: '1.25', reference: randomUUID() },
        });
        await provider.ok(DEPOSIT, {
          input: { walletId: jpy.id, amount: '5', reference: randomUUID() },
        });
        assert.equal((await person.client.ok(WALLET, { id: bhd.id })).wallet.balance, '1.250');
        assert.equal((await person.client.ok(WALLET, { id: jpy.id })).wallet.balance, '5');
      });

      it('pages operations newest first with keyset cursors that do not shift', async () => {
        const person = await signUp(url);
        for (let i = 1; i <= 5; i++) await fund(provider, person.walletId, `${i}.00`);
        const first = (await person.client.ok(OPERATIONS, { first: 2 })).wallet.operations;
        assert.deepEqual(
          first.nodes.map((n: { amount: string }) => n.amount),
          ['5.00', '4.00'],
        );
        assert.equal(first.pageInfo.hasNextPage, true);
        assert.equal(first.pageInfo.endCursor, first.edges[1].cursor);
        assert.equal(first.nodes[0].balanceAfter, '15.00');
        await fund(provider, person.walletId, '6.00'); // added later: must not shift the pages
        const second = (
          await person.client.ok(OPERATIONS, { first: 2, after: first.pageInfo.endCursor })
        ).wallet.operations;
        assert.deepEqual(
          second.nodes.map((n: { amount: string }) => n.amount),
          ['3.00', '2.00'],
        );
        const last = (
          await person.client.ok(OPERATIONS, { first: 2, after: second.pageInfo.endCursor })
        ).wallet.operations;
        assert.deepEqual(
          last.nodes.map((n: { amount: string }) => n.amount),
          ['1.00'],
        );
        assert.equal(last.pageInfo.hasNextPage, false);
        for (const variables of [{ first: 0 }, { first: 101 }, { first: -1 }, { after: 'bogus' }]) {
          await refusedUnchanged(person.client, 'BAD_USER_INPUT', OPERATIONS, variables);
        }
      });
    });

    describe('money from and to outside (the payment provider)', () => {
      it('credits a wallet, and a repeat returns the same operation and moves nothing', async () => {
        const person = await signUp(url);
        const input = {
          walletId: person.walletId,
          amount: '10.5',
          reference: randomUUID(),
          details: 'card top-up',
        };
        const first = (await provider.ok(DEPOSIT, { input })).externalToWallet;
        assert.equal(first.operation.type, 'DEPOSIT');
        assert.equal(first.operation.amount, '10.50');
        assert.equal(first.operation.balanceAfter, '10.50');
        assert.equal(first.operation.reference, input.reference);
        assert.equal(first.wallet.balance, '10.50');
        const again = (await provider.ok(DEPOSIT, { input: { ...input, amount: '10.50' } }))
          .externalToWallet;
        assert.equal(again.operation.id, first.operation.id);
        assert.equal(again.wallet.balance, '10.50');
        await refusedUnchanged(provider, 'IDEMPOTENCY_CONFLICT', DEPOSIT, {
          input: { ...input, amount: '10.51' },
        });
        await refusedUnchanged(provider, 'IDEMPOTENCY_CONFLICT', DEPOSIT, {
          input: { ...input, details: 'other' },
        });
        await refusedUnchanged(provider, 'IDEMPOTENCY_CONFLICT', WITHDRAW, { input });
        const found = await provider.ok(
          'query($r: String!) { externalOperation(reference: $r) { id amount } }',
          { r: input.reference },
        );
        assert.equal(found.externalOperation.id, first.operation.id);
        const none = await provider.ok(
          'query($r: String!) { externalOperation(reference: $r) { id } }',
          { r: randomUUID() },
        );
        assert.equal(none.externalOperation, null);
      });

      it('debits a wallet, never below zero', async () => {
        const person = await signUp(url);
        await fund(provider, person.walletId, '3.00');
        const input = { walletId: person.walletId, amount: '3.01', reference: randomUUID() };
        await refusedUnchanged(provider, 'INSUFFICIENT_FUNDS', WITHDRAW, { input });
        // The refusal left no trace: the same reference is judged afresh.
        const done = (await provider.ok(WITHDRAW, { input: { ...input, amount: '3.00' } }))
          .walletToExternal;
        assert.equal(done.operation.type, 'WITHDRAWAL');
        assert.equal(done.wallet.balance, '0.00');
      });

      it('refuses people, bad amounts, unknown wallets, and balances above the cap', async () => {
        const person = await signUp(url);
        const input = { walletId: person.walletId, amount: '1.00', reference: randomUUID() };
        await refusedUnchanged(person.client, 'FORBIDDEN', DEPOSIT, { input });
        await refusedUnchanged(person.client, 'FORBIDDEN', WITHDRAW, { input });
        await refusedUnchanged(
          person.client,
          'FORBIDDEN',
          'query { externalOperation(reference: "x") { id } }',
        );
        await refusedUnchanged(new Client(url), 'UNAUTHENTICATED', DEPOSIT, { input });
        for (const amount of ['5.', '.5', '+5', '-5', '1e3', '1,00', ' 5', '0', '0.00', 5, '']) {
          await refusedUnchanged(provider, 'BAD_USER_INPUT', DEPOSIT, {
            input: { ...input, amount },
          });
        }
        for (const amount of ['1.500', '10000000000000.01']) {
          await refusedUnchanged(provider, 'BAD_USER_INPUT', DEPOSIT, {
            input: { ...input, amount },
          });
        }
        for (const reference of ['', 'r'.repeat(129)]) {
          await refusedUnchanged(provider, 'BAD_USER_INPUT', DEPOSIT, {
            input: { ...input, reference },
          });
        }
        await refusedUnchanged(provider, 'BAD_USER_INPUT', DEPOSIT, {
          input: { ...input, details: 'd'.repeat(501) },
        });
        await refusedUnchanged(provider, 'NOT_FOUND', DEPOSIT, {
          input: { ...input, walletId: randomUUID() },
        });
        const inline = await provider.gql(
          `mutation { externalToWallet(input: { walletId: "${person.walletId}", amount: "5.", reference: "x" }) { wallet { id } } }`,
        );
        assert.equal(inline.errors?.[0].extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
        assert.equal(inline.status, 400);
        // 10^15 minor units is the largest amount; 10^18 the largest balance.
        const jpy = (await person.client.ok(OPEN_WALLET, { currency: 'JPY' })).openWallet;
        await refusedUnchanged(provider, 'BAD_USER_INPUT', DEPOSIT, {
          input: { walletId: jpy.id, amount: '1000000000000001', reference: randomUUID() },
        });
        await provider.ok(DEPOSIT, {
          input: { walletId: jpy.id, amount: '1000000000000000', reference: randomUUID() },
        });
      });
    });

    describe('transfers between wallets', () => {
      let alice: Person;
      let bob: Person;
      before(async () => {
        alice = await signUp(url, 'Alice');
        bob = await signUp(url, 'Bob');
        await fund(provider, alice.walletId, '100.00');
      });

      it("moves money from the caller's wallet in the recipient's currency", async () => {
        const result = (
          await alice.client.ok(SEND, {
            input: { toWalletId: bob.walletId, amount: '007.5', details: 'coffee' },
          })
        ).walletToWallet;
        assert.equal(result.transfer.amount, '7.50');
        assert.equal(result.transfer.currency, 'USD');
        assert.equal(result.transfer.fromWalletId, alice.walletId);
        assert.equal(result.transfer.details, 'coffee');
        assert.equal(result.operation.type, 'TRANSFER_OUT');
        assert.equal(result.operation.walletId, alice.walletId);
        assert.equal(result.operation.transferId, result.transfer.id);
        assert.equal(result.operation.counterpartyWalletId, bob.walletId);
        assert.equal(result.wallet.balance, '92.50');
        const bobOps = (await bob.client.ok(OPERATIONS, { first: 1 })).wallet;
        assert.equal(bobOps.balance, '7.50');
        assert.equal(bobOps.operations.nodes[0].type, 'TRANSFER_IN');
        assert.equal(bobOps.operations.nodes[0].counterpartyWalletId, alice.walletId);
        for (const client of [alice.client, bob.client, admin]) {
          const seen = await client.ok('query($id: ID!) { transfer(id: $id) { id amount } }', {
            id: result.transfer.id,
          });
          assert.equal(seen.transfer.id, result.transfer.id);
        }
        const stranger = await signUp(url);
        await refusedUnchanged(
          stranger.client,
          'FORBIDDEN',
          'query($id: ID!) { transfer(id: $id) { id } }',
          {
            id: result.transfer.id,
          },
        );
        await refusedUnchanged(
          stranger.client,
          'NOT_FOUND',
          'query($id: ID!) { transfer(id: $id) { id } }',
          {
            id: randomUUID(),
          },
        );
      });

      it('replays a key with the same ids; another request under it is a conflict', async () => {
        const input = {
          toWalletId: bob.walletId,
          amount: '1.5',
          idempotencyKey: randomUUID(),
          fromWalletId: alice.walletId,
        };
        const first = (await alice.client.ok(SEND, { input })).walletToWallet;
        const again = (await alice.client.ok(SEND, { input: { ...input, amount: '1.50' } }))
          .walletToWallet;
        assert.equal(again.transfer.id, first.transfer.id);
        assert.equal(again.operation.id, first.operation.id);
        assert.equal(again.wallet.balance, first.wallet.balance);
        await refusedUnchanged(alice.client, 'IDEMPOTENCY_CONFLICT', SEND, {
          input: { ...input, amount: '1.51' },
        });
        await refusedUnchanged(alice.client, 'IDEMPOTENCY_CONFLICT', SEND, {
          input: { ...input, details: 'changed' },
        });
        // Keys are scoped to the user: Bob may use the same one.
        await fund(provider, bob.walletId, '1.00');
        await bob.client.ok(SEND, {
          input: { ...input, toWalletId: alice.walletId, fromWalletId: null },
        });
      });

      it('a refused attempt leaves no trace: the same key is judged afresh', async () => {
        const poor = await signUp(url);
        const input = { toWalletId: bob.walletId, amount: '2.00', idempotencyKey: 'retry-me' };
        await refusedUnchanged(poor.client, 'INSUFFICIENT_FUNDS', SEND, { input });
        await fund(provider, poor.walletId, '2.00');
        const done = (await poor.client.ok(SEND, { input })).walletToWallet;
        assert.equal(done.wallet.balance, '0.00');
      });

      it('refuses in the contract order of precedence', async () => {
        const euro = await signUp(url);
        const euroWallet = (await euro.client.ok(OPEN_WALLET, { currency: 'EUR' })).openWallet;
        const send = (input: Record<string, unknown>) => ({
          input: { toWalletId: bob.walletId, amount: '1.00', ...input },
        });
        await refusedUnchanged(new Client(url), 'UNAUTHENTICATED', SEND, send({}));
        await refusedUnchanged(alice.client, 'BAD_USER_INPUT', SEND, send({ amount: '1e3' }));
        await refusedUnchanged(alice.client, 'BAD_USER_INPUT', SEND, send({ idempotencyKey: '' }));
        await refusedUnchanged(alice.client, 'NOT_FOUND', SEND, send({ toWalletId: randomUUID() }));
        await refusedUnchanged(alice.client, 'NOT_FOUND', SEND, send({ toWalletId: 'nope' }));
        await refusedUnchanged(
          alice.client,
          'NOT_FOUND',
          SEND,
          send({ fromWalletId: randomUUID() }),
        );
        // Not the owner beats everything after it, even an amount too precise.
        await refusedUnchanged(
          alice.client,
          'FORBIDDEN',
          SEND,
          send({ fromWalletId: bob.walletId, amount: '1.001' }),
        );
        // No wallet in the recipient's currency; or an explicit wallet in another currency.
        await refusedUnchanged(
          alice.client,
          'CURRENCY_MISMATCH',
          SEND,
          send({ toWalletId: euroWallet.id }),
        );
        await refusedUnchanged(
          euro.client,
          'CURRENCY_MISMATCH',
          SEND,
          send({ fromWalletId: euroWallet.id, amount: '1.001' }),
        );
        await refusedUnchanged(alice.client, 'BAD_USER_INPUT', SEND, send({ amount: '1.001' }));
        await refusedUnchanged(
          alice.client,
          'BAD_USER_INPUT',
          SEND,
          send({ toWalletId: alice.walletId }),
        );
        await refusedUnchanged(
          alice.client,
          'INSUFFICIENT_FUNDS',
          SEND,
          send({ amount: '100000.00' }),
        );
      });

      it('names the input field a BAD_USER_INPUT concerns, for a client to show it there', async () => {
        const send = (input: Record<string, unknown>) =>
          alice.client.gql(SEND, { input: { toWalletId: bob.walletId, amount: '1.00', ...input } });
        const fieldOf = async (input: Record<string, unknown>) => {
          const response = await send(input);
          assert.equal(response.errors?.[0].extensions?.code, 'BAD_USER_INPUT');
          return (response.errors?.[0].extensions as { field?: string }).field;
        };
        assert.equal(await fieldOf({ amount: '1.001' }), 'amount');
        assert.equal(await fieldOf({ toWalletId: alice.walletId }), 'toWalletId');
        assert.equal(await fieldOf({ details: 'x'.repeat(501) }), 'details');
        assert.equal(await fieldOf({ idempotencyKey: '' }), 'idempotencyKey');
      });
    });

    describe('administrators', () => {
      it('lists wallets, transfers and users newest first, in pages', async () => {
        const person = await signUp(url, 'Listed');
        const other = await signUp(url, 'Other');
        await fund(provider, person.walletId, '5.00');
        const sent = (
          await person.client.ok(SEND, { input: { toWalletId: other.walletId, amount: '1.00' } })
        ).walletToWallet;
        const users = await admin.ok(
          '{ users(first: 2) { nodes { id name role } pageInfo { hasNextPage endCursor } } }',
        );
        assert.deepEqual(
          users.users.nodes.map((u: { id: string }) => u.id),
          [other.userId, person.userId],
        );
        const next = await admin.ok(
          'query($after: String) { users(first: 1, after: $after) { nodes { id } } }',
          { after: users.users.pageInfo.endCursor },
        );
        assert.notEqual(next.users.nodes[0].id, person.userId);
        // A cursor belongs to its list: a users cursor means nothing to wallets.
        await refusedUnchanged(
          admin,
          'BAD_USER_INPUT',
          'query($after: String) { wallets(first: 1, after: $after) { nodes { id } } }',
          { after: users.users.pageInfo.endCursor },
        );
        const wallets = await admin.ok(
          '{ wallets(first: 2) { nodes { id balance owner { id name email } } edges { cursor } } }',
        );
        assert.equal(wallets.wallets.nodes[0].id, other.walletId);
        assert.deepEqual(
          wallets.wallets.nodes.map((w: { owner: unknown }) => w.owner),
          [
            { id: other.userId, name: 'Other', email: other.email },
            { id: person.userId, name: 'Listed', email: person.email },
          ],
          'each wallet with its owner',
        );
        const own = await person.client.ok('{ wallet { owner { id name } } }');
        assert.deepEqual(own.wallet.owner, { id: person.userId, name: 'Listed' });
        const transfers = await admin.ok(
          'query($w: ID) { transfers(first: 5, walletId: $w) { nodes { id amount } } }',
          { w: other.walletId },
        );
        assert.deepEqual(
          transfers.transfers.nodes.map((t: { id: string }) => t.id),
          [sent.transfer.id],
        );
        await refusedUnchanged(
          admin,
          'NOT_FOUND',
          'query($w: ID) { transfers(walletId: $w) { nodes { id } } }',
          {
            w: randomUUID(),
          },
        );
        await refusedUnchanged(admin, 'BAD_USER_INPUT', '{ users(first: 500) { nodes { id } } }');
        for (const query of [
          '{ wallets { nodes { id } } }',
          '{ transfers { nodes { id } } }',
          '{ users { nodes { id } } }',
        ]) {
          await refusedUnchanged(person.client, 'FORBIDDEN', query);
          await refusedUnchanged(provider, 'FORBIDDEN', query);
          await refusedUnchanged(new Client(url), 'UNAUTHENTICATED', query);
        }
      });
    });

    describe('requests that are not GraphQL, and limits', () => {
      it('answers malformed JSON, oversized bodies, text/plain and batches with 400/413', async () => {
        const post = (body: string, type = 'application/json') =>
          fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': type }, body });
        const malformed = await post('{"query": ');
        assert.equal(malformed.status, 400);
        assert.equal(((await malformed.json()) as any).errors[0].extensions.code, 'BAD_REQUEST');
        const big = await post(
          JSON.stringify({ query: '{ me { id } }', pad: 'x'.repeat(120_000) }),
        );
        assert.equal(big.status, 413);
        assert.equal(((await big.json()) as any).errors[0].extensions.code, 'BAD_REQUEST');
        const plain = await post('{"query":"{ me { id } }"}', 'text/plain');
        assert.equal(plain.status, 400);
        const batch = await post(
          JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]),
        );
        assert.equal(batch.status, 400);
        const parse = await post(JSON.stringify({ query: '{ me { ' }));
        assert.equal(parse.status, 400);
        assert.equal(
          ((await parse.json()) as any).errors[0].extensions.code,
          'GRAPHQL_PARSE_FAILED',
        );
      });

      it('allows queries over GET, with the session, but never mutations', async () => {
        const person = await signUp(url);
        // A plain GET, as curl or a link sends it: no preflight header needed.
        const get = (query: string, cookie?: string) =>
          fetch(`${url}/graphql?query=${encodeURIComponent(query)}`, {
            headers: cookie ? { cookie } : {},
          });
        const anonymous = await get('{ me { id } }');
        assert.equal(anonymous.status, 200);
        assert.deepEqual(await anonymous.json(), { data: { me: null } });
        const signedIn = await get('{ me { id } }', person.client.cookie as string);
        assert.equal(signedIn.status, 200);
        assert.deepEqual(await signedIn.json(), { data: { me: { id: person.userId } } });
        const mutation = await get('mutation { logout }', person.client.cookie as string);
        assert.equal(mutation.status, 405);
        assert.deepEqual((await person.client.ok('{ me { id } }')).me, { id: person.userId });
      });

      it('runs nothing a cross-site form can send: a POST body that is not JSON', async () => {
        const email = `${randomUUID()}@people.test`;
        const signup = `mutation { signup(input: { name: "Form", email: "${email}", password: "a-good-password" }) { id } }`;
        const urlEncoded = new URLSearchParams({ query: signup });
        const multipart = new FormData();
        multipart.set('query', signup);
        for (const body of [urlEncoded, multipart, JSON.stringify({ query: signup })]) {
          // fetch sets the form types itself; the JSON text goes as text/plain.
          const response = await fetch(`${url}/graphql`, { method: 'POST', body });
          assert.equal(response.status, 400);
          assert.equal(((await response.json()) as any).errors[0].extensions.code, 'BAD_REQUEST');
        }
        // None of them created the user: the email is still free.
        await new Client(url).ok(SIGNUP, {
          input: { name: 'Form', email, password: 'a-good-password' },
        });
      });

      it('refuses queries nested too deep or too costly', async () => {
        const person = await signUp(url);
        const deep = await person.client.gql(
          '{ me { wallets { operations { edges { node { id } } pageInfo { hasNextPage } } } } }',
        );
        assert.equal(deep.errors, undefined, 'an ordinary query passes');
        // Ten levels of fields pass; eleven are refused.
        const nested = (levels: number) =>
          `{ __schema { types { fields { type ${'{ ofType '.repeat(levels - 5)}{ name }${' }'.repeat(levels - 5)} } } } }`;
        assert.equal((await person.client.gql(nested(10))).errors, undefined);
        for (const levels of [11, 52]) {
          const tooDeep = await person.client.gql(nested(levels));
          assert.equal(tooDeep.errors?.[0].extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
          assert.equal(
            tooDeep.errors?.[0].message,
            'The query is nested more than 10 levels deep; at most 10 are allowed.',
          );
        }
        const aliases = Array.from(
          { length: 60 },
          (_, i) => `a${i}: login(input: { email: "x@y.z", password: "password1" }) { id }`,
        ).join(' ');
        const costly = await person.client.gql(`mutation { ${aliases} }`);
        assert.equal(costly.errors?.[0].extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
      });

      it('prices one query text anew for each page size its variables ask for', async () => {
        const person = await signUp(url);
        // Two aliased pages of every wallet's operations: fine at 5, too costly at 100.
        const fields = 'id type amount balanceAfter createdAt walletId transferId details';
        const page = `operations(first: $first) { edges { node { ${fields} } } nodes { ${fields} } }`;
        const pages = `query Pages($first: Int) { me { wallets { a: ${page} b: ${page} } } }`;
        assert.equal((await person.client.gql(pages, { first: 5 })).errors, undefined);
        const large = await person.client.gql(pages, { first: 100 });
        assert.equal(large.errors?.[0].extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
        assert.equal((await person.client.gql(pages, { first: 5 })).errors, undefined, 'again');
        const again = await person.client.gql(pages, { first: 100 });
        assert.equal(again.errors?.[0].extensions?.code, 'GRAPHQL_VALIDATION_FAILED', 'again');
      });

      it('lets every page the contract allows through: 100 rows, every field', async () => {
        const person = await signUp(url);
        const admin = await signInAdmin(url);
        const page = (fields: string) =>
          `nodes { ${fields} } edges { cursor node { ${fields} } } pageInfo { hasNextPage endCursor }`;
        const operation =
          'id walletId type amount balanceAfter transferId counterpartyWalletId reference details createdAt';
        const wallet = `id currency balance createdAt operations(first: 100) { ${page(operation)} }`;
        // A person's whole tree: up to eight wallets (one per currency), each with a page of 100.
        for (const query of [
          `{ me { id name email role wallets { ${wallet} } } }`,
          `{ wallet { ${wallet} } }`,
        ]) {
          assert.equal((await person.client.gql(query)).errors, undefined, query);
        }
        for (const list of [
          `wallets(first: 100) { ${page('id currency balance createdAt')} }`,
          `transfers(first: 100) { ${page('id fromWalletId toWalletId amount currency details createdAt')} }`,
          `users(first: 100) { ${page('id name email role wallets { id currency balance createdAt }')} }`,
        ]) {
          assert.equal((await admin.gql(`{ ${list} }`)).errors, undefined, list);
        }
      });
    });
  });
}
