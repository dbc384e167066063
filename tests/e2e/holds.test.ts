/**
 * Holds over HTTP: the payment provider authorizes, captures in part or
 * whole, or voids, once; held money is never spent twice, whatever races it;
 * expiry is the database's clock; every refusal changes nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { runAudit } from '../../testkit/audit';
import { Client } from '../../testkit/client';
import { databaseKinds, executeOnDatabase, queryDatabase } from '../../testkit/databases';
import {
  SEND,
  WITHDRAW,
  signIn,
  signInAdmin,
  signInProvider,
  signUp,
  fundedPerson,
} from '../../testkit/fixtures';
import { holdWalletLock } from '../../testkit/locks';
import { MAIN, startServer, stopAllServers, type TestEnvironment } from '../../testkit/server';
import { codeOf, refusedUnchanged as refusedIn } from '../helpers/refusals';

const HOLD_FIELDS = `id walletId amount capturedAmount status reference details expiresAt createdAt
  resolvedAt operation { id type amount walletId holdId }`;
const WALLET_FIELDS = 'id balance availableBalance heldBalance';
const AUTHORIZE = `mutation Authorize($input: AuthorizeHoldInput!) {
  authorizeHold(input: $input) { hold { ${HOLD_FIELDS} } wallet { ${WALLET_FIELDS} } }
}`;
const CAPTURE = `mutation Capture($input: CaptureHoldInput!) {
  captureHold(input: $input) { hold { ${HOLD_FIELDS} } wallet { ${WALLET_FIELDS} } }
}`;
const VOID = `mutation Void($id: ID!) {
  voidHold(holdId: $id) { hold { ${HOLD_FIELDS} } wallet { ${WALLET_FIELDS} } }
}`;
const HOLD = `query Hold($id: ID!) { hold(id: $id) { ${HOLD_FIELDS} } }`;
const WALLET = `query Wallet($id: ID, $status: HoldStatus) {
  wallet(id: $id) {
    ${WALLET_FIELDS}
    holds(status: $status, first: 10) { nodes { id status amount } pageInfo { hasNextPage } }
    operations(first: 5) { nodes { type amount holdId reference } }
  }
}`;

after(stopAllServers);

for (const kind of databaseKinds()) {
  describe(`holds on ${kind}`, () => {
    let env: TestEnvironment;
    let url: string;
    let provider: Client;

    before(async () => {
      env = await startServer(kind, { SIGNUP_RATE_PER_HOUR: '0', LOCK_TIMEOUT_MS: '5000' });
      url = env.server.url;
      provider = await signInProvider(url);
    });
    after(async () => env?.close());

    /** A person whose wallet the provider has funded with `amount`. */
    const funded = (amount: string, name?: string) => fundedPerson(url, provider, amount, name);

    const authorize = (input: Record<string, unknown>) =>
      provider.gql(AUTHORIZE, { input: { reference: randomUUID(), ...input } });

    const refusedUnchanged = (
      client: Client,
      code: string,
      query: string,
      variables: Record<string, unknown>,
    ) => refusedIn(env.database.url, client, code, query, variables);

    it(`serves from the ${kind} driver`, () => {
      assert.match(env.server.output(), new RegExp(`"database":"${kind}"`));
    });

    it('authorizes, then captures part: one WITHDRAWAL, the rest released, once', async () => {
      const person = await funded('100.00');
      const reference = `order-${randomUUID()}`;
      const authorized = await provider.ok(AUTHORIZE, {
        input: { walletId: person.walletId, amount: '30.00', reference, details: 'order 17' },
      });
      const { hold } = authorized.authorizeHold;
      assert.equal(hold.status, 'PENDING');
      assert.equal(hold.amount, '30.00');
      assert.equal(hold.capturedAmount, null);
      assert.equal(hold.operation, null);
      const sevenDaysMs = 7 * 86_400_000;
      assert.equal(Date.parse(hold.expiresAt) - Date.parse(hold.createdAt), sevenDaysMs);
      assert.deepEqual(authorized.authorizeHold.wallet, {
        id: person.walletId,
        balance: '100.00',
        availableBalance: '70.00',
        heldBalance: '30.00',
      });

      // The owner sees the hold and spends only what is available.
      const seen = (await person.client.ok(WALLET, { id: person.walletId })).wallet;
      assert.equal(seen.availableBalance, '70.00');
      assert.deepEqual(
        seen.holds.nodes.map((h: { id: string }) => h.id),
        [hold.id],
      );
      const other = await signUp(url);
      await person.client.refused('INSUFFICIENT_FUNDS', SEND, {
        input: { toWalletId: other.walletId, amount: '70.01' },
      });

      const captured = await provider.ok(CAPTURE, { input: { holdId: hold.id, amount: '12.50' } });
      const done = captured.captureHold.hold;
      assert.equal(done.status, 'CAPTURED');
      assert.equal(done.capturedAmount, '12.50');
      assert.ok(done.resolvedAt);
      assert.deepEqual(done.operation, {
        id: done.operation.id,
        type: 'WITHDRAWAL',
        amount: '12.50',
        walletId: person.walletId,
        holdId: hold.id,
      });
      assert.deepEqual(captured.captureHold.wallet, {
        id: person.walletId,
        balance: '87.50',
        availableBalance: '87.50',
        heldBalance: '0.00',
      });

      // The same capture again: the hold as it is; another resolution: ALREADY_RESOLVED.
      const again = await provider.ok(CAPTURE, { input: { holdId: hold.id, amount: '12.5' } });
      assert.deepEqual(again.captureHold.hold, done);
      await refusedUnchanged(provider, 'ALREADY_RESOLVED', CAPTURE, {
        input: { holdId: hold.id, amount: '12.00' },
      });
      await refusedUnchanged(provider, 'ALREADY_RESOLVED', CAPTURE, { input: { holdId: hold.id } });
      await refusedUnchanged(provider, 'ALREADY_RESOLVED', VOID, { id: hold.id });

      const ops = (await person.client.ok(WALLET, { id: person.walletId })).wallet.operations.nodes;
      assert.deepEqual(ops[0], {
        type: 'WITHDRAWAL',
        amount: '12.50',
        holdId: hold.id,
        reference,
      });
      const captures = await queryDatabase<{ n: unknown }>(
        env.database.url,
        `SELECT COUNT(*) AS n FROM operations WHERE hold_id = '${hold.id}'`,
      );
      assert.equal(Number(captures[0].n), 1);
      assert.equal((await runAudit(env.database.url)).code, 0);
    });

    it('captures the whole hold without an amount; voids release; more than the hold is refused', async () => {
      const person = await funded('50.00');
      const first = (await authorize({ walletId: person.walletId, amount: '20.00' })).data
        .authorizeHold.hold;
      await refusedUnchanged(provider, 'EXCEEDS_REMAINING', CAPTURE, {
        input: { holdId: first.id, amount: '20.01' },
      });
      const whole = await provider.ok(CAPTURE, { input: { holdId: first.id } });
      assert.equal(whole.captureHold.hold.capturedAmount, '20.00');
      assert.equal(whole.captureHold.wallet.balance, '30.00');

      const second = (await authorize({ walletId: person.walletId, amount: '30.00' })).data
        .authorizeHold;
      assert.equal(second.wallet.availableBalance, '0.00');
      const voided = await provider.ok(VOID, { id: second.hold.id });
      assert.equal(voided.voidHold.hold.status, 'VOIDED');
      assert.equal(voided.voidHold.hold.operation, null);
      assert.deepEqual(voided.voidHold.wallet, {
        id: person.walletId,
        balance: '30.00',
        availableBalance: '30.00',
        heldBalance: '0.00',
      });
      assert.deepEqual((await provider.ok(VOID, { id: second.hold.id })).voidHold.hold, {
        ...voided.voidHold.hold,
      });
      await refusedUnchanged(provider, 'ALREADY_RESOLVED', CAPTURE, {
        input: { holdId: second.hold.id },
      });
      const pending = await person.client.ok(WALLET, { id: person.walletId, status: 'VOIDED' });
      assert.deepEqual(
        pending.wallet.holds.nodes.map((h: { id: string }) => h.id),
        [second.hold.id],
      );
    });

    it('is idempotent by reference, in the namespace it shares with deposits and withdrawals', async () => {
      const person = await funded('40.00');
      const reference = `ref-${randomUUID()}`;
      const input = {
        walletId: person.walletId,
        amount: '10.00',
        reference,
        expiresInSeconds: 600,
      };
      // Twenty at once: one hold.
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => provider.gql(AUTHORIZE, { input })),
      );
      const ids = new Set(answers.map((a) => a.data?.authorizeHold.hold.id));
      assert.equal(ids.size, 1, JSON.stringify(answers.map((a) => a.errors)));
      const stored = await queryDatabase<{ n: unknown }>(
        env.database.url,
        `SELECT COUNT(*) AS n FROM holds WHERE reference = '${reference}'`,
      );
      assert.equal(Number(stored[0].n), 1);
      const replay = await provider.ok(AUTHORIZE, { input: { ...input, amount: '10.0' } });
      assert.equal(replay.authorizeHold.hold.id, [...ids][0]);
      assert.equal(replay.authorizeHold.wallet.heldBalance, '10.00', 'reserved once');
      for (const changed of [
        { amount: '10.01' },
        { expiresInSeconds: 601 },
        { details: 'other' },
        { walletId: (await funded('1.00')).walletId },
      ]) {
        await refusedUnchanged(provider, 'IDEMPOTENCY_CONFLICT', AUTHORIZE, {
          input: { ...input, ...changed },
        });
      }
      // A deposit's reference cannot name a hold, nor a hold's a withdrawal.
      const depositReference = randomUUID();
      await provider.ok(
        `mutation($i: ExternalToWalletInput!) { externalToWallet(input: $i) { operation { id } } }`,
        { i: { walletId: person.walletId, amount: '1.00', reference: depositReference } },
      );
      await refusedUnchanged(provider, 'IDEMPOTENCY_CONFLICT', AUTHORIZE, {
        input: { ...input, reference: depositReference },
      });
      await refusedUnchanged(provider, 'IDEMPOTENCY_CONFLICT', WITHDRAW, {
        input: { walletId: person.walletId, amount: '10.00', reference },
      });
    });

    it('refuses bad input, other accounts and roles with the right code, changing nothing', async () => {
      const person = await funded('10.00');
      const admin = await signInAdmin(url);
      const hold = (await authorize({ walletId: person.walletId, amount: '5.00' })).data
        .authorizeHold.hold;
      const base = { walletId: person.walletId, amount: '1.00', reference: randomUUID() };
      for (const input of [
        { ...base, amount: '0' },
        { ...base, amount: '0.00' },
        { ...base, amount: '1.001' },
        { ...base, amount: '-1.00' },
        { ...base, expiresInSeconds: 0 },
        { ...base, expiresInSeconds: 2_592_001 },
        { ...base, reference: '' },
        { ...base, details: 'x'.repeat(501) },
      ]) {
        await refusedUnchanged(provider, 'BAD_USER_INPUT', AUTHORIZE, { input });
      }
      await refusedUnchanged(provider, 'INSUFFICIENT_FUNDS', AUTHORIZE, {
        input: { ...base, amount: '5.01' },
      });
      await refusedUnchanged(provider, 'NOT_FOUND', AUTHORIZE, {
        input: { ...base, walletId: randomUUID() },
      });
      for (const id of [randomUUID(), 'not-an-id']) {
        await refusedUnchanged(provider, 'NOT_FOUND', CAPTURE, { input: { holdId: id } });
        await refusedUnchanged(provider, 'NOT_FOUND', VOID, { id });
        await refusedUnchanged(admin, 'NOT_FOUND', HOLD, { id });
      }
      await refusedUnchanged(provider, 'BAD_USER_INPUT', CAPTURE, {
        input: { holdId: hold.id, amount: '1.001' },
      });
      // People and admins cannot authorize or resolve; another service cannot touch this one's hold.
      for (const client of [person.client, admin]) {
        await refusedUnchanged(client, 'FORBIDDEN', AUTHORIZE, { input: base });
        await refusedUnchanged(client, 'FORBIDDEN', CAPTURE, { input: { holdId: hold.id } });
        await refusedUnchanged(client, 'FORBIDDEN', VOID, { id: hold.id });
      }
      await refusedUnchanged(new Client(url), 'UNAUTHENTICATED', AUTHORIZE, { input: base });
      const otherService = await createService(env.database.url);
      const stranger = await signIn(url, otherService);
      await refusedUnchanged(stranger, 'FORBIDDEN', CAPTURE, { input: { holdId: hold.id } });
      await refusedUnchanged(stranger, 'FORBIDDEN', VOID, { id: hold.id });
      await refusedUnchanged(stranger, 'FORBIDDEN', HOLD, { id: hold.id });
      // Who may see it: its service, the wallet's owner, an admin; nobody else.
      for (const client of [provider, person.client, admin]) {
        assert.equal((await client.ok(HOLD, { id: hold.id })).hold.id, hold.id);
      }
      const someone = await signUp(url);
      await refusedUnchanged(someone.client, 'FORBIDDEN', HOLD, { id: hold.id });
      await refusedUnchanged(someone.client, 'FORBIDDEN', WALLET, { id: person.walletId });
    });

    it('50 simultaneous captures of one hold capture it once', async () => {
      const person = await funded('10.00');
      const hold = (await authorize({ walletId: person.walletId, amount: '8.00' })).data
        .authorizeHold.hold;
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          provider.gql(CAPTURE, { input: { holdId: hold.id, amount: '7.00' } }),
        ),
      );
      assert.deepEqual(new Set(answers.map(codeOf)), new Set(['ok']));
      const wallet = (await person.client.ok(WALLET, { id: person.walletId })).wallet;
      assert.equal(wallet.balance, '3.00');
      assert.equal(wallet.availableBalance, '3.00');
      const captures = await queryDatabase<{ n: unknown }>(
        env.database.url,
        `SELECT COUNT(*) AS n FROM operations WHERE hold_id = '${hold.id}'`,
      );
      assert.equal(Number(captures[0].n), 1);
      assert.equal((await runAudit(env.database.url)).code, 0);
    });

    it('never lets transfers spend held money, while the capture or void races them', async () => {
      for (const resolution of ['capture', 'void'] as const) {
        const person = await funded('10.00');
        const other = await signUp(url);
        const hold = (await authorize({ walletId: person.walletId, amount: '6.00' })).data
          .authorizeHold.hold;
        const resolve =
          resolution === 'capture'
            ? provider.gql(CAPTURE, { input: { holdId: hold.id } })
            : provider.gql(VOID, { id: hold.id });
        const transfers = Array.from({ length: 20 }, (_, i) =>
          person.client.gql(SEND, {
            input: { toWalletId: other.walletId, amount: '1.00', idempotencyKey: `race-${i}` },
          }),
        );
        const [resolved, ...sent] = await Promise.all([resolve, ...transfers]);
        assert.equal(codeOf(resolved), 'ok', JSON.stringify(resolved.errors));
        const codes = sent.map(codeOf);
        assert.deepEqual(
          [...new Set(codes)].filter((c) => c !== 'ok' && c !== 'INSUFFICIENT_FUNDS'),
          [],
        );
        const made = codes.filter((c) => c === 'ok').length;
        const wallet = (await person.client.ok(WALLET, { id: person.walletId })).wallet;
        if (resolution === 'capture') {
          assert.equal(made, 4, 'only the 4.00 not held could be sent');
          assert.equal(wallet.balance, '0.00');
        } else {
          assert.ok(made >= 4 && made <= 10, `${made} sent`);
          assert.equal(wallet.balance, `${10 - made}.00`);
        }
        assert.equal(wallet.heldBalance, '0.00');
        assert.ok(!wallet.availableBalance.startsWith('-'));
      }
      assert.equal((await runAudit(env.database.url)).code, 0);
    });

    it('expires by the database clock: at once for readers, and a capture waiting for the lock is refused', async () => {
      const person = await funded('10.00');
      const hold = (
        await authorize({ walletId: person.walletId, amount: '4.00', expiresInSeconds: 1 })
      ).data.authorizeHold.hold;
      const release = await holdWalletLock(env.database.url, person.walletId);
      const capture = provider.gql(CAPTURE, { input: { holdId: hold.id } });
      await sleep(1_500); // past expiresAt, while the capture waits for the wallet
      await release();
      const answer = await capture;
      assert.equal(codeOf(answer), 'EXPIRED', JSON.stringify(answer.errors));
      const read = (await provider.ok(HOLD, { id: hold.id })).hold;
      assert.equal(read.status, 'EXPIRED');
      assert.equal(read.resolvedAt, read.expiresAt);
      const wallet = (await person.client.ok(WALLET, { id: person.walletId })).wallet;
      assert.deepEqual(
        [wallet.balance, wallet.availableBalance, wallet.heldBalance],
        ['10.00', '10.00', '0.00'],
      );
      await refusedUnchanged(provider, 'EXPIRED', VOID, { id: hold.id });
      // Its reserve no longer counts: all of it can be spent, and the hold is then stored as expired.
      const other = await signUp(url);
      await person.client.ok(SEND, { input: { toWalletId: other.walletId, amount: '10.00' } });
      const stored = await queryDatabase<{ status: string }>(
        env.database.url,
        `SELECT status FROM holds WHERE id = '${hold.id}'`,
      );
      assert.equal(stored[0].status, 'EXPIRED');
      assert.equal((await runAudit(env.database.url)).code, 0);
    });

    it('audits holds: a reserve that does not match its holds is named', async () => {
      const person = await funded('10.00');
      await authorize({ walletId: person.walletId, amount: '3.00' });
      assert.equal((await runAudit(env.database.url)).code, 0);
      await executeOnDatabase(env.database.url, [
        `UPDATE wallets SET held_minor = 100 WHERE id = '${person.walletId}'`,
      ]);
      const audit = await runAudit(env.database.url);
      assert.equal(audit.code, 1);
      assert.match(audit.output, /holds 100 in reserve, but its pending holds sum to 300/);
      await executeOnDatabase(env.database.url, [
        `UPDATE wallets SET held_minor = 300 WHERE id = '${person.walletId}'`,
      ]);
      assert.equal((await runAudit(env.database.url)).code, 0);
    });
  });
}

/** A second service account, made with the command line. */
async function createService(databaseUrl: string): Promise<{ email: string; password: string }> {
  const account = { email: `${randomUUID()}@psp.test`, password: 'another-service' };
  await promisify(execFile)(
    process.execPath,
    [
      MAIN,
      'create-user',
      '--role',
      'SERVICE',
      '--email',
      account.email,
      '--password',
      account.password,
    ],
    { env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'error' } },
  );
  return account;
}
