import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomInt } from 'node:crypto';
import { audit } from '../../src/ledger/audit';
import {
  databaseKinds,
  dropLedgerTriggers,
  executeOnDatabase,
  migratedDatabase,
  type MigratedDatabase,
} from '../../testkit/databases';
import { fundedWallets } from '../helpers/ledger-fixtures';
import { runAudit } from '../../testkit/audit';

const WALLETS = 4;
const SENDERS = 4;
const AUDITS = 4;

for (const kind of databaseKinds()) {
  describe(`wallet audit on ${kind}`, () => {
    let env: MigratedDatabase;
    before(async () => {
      env = await migratedDatabase(kind);
    });
    after(async () => env?.close());

    it('finds nothing wrong in a ledger that moves while it reads (one snapshot)', async () => {
      const wallets = await fundedWallets(env.services, WALLETS, '1000.00');
      // Transfers go on until the audits are done, so every audit reads a moving ledger.
      let auditing = true;
      let transfers = 0;
      const senders = Array.from({ length: SENDERS }, async () => {
        while (auditing) {
          const from = randomInt(WALLETS);
          const to = (from + 1 + randomInt(WALLETS - 1)) % WALLETS;
          await env.services.ledger.transfer({
            initiatorUserId: wallets[from].userId,
            source: wallets[from],
            target: wallets[to],
            amount: '0.01',
            details: null,
            idempotencyKey: null,
          });
          transfers++;
        }
      });
      try {
        for (let i = 0; i < AUDITS; i++) {
          const before = transfers;
          const report = await runAudit(env.url);
          assert.equal(report.code, 0, report.output);
          assert.ok(transfers > before, 'transfers were committed while the audit ran');
        }
      } finally {
        auditing = false;
        await Promise.all(senders);
      }
      assert.match((await runAudit(env.url)).output, /every invariant holds/);
    });

    it('names the same discrepancies whatever its batch size', async () => {
      const tampered = await migratedDatabase(kind);
      try {
        const wallets = await fundedWallets(tampered.services, WALLETS, '10.00');
        const legs: string[] = [];
        for (let i = 0; i < 12; i++) {
          const sent = await tampered.services.ledger.transfer({
            initiatorUserId: wallets[i % WALLETS].userId,
            source: wallets[i % WALLETS],
            target: wallets[(i + 1) % WALLETS],
            amount: '1.00',
            details: null,
            idempotencyKey: null,
          });
          legs.push(sent.operation.id);
        }
        await dropLedgerTriggers(tampered.url);
        await executeOnDatabase(tampered.url, [
          `UPDATE operations SET amount_minor = 7 WHERE id = '${legs[2]}'`,
          `DELETE FROM operations WHERE id = '${legs[7]}'`,
          `UPDATE wallets SET balance_minor = balance_minor + 1 WHERE id = '${wallets[1].id}'`,
        ]);
        const whole = await audit(tampered.db);
        assert.ok(whole.discrepancies.length >= 3, whole.discrepancies.join('\n'));
        for (const batchSize of [1, 2, 3, 5]) {
          assert.deepEqual(await audit(tampered.db, batchSize), whole, `batches of ${batchSize}`);
        }
      } finally {
        await tampered.close();
      }
    });
  });
}
