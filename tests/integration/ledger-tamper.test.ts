/**
 * History cannot be rewritten: the database refuses UPDATE and DELETE on the
 * ledger. And if someone with database access drops those triggers and
 * tampers anyway, `wallet audit` names what was changed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { runAudit } from '../../testkit/audit';
import {
  databaseKinds,
  dropLedgerTriggers,
  executeOnDatabase,
  migratedDatabase,
  type MigratedDatabase,
} from '../../testkit/databases';
import { createPerson, createProvider } from '../helpers/ledger-fixtures';

/** A ledger with a deposit and a transfer; the ids a test may tamper with. */
async function ledgerWithATransfer(env: MigratedDatabase) {
  const [alice, bob] = [await createPerson(env.services), await createPerson(env.services)];
  const provider = await createProvider(env.services);
  const deposit = await env.services.ledger.deposit({
    serviceUserId: provider.id,
    wallet: alice.wallet,
    amount: '10.00',
    reference: randomUUID(),
    details: null,
  });
  const sent = await env.services.ledger.transfer({
    initiatorUserId: alice.user.id,
    source: deposit.wallet,
    target: bob.wallet,
    amount: '4.00',
    details: null,
    idempotencyKey: null,
  });
  return { alice, bob, deposit: deposit.operation, transfer: sent.transfer, debit: sent.operation };
}

for (const kind of databaseKinds()) {
  describe(`ledger integrity on ${kind}`, () => {
    it('refuses UPDATE, DELETE (and TRUNCATE) on operations and transfers', async () => {
      const env = await migratedDatabase(kind);
      try {
        assert.equal(env.db.kind, kind);
        const { transfer, debit } = await ledgerWithATransfer(env);
        const attempts = [
          `UPDATE operations SET amount_minor = 1 WHERE id = '${debit.id}'`,
          `DELETE FROM operations WHERE id = '${debit.id}'`,
          `UPDATE transfers SET amount_minor = 1 WHERE id = '${transfer.id}'`,
          `DELETE FROM transfers WHERE id = '${transfer.id}'`,
          // CASCADE: past the foreign keys that name transfers, to the ledger's own trigger.
          ...(kind === 'postgres' ? ['TRUNCATE operations, transfers CASCADE'] : []),
        ];
        for (const statement of attempts) {
          await assert.rejects(executeOnDatabase(env.url, [statement]), /append-only/, statement);
        }
        const audit = await runAudit(env.url);
        assert.equal(audit.code, 0, audit.output);
      } finally {
        await env.close();
      }
    });

    const tampering: [
      string,
      (t: Awaited<ReturnType<typeof ledgerWithATransfer>>) => string,
      RegExp,
    ][] = [
      [
        'a balance',
        (t) =>
          `UPDATE wallets SET balance_minor = balance_minor + 1 WHERE id = '${t.bob.wallet.id}'`,
        /wallet [0-9a-f-]+: balance 401 but its operations sum to 400/,
      ],
      [
        "an operation's amount",
        (t) => `UPDATE operations SET amount_minor = 300 WHERE id = '${t.debit.id}'`,
        /transfer [0-9a-f-]+: expected one debit and one credit of 400/,
      ],
      [
        'a deleted leg',
        (t) => `DELETE FROM operations WHERE id = '${t.debit.id}'`,
        /transfer [0-9a-f-]+: expected one debit and one credit of 400, found 1 legs/,
      ],
      [
        'a duplicated operation',
        (t) =>
          `INSERT INTO operations (id, wallet_id, type, amount_minor, balance_after_minor, transfer_id,
             counterparty_wallet_id, reference, details, initiator_user_id, created_at)
           SELECT '${randomUUID()}', wallet_id, type, amount_minor, balance_after_minor, transfer_id,
             counterparty_wallet_id, NULL, details, initiator_user_id, created_at
           FROM operations WHERE id = '${t.deposit.id}'`,
        // The copy has the deposit's time, so it counts before the transfer.
        /records balanceAfter 1000, but the operations before it give 2000/,
      ],
      [
        'an operation moved back in time',
        (t) => `UPDATE operations SET created_at = 0 WHERE id = '${t.debit.id}'`,
        /operation [0-9a-f-]+ was made after [0-9a-f-]+ but is timed before it/,
      ],
    ];
    for (const [what, statement, named] of tampering) {
      it(`audit exits 1 and names ${what} changed behind the service's back`, async () => {
        const env = await migratedDatabase(kind);
        try {
          const ledger = await ledgerWithATransfer(env);
          await env.db.close();
          await dropLedgerTriggers(env.url);
          await executeOnDatabase(env.url, [statement(ledger)]);
          const audit = await runAudit(env.url);
          assert.equal(audit.code, 1, audit.output);
          assert.match(audit.output, named);
          assert.match(audit.output, /DISCREPANCY/);
        } finally {
          await env.close().catch(() => undefined);
        }
      });
    }
  });
}
