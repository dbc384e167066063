import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import type { WalletRow } from '../../src/domain/records';
import { DomainError } from '../../src/domain/errors';
import { audit } from '../../src/ledger/audit';
import {
  databaseKinds,
  ledgerSnapshot,
  migratedDatabase,
  type MigratedDatabase,
} from '../../testkit/databases';
import { createPerson, createProvider, reload } from '../helpers/ledger-fixtures';

const refusedWith = (code: string) => (error: unknown) =>
  error instanceof DomainError && error.code === code;

for (const kind of databaseKinds()) {
  describe(`ledger on ${kind}`, () => {
    let env: MigratedDatabase;
    before(async () => {
      env = await migratedDatabase(kind);
    });
    after(async () => env?.close());

    it(`runs on the ${kind} driver`, () => {
      assert.equal(env.db.kind, kind);
      assert.equal(
        env.db.dataSource.options.type,
        kind === 'sqlite' ? 'better-sqlite3' : 'postgres',
      );
    });

    /** `times` deposits of `amount` from a new provider; the provider. */
    async function depositRepeatedly(wallet: WalletRow, amount: string, times: number) {
      const provider = await createProvider(env.services);
      for (let i = 0; i < times; i++) {
        await env.services.ledger.deposit({
          serviceUserId: provider.id,
          wallet,
          amount,
          reference: `repeat-${i}`,
          details: null,
        });
      }
      return provider;
    }

    async function funded(amount: string, currency = 'USD') {
      const person = await createPerson(env.services, currency);
      const provider = await createProvider(env.services);
      await env.services.ledger.deposit({
        serviceUserId: provider.id,
        wallet: person.wallet,
        amount,
        reference: randomUUID(),
        details: null,
      });
      return { ...person, wallet: await reload(env.services, person.wallet), provider };
    }

    it('refuses an overdraft and leaves no trace', async () => {
      const { wallet, provider } = await funded('5.00');
      const before = await ledgerSnapshot(env.url);
      await assert.rejects(
        env.services.ledger.withdraw({
          serviceUserId: provider.id,
          wallet,
          amount: '5.01',
          reference: 'overdraft-1',
          details: null,
        }),
        refusedWith('INSUFFICIENT_FUNDS'),
      );
      assert.equal(await ledgerSnapshot(env.url), before);
      // The refused reference left no trace: the same reference is judged afresh.
      const retry = await env.services.ledger.withdraw({
        serviceUserId: provider.id,
        wallet,
        amount: '5.00',
        reference: 'overdraft-1',
        details: null,
      });
      assert.equal(retry.wallet.balanceMinor, 0n);
      assert.equal(retry.replayed, false);
    });

    it('deposits, records balanceAfter, and replays a reference without moving money', async () => {
      const { wallet } = await createPerson(env.services);
      const provider = await createProvider(env.services);
      const command = {
        serviceUserId: provider.id,
        wallet,
        amount: '10.5',
        reference: 'dep-1',
        details: 'top-up',
      };
      const first = await env.services.ledger.deposit(command);
      assert.equal(first.operation.amountMinor, 1050n);
      assert.equal(first.operation.balanceAfterMinor, 1050n);
      const again = await env.services.ledger.deposit({ ...command, amount: '10.50' });
      assert.equal(again.operation.id, first.operation.id);
      assert.equal(again.replayed, true);
      assert.equal((await reload(env.services, wallet)).balanceMinor, 1050n);
      await assert.rejects(
        env.services.ledger.deposit({ ...command, amount: '10.51' }),
        refusedWith('IDEMPOTENCY_CONFLICT'),
      );
      await assert.rejects(
        env.services.ledger.withdraw({ ...command }),
        refusedWith('IDEMPOTENCY_CONFLICT'),
        'a reference is shared by deposits and withdrawals',
      );
    });

    it('transfers: two legs that sum to zero, both balances written', async () => {
      const sender = await funded('100.00');
      const receiver = await createPerson(env.services);
      const result = await env.services.ledger.transfer({
        initiatorUserId: sender.user.id,
        source: sender.wallet,
        target: receiver.wallet,
        amount: '30.25',
        details: 'rent',
        idempotencyKey: 'k-1',
      });
      assert.equal(result.operation.type, 'TRANSFER_OUT');
      assert.equal(result.operation.balanceAfterMinor, 6975n);
      assert.equal(result.wallet.balanceMinor, 6975n);
      assert.equal((await reload(env.services, receiver.wallet)).balanceMinor, 3025n);
      const replay = await env.services.ledger.transfer({
        initiatorUserId: sender.user.id,
        source: sender.wallet,
        target: receiver.wallet,
        amount: '30.25',
        details: 'rent',
        idempotencyKey: 'k-1',
      });
      assert.equal(replay.transfer.id, result.transfer.id);
      assert.equal(replay.operation.id, result.operation.id);
      // What the transfer answered is what it stored (a replay reads the stored rows).
      assert.deepEqual(replay.transfer, result.transfer);
      assert.deepEqual(replay.operation, result.operation);
      assert.deepEqual(result.wallet, await reload(env.services, sender.wallet));
      assert.equal((await reload(env.services, receiver.wallet)).balanceMinor, 3025n);
      await assert.rejects(
        env.services.ledger.transfer({
          initiatorUserId: sender.user.id,
          source: sender.wallet,
          target: receiver.wallet,
          amount: '30.25',
          details: 'other',
          idempotencyKey: 'k-1',
        }),
        refusedWith('IDEMPOTENCY_CONFLICT'),
      );
      assert.deepEqual((await audit(env.db)).discrepancies, []);
    });

    it('answers a repeat of a movement that emptied the wallet as a replay, not for funds', async () => {
      // A repeat is recognised by its key after the attempt fails: here the
      // attempt fails on the balance before it ever reaches the key's index.
      const sender = await funded('5.00');
      const receiver = await createPerson(env.services);
      const send = {
        initiatorUserId: sender.user.id,
        source: sender.wallet,
        target: receiver.wallet,
        amount: '5.00',
        details: null,
        idempotencyKey: 'drain-1',
      };
      const first = await env.services.ledger.transfer(send);
      const before = await ledgerSnapshot(env.url);
      const again = await env.services.ledger.transfer(send);
      assert.equal(again.replayed, true);
      assert.equal(again.transfer.id, first.transfer.id);
      assert.equal(again.wallet.balanceMinor, 0n);
      await assert.rejects(
        env.services.ledger.transfer({ ...send, amount: '6.00' }),
        refusedWith('IDEMPOTENCY_CONFLICT'),
      );
      // Without a key, or under a new one, the same request is judged on funds.
      await assert.rejects(
        env.services.ledger.transfer({ ...send, idempotencyKey: 'drain-2' }),
        refusedWith('INSUFFICIENT_FUNDS'),
      );

      assert.equal(await ledgerSnapshot(env.url), before, 'the repeats moved nothing');

      const provider = await createProvider(env.services);
      const withdrawal = {
        serviceUserId: provider.id,
        wallet: await reload(env.services, receiver.wallet),
        amount: '5.00',
        reference: `drain-${randomUUID()}`,
        details: null,
      };
      const taken = await env.services.ledger.withdraw(withdrawal);
      const afterWithdrawal = await ledgerSnapshot(env.url);
      const repeated = await env.services.ledger.withdraw(withdrawal);
      assert.equal(repeated.replayed, true);
      assert.equal(repeated.operation.id, taken.operation.id);
      assert.equal(await ledgerSnapshot(env.url), afterWithdrawal);
      assert.deepEqual((await audit(env.db)).discrepancies, []);
    });

    it('refuses a transfer across currencies, to the same wallet, or with too many decimals', async () => {
      const sender = await funded('10.00');
      const euro = await createPerson(env.services, 'EUR');
      const before = await ledgerSnapshot(env.url);
      const base = {
        initiatorUserId: sender.user.id,
        source: sender.wallet,
        details: null,
        idempotencyKey: null,
      };
      await assert.rejects(
        env.services.ledger.transfer({ ...base, target: euro.wallet, amount: '1.00' }),
        refusedWith('CURRENCY_MISMATCH'),
      );
      await assert.rejects(
        env.services.ledger.transfer({ ...base, target: sender.wallet, amount: '1.00' }),
        refusedWith('BAD_USER_INPUT'),
      );
      const other = await createPerson(env.services);
      const afterCreate = await ledgerSnapshot(env.url);
      assert.notEqual(afterCreate, before);
      await assert.rejects(
        env.services.ledger.transfer({ ...base, target: other.wallet, amount: '1.001' }),
        refusedWith('BAD_USER_INPUT'),
      );
      assert.equal(await ledgerSnapshot(env.url), afterCreate);
    });

    it('keeps amounts above 2^53 minor units exact', async () => {
      const { wallet } = await createPerson(env.services, 'KWD');
      await depositRepeatedly(wallet, '999999999999.999', 10);
      assert.equal((await reload(env.services, wallet)).balanceMinor, 9_999_999_999_999_990n);
      assert.deepEqual((await audit(env.db)).discrepancies, []);
    });

    it('refuses a movement that would take a balance above 10^18 minor units', async () => {
      const { wallet } = await createPerson(env.services, 'JPY');
      const provider = await depositRepeatedly(wallet, '1000000000000000', 1000);
      await assert.rejects(
        env.services.ledger.deposit({
          serviceUserId: provider.id,
          wallet,
          amount: '1',
          reference: 'cap-over',
          details: null,
        }),
        refusedWith('BAD_USER_INPUT'),
      );
      assert.equal((await reload(env.services, wallet)).balanceMinor, 10n ** 18n);
      const sendToCapped = (sender: Awaited<ReturnType<typeof funded>>, amount: string) =>
        env.services.ledger.transfer({
          initiatorUserId: sender.user.id,
          source: sender.wallet,
          target: wallet,
          amount,
          details: null,
          idempotencyKey: randomUUID(),
        });
      // A transfer is refused the same way (on PostgreSQL inside wallet_transfer), and changes nothing.
      const sender = await funded('5', 'JPY');
      const before = await ledgerSnapshot(env.url);
      await assert.rejects(
        sendToCapped(sender, '1'),
        (error: unknown) =>
          refusedWith('BAD_USER_INPUT')(error) && /maximum balance/.test((error as Error).message),
      );
      assert.equal(await ledgerSnapshot(env.url), before);

      // Both rules broken at once: not enough money is named first, whichever
      // wallet comes first in lock order (wallet_transfer tests them in that order).
      const senders = { lockedFirst: false, lockedSecond: false };
      while (!senders.lockedFirst || !senders.lockedSecond) {
        const poor = await funded('5', 'JPY');
        const side = poor.wallet.id < wallet.id ? 'lockedFirst' : 'lockedSecond';
        if (senders[side]) continue;
        senders[side] = true;
        const unchanged = await ledgerSnapshot(env.url);
        await assert.rejects(sendToCapped(poor, '10'), refusedWith('INSUFFICIENT_FUNDS'));
        assert.equal(await ledgerSnapshot(env.url), unchanged);
      }
    });
  });
}
