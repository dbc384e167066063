/**
 * Refunds over HTTP: money given back by the recipient (or an admin), once
 * in total, tied to the original; every refusal changes nothing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { runAudit } from '../../testkit/audit';
import { Client } from '../../testkit/client';
import { databaseKinds, queryDatabase } from '../../testkit/databases';
import {
  SEND,
  fund,
  signInAdmin,
  signInProvider,
  signUp,
  type Person,
} from '../../testkit/fixtures';
import { startServer, stopAllServers, type TestEnvironment } from '../../testkit/server';
import { codeOf, refusedUnchanged as refusedIn } from '../helpers/refusals';

const TRANSFER_FIELDS =
  'id fromWalletId toWalletId amount currency details refundedAmount refundOf';
const REFUND = `mutation Refund($input: RefundTransferInput!) {
  refundTransfer(input: $input) {
    transfer { ${TRANSFER_FIELDS} }
    operation { type amount walletId transferId refundOf counterpartyWalletId }
    wallet { id balance }
  }
}`;
const TRANSFER = `query Transfer($id: ID!) {
  transfer(id: $id) { ${TRANSFER_FIELDS} refunds { id amount refundOf } }
}`;
const LEGS = `query Legs($id: ID) {
  wallet(id: $id) { operations(first: 3) { nodes { type amount transferId refundOf } } }
}`;

after(stopAllServers);

for (const kind of databaseKinds()) {
  describe(`refunds on ${kind}`, () => {
    let env: TestEnvironment;
    let url: string;
    let provider: Client;

    before(async () => {
      env = await startServer(kind, { SIGNUP_RATE_PER_HOUR: '0' });
      url = env.server.url;
      provider = await signInProvider(url);
    });
    after(async () => env?.close());

    /** A sender with `balance`, a recipient, and a transfer of `amount` between them. */
    async function paid(balance: string, amount: string) {
      const sender = await signUp(url, 'Sender');
      const recipient = await signUp(url, 'Recipient');
      await fund(provider, sender.walletId, balance);
      const sent = await sender.client.ok(SEND, {
        input: { toWalletId: recipient.walletId, amount, details: 'a lamp' },
      });
      return { sender, recipient, transfer: sent.walletToWallet.transfer };
    }

    const refusedUnchanged = (client: Client, code: string, variables: Record<string, unknown>) =>
      refusedIn(env.database.url, client, code, REFUND, variables);

    it(`serves from the ${kind} driver`, () => {
      assert.match(env.server.output(), new RegExp(`"database":"${kind}"`));
    });

    it('refunds in part, then the rest, back between the same wallets, tied to the original', async () => {
      const { sender, recipient, transfer } = await paid('50.00', '30.00');
      const first = (
        await recipient.client.ok(REFUND, {
          input: { transferId: transfer.id, amount: '10.00', details: 'a scratch' },
        })
      ).refundTransfer;
      assert.deepEqual(first.transfer, {
        id: first.transfer.id,
        fromWalletId: recipient.walletId,
        toWalletId: sender.walletId,
        amount: '10.00',
        currency: 'USD',
        details: 'a scratch',
        refundedAmount: '0.00',
        refundOf: transfer.id,
      });
      assert.deepEqual(first.operation, {
        type: 'TRANSFER_OUT',
        amount: '10.00',
        walletId: recipient.walletId,
        transferId: first.transfer.id,
        refundOf: transfer.id,
        counterpartyWalletId: sender.walletId,
      });
      assert.deepEqual(first.wallet, { id: recipient.walletId, balance: '20.00' });
      const senderLegs = (await sender.client.ok(LEGS, { id: sender.walletId })).wallet.operations;
      assert.deepEqual(senderLegs.nodes[0], {
        type: 'TRANSFER_IN',
        amount: '10.00',
        transferId: first.transfer.id,
        refundOf: transfer.id,
      });

      // The rest, with no amount: all that is left.
      const rest = (await recipient.client.ok(REFUND, { input: { transferId: transfer.id } }))
        .refundTransfer;
      assert.equal(rest.transfer.amount, '20.00');
      const original = (await sender.client.ok(TRANSFER, { id: transfer.id })).transfer;
      assert.equal(original.refundedAmount, '30.00');
      assert.deepEqual(
        original.refunds.map((r: { id: string; amount: string }) => [r.id, r.amount]),
        [
          [first.transfer.id, '10.00'],
          [rest.transfer.id, '20.00'],
        ],
      );
      const refundOf = (await recipient.client.ok(TRANSFER, { id: rest.transfer.id })).transfer;
      assert.equal(refundOf.refundOf, transfer.id);
      assert.deepEqual(refundOf.refunds, []);

      // Nothing is left.
      await refusedUnchanged(recipient.client, 'EXCEEDS_REMAINING', {
        input: { transferId: transfer.id },
      });
      await refusedUnchanged(recipient.client, 'EXCEEDS_REMAINING', {
        input: { transferId: transfer.id, amount: '0.01' },
      });
      assert.equal((await runAudit(env.database.url)).code, 0);
    });

    it('lets an admin refund, never the sender, nor a stranger', async () => {
      const { sender, recipient, transfer } = await paid('10.00', '5.00');
      await refusedUnchanged(sender.client, 'FORBIDDEN', { input: { transferId: transfer.id } });
      const stranger = await signUp(url);
      await refusedUnchanged(stranger.client, 'FORBIDDEN', { input: { transferId: transfer.id } });
      await refusedUnchanged(provider, 'FORBIDDEN', { input: { transferId: transfer.id } });
      await refusedUnchanged(new Client(url), 'UNAUTHENTICATED', {
        input: { transferId: transfer.id },
      });
      const admin = await signInAdmin(url);
      const corrected = (
        await admin.ok(REFUND, { input: { transferId: transfer.id, amount: '2.00' } })
      ).refundTransfer;
      assert.equal(corrected.transfer.fromWalletId, recipient.walletId);
      assert.equal(corrected.wallet.balance, '3.00');
    });

    it('refuses bad input, a refund of a refund and the unknown with the right code, changing nothing', async () => {
      const { recipient, sender, transfer } = await paid('10.00', '5.00');
      for (const amount of ['0', '0.00', '1.001', '-1.00', '5.01']) {
        const code = amount === '5.01' ? 'EXCEEDS_REMAINING' : 'BAD_USER_INPUT';
        await refusedUnchanged(recipient.client, code, {
          input: { transferId: transfer.id, amount },
        });
      }
      for (const transferId of [randomUUID(), 'not-an-id']) {
        await refusedUnchanged(recipient.client, 'NOT_FOUND', { input: { transferId } });
      }
      const refund = (
        await recipient.client.ok(REFUND, { input: { transferId: transfer.id, amount: '1.00' } })
      ).refundTransfer.transfer;
      // The sender received the refund, and cannot give it back as a refund.
      const message = await refusedUnchanged(sender.client, 'BAD_USER_INPUT', {
        input: { transferId: refund.id },
      });
      assert.match(message, /cannot itself be refunded/);
      await refusedUnchanged(recipient.client, 'BAD_USER_INPUT', {
        input: { transferId: transfer.id, idempotencyKey: '' },
      });
      await refusedUnchanged(recipient.client, 'BAD_USER_INPUT', {
        input: { transferId: transfer.id, details: 'x'.repeat(501) },
      });
    });

    it('needs the funds in the refunding wallet', async () => {
      const { recipient, transfer } = await paid('10.00', '8.00');
      const elsewhere = await signUp(url);
      await recipient.client.ok(SEND, {
        input: { toWalletId: elsewhere.walletId, amount: '7.00' },
      });
      await refusedUnchanged(recipient.client, 'INSUFFICIENT_FUNDS', {
        input: { transferId: transfer.id, amount: '2.00' },
      });
      const one = await recipient.client.ok(REFUND, {
        input: { transferId: transfer.id, amount: '1.00' },
      });
      assert.equal(one.refundTransfer.wallet.balance, '0.00');
    });

    it('is idempotent by key in the caller’s namespace', async () => {
      const { recipient, transfer } = await paid('20.00', '10.00');
      const input = {
        transferId: transfer.id,
        amount: '4.00',
        idempotencyKey: `r-${randomUUID()}`,
      };
      const first = (await recipient.client.ok(REFUND, { input })).refundTransfer;
      const again = (await recipient.client.ok(REFUND, { input: { ...input, amount: '4.0' } }))
        .refundTransfer;
      assert.equal(again.transfer.id, first.transfer.id);
      assert.equal(again.wallet.balance, first.wallet.balance, 'moved once');
      await refusedUnchanged(recipient.client, 'IDEMPOTENCY_CONFLICT', {
        input: { ...input, amount: '3.00' },
      });
      // The key of a refund is the caller's, as for any transfer: not reusable for a payment.
      await recipient.client.refused('IDEMPOTENCY_CONFLICT', SEND, {
        input: {
          toWalletId: first.transfer.toWalletId,
          amount: '4.00',
          idempotencyKey: input.idempotencyKey,
        },
      });
    });

    it('20 simultaneous refunds of what is left succeed once', async () => {
      const { sender, recipient, transfer } = await paid('30.00', '25.00');
      await recipient.client.ok(REFUND, { input: { transferId: transfer.id, amount: '5.00' } });
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          recipient.client.gql(REFUND, {
            input: { transferId: transfer.id, amount: '20.00', idempotencyKey: `all-${i}` },
          }),
        ),
      );
      const codes = answers.map(codeOf);
      assert.equal(codes.filter((c) => c === 'ok').length, 1, JSON.stringify(codes));
      assert.deepEqual(new Set(codes.filter((c) => c !== 'ok')), new Set(['EXCEEDS_REMAINING']));
      const refunds = await queryDatabase<{ n: unknown; total: string }>(
        env.database.url,
        `SELECT COUNT(*) AS n, CAST(SUM(amount_minor) AS TEXT) AS total FROM transfers WHERE refund_of = '${transfer.id}'`,
      );
      assert.deepEqual([Number(refunds[0].n), refunds[0].total], [2, '2500']);
      const balanceOf = async (person: Person) =>
        (await person.client.ok('{ wallet { balance } }')).wallet.balance;
      assert.deepEqual([await balanceOf(sender), await balanceOf(recipient)], ['30.00', '0.00']);
      assert.equal((await runAudit(env.database.url)).code, 0);
    });
  });
}
