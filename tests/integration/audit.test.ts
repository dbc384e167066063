import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomInt, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { WalletRow } from '../../src/db/rows';
import { databaseKinds, migratedDatabase, type MigratedDatabase } from '../helpers/databases';
import { createPerson, createProvider } from '../helpers/ledger-fixtures';
import { MAIN } from '../helpers/server';

const WALLETS = 4;
const SENDERS = 4;
const AUDITS = 4;

/** `wallet audit` in a process of its own, as an operator runs it beside the service. */
async function walletAudit(url: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [MAIN, 'audit'], {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'error' },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '' };
  }
}

for (const kind of databaseKinds()) {
  describe(`wallet audit on ${kind}`, () => {
    let env: MigratedDatabase;
    before(async () => {
      env = await migratedDatabase(kind);
    });
    after(async () => env?.close());

    it('finds nothing wrong in a ledger that moves while it reads (one snapshot)', async () => {
      const provider = await createProvider(env.services);
      const wallets: WalletRow[] = [];
      for (let i = 0; i < WALLETS; i++) {
        const { wallet } = await createPerson(env.services);
        await env.services.ledger.deposit({
          serviceUserId: provider.id,
          wallet,
          amount: '1000.00',
          reference: randomUUID(),
          details: null,
        });
        wallets.push(wallet);
      }
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
          const report = await walletAudit(env.url);
          assert.equal(report.code, 0, report.stdout);
          assert.ok(transfers > before, 'transfers were committed while the audit ran');
        }
      } finally {
        auditing = false;
        await Promise.all(senders);
      }
      assert.match((await walletAudit(env.url)).stdout, /every invariant holds/);
    });
  });
}
