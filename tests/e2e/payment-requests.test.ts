/**
 * Paying people by email and asking to be paid, over HTTP: the names people
 * read, the lookups that are counted, and requests that resolve once, with
 * money moved at most once, whatever races them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { runAudit } from '../../testkit/audit';
import { Client } from '../../testkit/client';
import { databaseKinds, ledgerSnapshot, queryDatabase } from '../../testkit/databases';
import { SEND, fund, signInProvider, signUp, type Person } from '../../testkit/fixtures';
import { holdWalletLock } from '../../testkit/locks';
import {
  SERVICE_ACCOUNT,
  startServer,
  startServerOn,
  stopAllServers,
  type TestEnvironment,
} from '../../testkit/server';
import { codeOf, refusedUnchanged as refusedIn } from '../helpers/refusals';

const PARTY = 'name walletId';
const REQUEST_FIELDS = `id amount currency details status requester { ${PARTY} } payer { ${PARTY} }
  expiresAt createdAt resolvedAt transfer { id amount fromWalletId toWalletId }`;
const REQUEST = `mutation Request($input: RequestPaymentInput!) {
  requestPayment(input: $input) { ${REQUEST_FIELDS} }
}`;
const LIST = `query List($direction: PaymentRequestDirection!, $status: PaymentRequestStatus, $after: String) {
  paymentRequests(direction: $direction, status: $status, first: 10, after: $after) {
    nodes { ${REQUEST_FIELDS} } pageInfo { hasNextPage endCursor }
  }
}`;
const PAY = `mutation Pay($id: ID!, $key: String, $from: ID) {
  payPaymentRequest(id: $id, idempotencyKey: $key, fromWalletId: $from) {
    transfer { id amount fromWalletId toWalletId details } wallet { id balance }
  }
}`;
const RECIPIENT = `query Recipient($email: String!, $currency: String) {
  recipient(email: $email, currency: $currency) { ${PARTY} }
}`;
const TRANSFER_PARTIES = `query Transfer($id: ID!) {
  transfer(id: $id) { from { ${PARTY} } to { ${PARTY} } }
}`;
const DECLINE = `mutation Decline($id: ID!) { declinePaymentRequest(id: $id) { ${REQUEST_FIELDS} } }`;
const CANCEL = `mutation Cancel($id: ID!) { cancelPaymentRequest(id: $id) { ${REQUEST_FIELDS} } }`;
const OPERATIONS = `{ wallet { balance operations(first: 5) {
  nodes { type amount counterpartyWalletId counterpartyName } } } }`;
const SEND_NAMED = `mutation Send($input: WalletToWalletInput!) {
  walletToWallet(input: $input) {
    transfer { id toWalletId amount } operation { type counterpartyName } wallet { balance }
  }
}`;

after(stopAllServers);

for (const kind of databaseKinds()) {
  describe(`paying people and asking to be paid on ${kind}`, () => {
    let env: TestEnvironment;
    let url: string;
    let provider: Client;

    before(async () => {
      env = await startServer(kind, {
        SIGNUP_RATE_PER_HOUR: '0',
        EMAIL_LOOKUPS_PER_HOUR: '40',
        LOCK_TIMEOUT_MS: '5000',
      });
      url = env.server.url;
      provider = await signInProvider(url);
    });
    after(async () => env?.close());

    async function person(name: string, balance?: string): Promise<Person> {
      const someone = await signUp(url, name);
      if (balance !== undefined) await fund(provider, someone.walletId, balance);
      return someone;
    }

    const refusedUnchanged = (
      client: Client,
      code: string,
      query: string,
      variables: Record<string, unknown>,
    ) => refusedIn(env.database.url, client, code, query, variables);

    it(`serves from the ${kind} driver`, () => {
      assert.match(env.server.output(), new RegExp(`"database":"${kind}"`));
    });

    it('pays a person by email, and both sides read each other’s name, never an email', async () => {
      const ada = await person('Ada Lovelace', '50.00');
      const bob = await person('Bob Smith');
      const sent = (
        await ada.client.ok(SEND_NAMED, {
          input: { toEmail: `  ${bob.email.toUpperCase()} `, amount: '12.50' },
        })
      ).walletToWallet;
      assert.equal(sent.transfer.toWalletId, bob.walletId);
      assert.deepEqual(sent.operation, { type: 'TRANSFER_OUT', counterpartyName: 'Bob Smith' });
      assert.equal(sent.wallet.balance, '37.50');
      const adas = (await ada.client.ok(OPERATIONS)).wallet.operations.nodes;
      assert.deepEqual(adas[0], {
        type: 'TRANSFER_OUT',
        amount: '12.50',
        counterpartyWalletId: bob.walletId,
        counterpartyName: 'Bob Smith',
      });
      assert.equal(adas[1].type, 'DEPOSIT');
      assert.equal(adas[1].counterpartyName, null);
      const bobs = (await bob.client.ok(OPERATIONS)).wallet.operations.nodes;
      assert.equal(bobs[0].counterpartyName, 'Ada Lovelace');
      assert.ok(!JSON.stringify([adas, bobs]).includes('@'), 'no email is shown');
    });

    it('looks up whom an email would pay, before paying: a name and a wallet, nothing more', async () => {
      const ada = await person('Ada Looks', '10.00');
      const bob = await person('Bob Looked Up');
      const bobsEuro = (await bob.client.ok('mutation { openWallet(currency: "EUR") { id } }'))
        .openWallet.id;
      const found = await ada.client.ok(RECIPIENT, { email: ` ${bob.email.toUpperCase()}` });
      assert.deepEqual(found.recipient, { name: 'Bob Looked Up', walletId: bob.walletId });
      const inEuro = await ada.client.ok(RECIPIENT, { email: bob.email, currency: 'eur' });
      assert.deepEqual(inEuro.recipient, { name: 'Bob Looked Up', walletId: bobsEuro });
      const unknown = { email: `${randomUUID()}@nobody.test` };
      await refusedUnchanged(ada.client, 'NOT_FOUND', RECIPIENT, unknown);
      await refusedUnchanged(ada.client, 'CURRENCY_MISMATCH', RECIPIENT, {
        email: bob.email,
        currency: 'GBP',
      });
      const bad = await ada.client.gql(RECIPIENT, { email: bob.email, currency: 'dollars' });
      assert.equal(codeOf(bad), 'BAD_USER_INPUT');
      assert.equal((bad.errors?.[0].extensions as { field?: string }).field, 'currency');
      // Service accounts and admins are nobody's recipients.
      await refusedUnchanged(ada.client, 'NOT_FOUND', RECIPIENT, { email: SERVICE_ACCOUNT.email });
      assert.equal(
        codeOf(await new Client(url).gql(RECIPIENT, { email: bob.email })),
        'UNAUTHENTICATED',
      );

      // What was looked up is paid; the transfer names both parties to both of them.
      const sent = await ada.client.ok(SEND_NAMED, {
        input: { toWalletId: found.recipient.walletId, amount: '2.00' },
      });
      for (const reader of [ada, bob]) {
        const read = await reader.client.ok(TRANSFER_PARTIES, {
          id: sent.walletToWallet.transfer.id,
        });
        assert.deepEqual(read.transfer, {
          from: { name: 'Ada Looks', walletId: ada.walletId },
          to: { name: 'Bob Looked Up', walletId: bob.walletId },
        });
      }
    });

    it('refuses a payment by email it cannot make, changing nothing', async () => {
      const ada = await person('Ada', '10.00');
      const euro = await person('Euro Only');
      await euro.client.ok('mutation { openWallet(currency: "EUR") { id } }');
      const usdOnly = await person('Dollar');
      const send = (input: Record<string, unknown>) => ({ input: { amount: '1.00', ...input } });
      await refusedUnchanged(
        ada.client,
        'NOT_FOUND',
        SEND,
        send({ toEmail: `${randomUUID()}@nobody.test` }),
      );
      await refusedUnchanged(ada.client, 'BAD_USER_INPUT', SEND, send({ toEmail: 'not-an-email' }));
      await refusedUnchanged(ada.client, 'BAD_USER_INPUT', SEND, send({}));
      await refusedUnchanged(
        ada.client,
        'BAD_USER_INPUT',
        SEND,
        send({ toEmail: usdOnly.email, toWalletId: usdOnly.walletId }),
      );
      // In the sender's currency: from Ada's new EUR wallet, to someone with no EUR wallet.
      const adaEuro = (await ada.client.ok('mutation { openWallet(currency: "EUR") { id } }'))
        .openWallet.id;
      await refusedUnchanged(
        ada.client,
        'CURRENCY_MISMATCH',
        SEND,
        send({ toEmail: usdOnly.email, fromWalletId: adaEuro }),
      );
      await refusedUnchanged(
        ada.client,
        'INSUFFICIENT_FUNDS',
        SEND,
        send({ toEmail: euro.email, fromWalletId: adaEuro }),
      );
      // Paying yourself by email is blamed on the email given, not on a wallet id never written.
      const self = await refusedUnchanged(
        ada.client,
        'BAD_USER_INPUT',
        SEND,
        send({ toEmail: ada.email }),
      );
      assert.match(self, /This email is yours/);
      const answer = await ada.client.gql(SEND, send({ toEmail: ada.email }));
      assert.equal((answer.errors?.[0].extensions as { field?: string }).field, 'toEmail');
      await refusedUnchanged(
        ada.client,
        'FORBIDDEN',
        SEND,
        send({ toEmail: euro.email, fromWalletId: usdOnly.walletId }),
      );
      await refusedUnchanged(
        new Client(url),
        'UNAUTHENTICATED',
        SEND,
        send({ toEmail: euro.email }),
      );
    });

    it('refuses someone else’s wallet before anything about the payee, revealing nothing of it', async () => {
      const mallory = await person('Mallory', '5.00');
      const victim = await person('Victim');
      const victimsEuro = (
        await victim.client.ok('mutation { openWallet(currency: "EUR") { id } }')
      ).openWallet.id;
      await fund(provider, victimsEuro, '7.00');
      const dollarOnly = await person('Dollar Only');
      const nobody = `${randomUUID()}@nobody.test`;
      const send = (input: Record<string, unknown>) => ({ input: { amount: '1.00', ...input } });
      // Paying by email from the victim's EUR wallet: neither that the payee holds no EUR
      // wallet (which would tell the wallet's currency) nor that the email is unknown.
      for (const toEmail of [dollarOnly.email, nobody]) {
        const message = await refusedUnchanged(
          mallory.client,
          'FORBIDDEN',
          SEND,
          send({ toEmail, fromWalletId: victimsEuro }),
        );
        assert.doesNotMatch(message, /EUR|email/, message);
      }
      // Asking to be paid into the victim's wallet: the same, whoever is asked.
      for (const toWalletId of [victimsEuro, victim.walletId]) {
        for (const payerEmail of [dollarOnly.email, nobody]) {
          const message = await refusedUnchanged(mallory.client, 'FORBIDDEN', REQUEST, {
            input: { payerEmail, amount: '1.00', toWalletId },
          });
          assert.doesNotMatch(message, /EUR|email/, message);
        }
      }
      // Paying a request from, or refunding, what is not one's own.
      const { requestPayment: request } = await dollarOnly.client.ok(REQUEST, {
        input: { payerEmail: mallory.email, amount: '1.00' },
      });
      await refusedUnchanged(mallory.client, 'FORBIDDEN', PAY, {
        id: request.id,
        from: victim.walletId,
      });
      await fund(provider, victim.walletId, '2.00');
      const { walletToWallet: gift } = await victim.client.ok(SEND, {
        input: { toWalletId: dollarOnly.walletId, amount: '1.00' },
      });
      await refusedUnchanged(
        mallory.client,
        'FORBIDDEN',
        'mutation($input: RefundTransferInput!) { refundTransfer(input: $input) { transfer { id } } }',
        { input: { transferId: gift.transfer.id } },
      );
    });

    it('asks to be paid: the payer sees it incoming, pays it once, with one transfer', async () => {
      const carol = await person('Carol Requester');
      const dave = await person('Dave Payer', '30.00');
      const key = `req-${randomUUID()}`;
      const request = (
        await carol.client.ok(REQUEST, {
          input: { payerEmail: dave.email, amount: '7.25', details: 'dinner', idempotencyKey: key },
        })
      ).requestPayment;
      assert.equal(request.status, 'PENDING');
      assert.deepEqual(request.requester, { name: 'Carol Requester', walletId: carol.walletId });
      assert.deepEqual(request.payer, { name: 'Dave Payer', walletId: dave.walletId });
      assert.equal(Date.parse(request.expiresAt) - Date.parse(request.createdAt), 7 * 86_400_000);
      assert.equal(request.transfer, null);
      assert.ok(!JSON.stringify(request).includes('@'), 'no email is shown');
      // The same request again: the first; other arguments with the key: a conflict.
      const again = (
        await carol.client.ok(REQUEST, {
          input: {
            payerEmail: dave.email,
            amount: '07.25',
            details: 'dinner',
            idempotencyKey: key,
          },
        })
      ).requestPayment;
      assert.equal(again.id, request.id);
      await refusedUnchanged(carol.client, 'IDEMPOTENCY_CONFLICT', REQUEST, {
        input: { payerEmail: dave.email, amount: '7.26', details: 'dinner', idempotencyKey: key },
      });

      const incoming = (await dave.client.ok(LIST, { direction: 'INCOMING' })).paymentRequests;
      assert.deepEqual(
        incoming.nodes.map((r: { id: string }) => r.id),
        [request.id],
      );
      assert.deepEqual(
        (await dave.client.ok(LIST, { direction: 'OUTGOING' })).paymentRequests.nodes,
        [],
      );
      const outgoing = (await carol.client.ok(LIST, { direction: 'OUTGOING', status: 'PENDING' }))
        .paymentRequests;
      assert.deepEqual(
        outgoing.nodes.map((r: { id: string }) => r.id),
        [request.id],
      );

      // Only the payer pays; the requester cannot.
      await refusedUnchanged(carol.client, 'FORBIDDEN', PAY, { id: request.id });
      const paid = (await dave.client.ok(PAY, { id: request.id, key: `pay-${request.id}` }))
        .payPaymentRequest;
      assert.deepEqual(
        [
          paid.transfer.amount,
          paid.transfer.fromWalletId,
          paid.transfer.toWalletId,
          paid.transfer.details,
        ],
        ['7.25', dave.walletId, carol.walletId, 'dinner'],
      );
      assert.equal(paid.wallet.balance, '22.75');
      const replay = (await dave.client.ok(PAY, { id: request.id, key: `pay-${request.id}` }))
        .payPaymentRequest;
      assert.equal(replay.transfer.id, paid.transfer.id, 'the same key: the same payment');
      await refusedUnchanged(dave.client, 'ALREADY_RESOLVED', PAY, { id: request.id });
      await refusedUnchanged(dave.client, 'ALREADY_RESOLVED', DECLINE, { id: request.id });
      await refusedUnchanged(carol.client, 'ALREADY_RESOLVED', CANCEL, { id: request.id });
      const done = (await carol.client.ok(LIST, { direction: 'OUTGOING', status: 'PAID' }))
        .paymentRequests.nodes[0];
      assert.equal(done.id, request.id);
      assert.equal(done.transfer.id, paid.transfer.id);
      assert.ok(done.resolvedAt);
      assert.equal((await runAudit(env.database.url)).code, 0);
    });

    it('declines and cancels for good; refuses what a party may not do', async () => {
      const erin = await person('Erin');
      const frank = await person('Frank', '10.00');
      const outsider = await person('Outsider', '10.00');
      const ask = async () =>
        (await erin.client.ok(REQUEST, { input: { payerEmail: frank.email, amount: '1.00' } }))
          .requestPayment;
      const first = await ask();
      await refusedUnchanged(erin.client, 'FORBIDDEN', DECLINE, { id: first.id });
      await refusedUnchanged(outsider.client, 'FORBIDDEN', PAY, { id: first.id });
      await refusedUnchanged(outsider.client, 'FORBIDDEN', CANCEL, { id: first.id });
      const declined = (await frank.client.ok(DECLINE, { id: first.id })).declinePaymentRequest;
      assert.equal(declined.status, 'DECLINED');
      assert.equal(
        (await frank.client.ok(DECLINE, { id: first.id })).declinePaymentRequest.status,
        'DECLINED',
      );
      await refusedUnchanged(frank.client, 'ALREADY_RESOLVED', PAY, { id: first.id });
      await refusedUnchanged(erin.client, 'ALREADY_RESOLVED', CANCEL, { id: first.id });
      const second = await ask();
      await refusedUnchanged(frank.client, 'FORBIDDEN', CANCEL, { id: second.id });
      const canceled = (await erin.client.ok(CANCEL, { id: second.id })).cancelPaymentRequest;
      assert.equal(canceled.status, 'CANCELED');
      await refusedUnchanged(frank.client, 'ALREADY_RESOLVED', PAY, { id: second.id });
      for (const id of [randomUUID(), 'nope']) {
        await refusedUnchanged(frank.client, 'NOT_FOUND', PAY, { id });
        await refusedUnchanged(frank.client, 'NOT_FOUND', DECLINE, { id });
        await refusedUnchanged(erin.client, 'NOT_FOUND', CANCEL, { id });
      }
      // Bad requests.
      const base = { payerEmail: frank.email, amount: '1.00' };
      await refusedUnchanged(erin.client, 'BAD_USER_INPUT', REQUEST, {
        input: { ...base, payerEmail: erin.email },
      });
      for (const amount of ['0', '1.001', '-1', '1e3']) {
        await refusedUnchanged(erin.client, 'BAD_USER_INPUT', REQUEST, {
          input: { ...base, amount },
        });
      }
      for (const expiresInSeconds of [0, 2_592_001]) {
        await refusedUnchanged(erin.client, 'BAD_USER_INPUT', REQUEST, {
          input: { ...base, expiresInSeconds },
        });
      }
      await refusedUnchanged(erin.client, 'NOT_FOUND', REQUEST, {
        input: { ...base, payerEmail: `${randomUUID()}@nobody.test` },
      });
      await refusedUnchanged(erin.client, 'FORBIDDEN', REQUEST, {
        input: { ...base, toWalletId: frank.walletId },
      });
      await refusedUnchanged(erin.client, 'NOT_FOUND', REQUEST, {
        input: { ...base, toWalletId: randomUUID() },
      });
      const jpy = (await erin.client.ok('mutation { openWallet(currency: "JPY") { id } }'))
        .openWallet.id;
      await refusedUnchanged(erin.client, 'CURRENCY_MISMATCH', REQUEST, {
        input: { ...base, amount: '1', toWalletId: jpy },
      });
      // Paying from a wallet of another currency, or someone else's.
      const third = await ask();
      const franksEuro = (await frank.client.ok('mutation { openWallet(currency: "EUR") { id } }'))
        .openWallet.id;
      await refusedUnchanged(frank.client, 'CURRENCY_MISMATCH', PAY, {
        id: third.id,
        from: franksEuro,
      });
      await refusedUnchanged(frank.client, 'FORBIDDEN', PAY, {
        id: third.id,
        from: outsider.walletId,
      });
      await refusedUnchanged(new Client(url), 'UNAUTHENTICATED', PAY, { id: third.id });
    });

    it('pay, decline, cancel and expiry racing: exactly one wins, money moves at most once', async () => {
      for (let round = 0; round < 6; round++) {
        const requester = await person(`Requester ${round}`);
        const payer = await person(`Payer ${round}`, '5.00');
        const request = (
          await requester.client.ok(REQUEST, {
            input: {
              payerEmail: payer.email,
              amount: '3.00',
              expiresInSeconds: round === 5 ? 1 : 600,
            },
          })
        ).requestPayment;
        if (round === 5) await sleep(1_100); // the last round: expired before anyone acts
        const answers = await Promise.all([
          payer.client.gql(PAY, { id: request.id }),
          payer.client.gql(PAY, { id: request.id }),
          payer.client.gql(DECLINE, { id: request.id }),
          requester.client.gql(CANCEL, { id: request.id }),
        ]);
        const codes = answers.map(codeOf);
        if (round === 5) {
          assert.deepEqual(codes, ['EXPIRED', 'EXPIRED', 'EXPIRED', 'EXPIRED']);
        } else {
          assert.equal(codes.filter((c) => c === 'ok').length, 1, JSON.stringify(codes));
          assert.deepEqual(new Set(codes.filter((c) => c !== 'ok')), new Set(['ALREADY_RESOLVED']));
        }
        const [row] = await queryDatabase<{ status: string; transfer_id: string | null }>(
          env.database.url,
          `SELECT status, transfer_id FROM payment_requests WHERE id = '${request.id}'`,
        );
        const transfers = await queryDatabase<{ n: unknown }>(
          env.database.url,
          `SELECT COUNT(*) AS n FROM transfers WHERE to_wallet_id = '${requester.walletId}'`,
        );
        const paidOnce = codes[0] === 'ok' || codes[1] === 'ok';
        assert.equal(Number(transfers[0].n), paidOnce ? 1 : 0, 'money moved at most once');
        assert.equal(row.status === 'PAID', paidOnce);
        assert.equal(row.transfer_id !== null, paidOnce);
      }
      assert.equal((await runAudit(env.database.url)).code, 0);
    });

    it('refuses a payment that waits for the wallet past the request’s expiry', async () => {
      const requester = await person('Late Requester');
      const payer = await person('Late Payer', '5.00');
      const request = (
        await requester.client.ok(REQUEST, {
          input: { payerEmail: payer.email, amount: '2.00', expiresInSeconds: 1 },
        })
      ).requestPayment;
      const release = await holdWalletLock(env.database.url, payer.walletId);
      const paying = payer.client.gql(PAY, { id: request.id });
      await sleep(1_500);
      await release();
      assert.equal(codeOf(await paying), 'EXPIRED');
      const listed = (await payer.client.ok(LIST, { direction: 'INCOMING', status: 'EXPIRED' }))
        .paymentRequests.nodes;
      assert.deepEqual(
        listed.map((r: { id: string; status: string }) => [r.id, r.status]),
        [[request.id, 'EXPIRED']],
      );
      assert.equal((await payer.client.ok(OPERATIONS)).wallet.balance, '5.00');
    });

    it('counts lookups by email per user across instances: RATE_LIMITED past the limit, nothing changed', async () => {
      const second = await startServerOn(env.database.url, {
        SIGNUP_RATE_PER_HOUR: '0',
        EMAIL_LOOKUPS_PER_HOUR: '40',
      });
      try {
        const prober = await person('Prober', '100.00');
        const onSecond = new Client(second.url);
        onSecond.cookie = prober.client.cookie;
        // 40 lookups, half on each instance, of emails that mostly do not exist.
        for (let i = 0; i < 40; i++) {
          const client = i % 2 === 0 ? prober.client : onSecond;
          const email = `${randomUUID()}@probe.test`;
          // Looking a person up counts as paying them does.
          const answer =
            i % 4 < 2
              ? await client.gql(SEND, { input: { toEmail: email, amount: '0.01' } })
              : await client.gql(RECIPIENT, { email });
          assert.equal(codeOf(answer), 'NOT_FOUND');
        }
        const target = await person('Real Person');
        const before = await ledgerSnapshot(env.database.url);
        for (const client of [prober.client, onSecond]) {
          const limited = await client.gql(SEND, {
            input: { toEmail: target.email, amount: '1.00' },
          });
          assert.equal(codeOf(limited), 'RATE_LIMITED');
          const retry = (limited.errors?.[0].extensions as { retryAfterSeconds?: number })
            .retryAfterSeconds;
          assert.ok(retry !== undefined && retry > 0 && retry <= 3600, `retry after ${retry}`);
          assert.equal(
            codeOf(
              await client.gql(REQUEST, { input: { payerEmail: target.email, amount: '1.00' } }),
            ),
            'RATE_LIMITED',
          );
          assert.equal(
            codeOf(await client.gql(RECIPIENT, { email: target.email })),
            'RATE_LIMITED',
          );
        }
        assert.equal(await ledgerSnapshot(env.database.url), before, 'the limit changed nothing');
        // Paying by wallet id is not a lookup, and another user has lookups of their own.
        await prober.client.ok(SEND, { input: { toWalletId: target.walletId, amount: '1.00' } });
        const other = await person('Other', '5.00');
        await other.client.ok(SEND, { input: { toEmail: target.email, amount: '1.00' } });
      } finally {
        await second.stop();
      }
    });
  });
}
