import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { openWallet, transferWallets } from '../../src/app/wallets';
import type { Caller } from '../../src/domain/caller';
import { DomainError } from '../../src/domain/errors';
import { databaseKinds, migratedDatabase, type MigratedDatabase } from '../../testkit/databases';
import { createPerson, createProvider } from '../helpers/ledger-fixtures';

for (const kind of databaseKinds()) {
  describe(`a transfer's wallets on ${kind}`, () => {
    let env: MigratedDatabase;
    before(async () => {
      env = await migratedDatabase(kind);
    });
    after(async () => env?.close());

    const callerOf = (person: { user: { id: string } }): Caller => ({
      userId: person.user.id as never,
      role: 'USER' as never,
    });

    it('finds a wallet opened after a lookup found none (an absence is not remembered)', async () => {
      const sender = await createPerson(env.services, 'USD');
      const euroReceiver = await createPerson(env.services, 'EUR');
      const find = () =>
        transferWallets(
          env.services.db,
          env.services.wallets,
          callerOf(sender),
          euroReceiver.wallet.id,
          null,
        );
      await assert.rejects(
        find(),
        (error) => error instanceof DomainError && error.code === 'CURRENCY_MISMATCH',
      );
      const euros = await openWallet(env.services, callerOf(sender), 'EUR');
      const found = await find();
      assert.equal(found.source.id, euros.id);
      assert.equal(found.target.id, euroReceiver.wallet.id);
    });

    it('answers from memory the same wallets the database holds, and no balance', async () => {
      const sender = await createPerson(env.services);
      const receiver = await createPerson(env.services);
      const find = () =>
        transferWallets(
          env.services.db,
          env.services.wallets,
          callerOf(sender),
          receiver.wallet.id,
          null,
        );
      const first = await find();
      const again = await find();
      assert.deepEqual(again, first);
      assert.deepEqual(again.source, {
        id: sender.wallet.id,
        userId: sender.wallet.userId,
        currency: 'USD',
      });
      // A transfer between remembered wallets still reads its balances under the locks.
      const provider = await createProvider(env.services);
      await env.services.ledger.deposit({
        serviceUserId: provider.id,
        wallet: sender.wallet,
        amount: '3.00',
        reference: randomUUID(),
        details: null,
      });
      const sent = await env.services.ledger.transfer({
        initiatorUserId: sender.user.id,
        ...again,
        amount: '2.00',
        details: null,
        idempotencyKey: null,
      });
      assert.equal(sent.wallet.balanceMinor, 100n);
      await assert.rejects(
        env.services.ledger.transfer({
          initiatorUserId: sender.user.id,
          ...(await find()),
          amount: '2.00',
          details: null,
          idempotencyKey: null,
        }),
        (error) => error instanceof DomainError && error.code === 'INSUFFICIENT_FUNDS',
      );
    });

    it('still refuses a wallet that does not exist, and one named by a malformed id', async () => {
      const sender = await createPerson(env.services);
      for (const id of [randomUUID(), 'not-a-uuid']) {
        await assert.rejects(
          transferWallets(env.services.db, env.services.wallets, callerOf(sender), id, null),
          (error) => error instanceof DomainError && error.code === 'NOT_FOUND',
        );
      }
    });
  });
}
