import assert from 'node:assert/strict';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { replaceOnce } from './1764400000000-transfer-lock-wait-bounded';
import {
  WALLET_TRANSFER_V5,
  WALLET_TRANSFER_V5_SIGNATURE,
} from './1764800000000-events-and-webhooks';

/** `text` with each of `count` occurrences of `before` replaced by `after`. */
function replaceAll(text: string, before: string, after: string, count: number): string {
  const parts = text.split(before);
  assert.equal(parts.length - 1, count, `${count} × "${before.trim()}" in wallet_transfer`);
  return parts.join(after);
}

/** An epoch-milliseconds expression as JavaScript's toISOString() writes it. */
const iso = (ms: string) =>
  `to_char((TIMESTAMPTZ 'epoch' + ${ms} * INTERVAL '1 millisecond') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * wallet_transfer as migration 1764800000000 made it, but a transfer's time
 * never goes back on either wallet: it is the later of the time passed in
 * and each wallet's last_operation_at, read under the locks, and it is
 * written back to both. When that moves the time on, the event's body
 * (built by the ledger with the time passed in) says the time used. The
 * function returns the time as `moved_at`.
 */
export const WALLET_TRANSFER_V6 = [
  (text: string) => replaceOnce(text, 'from_held text)', 'from_held text, moved_at bigint)'),
  (text: string) =>
    replaceOnce(text, '    refused varchar;\n', '    refused varchar;\n    v_at bigint;\n'),
  // Every use of the time passed in, from here on, is the time decided under the locks.
  (text: string) => replaceAll(text, 'p_created_at)', 'v_at)', 3),
  (text: string) =>
    replaceOnce(
      text,
      'p_event_body, p_created_at,',
      `CASE WHEN v_at = p_created_at THEN p_event_body
          ELSE replace(p_event_body, to_json(${iso('p_created_at')})::text, to_json(${iso('v_at')})::text) END,
        v_at,`,
    ),
  (text: string) =>
    replaceAll(
      text,
      'UPDATE wallets SET lock_version = lock_version + 1,\n',
      'UPDATE wallets SET lock_version = lock_version + 1,\n        last_operation_at = GREATEST(last_operation_at, p_created_at),\n',
      2,
    ),
  (text: string) =>
    replaceOnce(
      text,
      '    INSERT INTO transfers (',
      `    v_at := GREATEST(first_wallet.last_operation_at, second_wallet.last_operation_at);
    IF v_at > p_created_at THEN
      UPDATE wallets SET last_operation_at = v_at WHERE id IN (p_from, p_to);
    END IF;
    INSERT INTO transfers (`,
    ),
  (text: string) =>
    replaceOnce(text, '    RETURN NEXT;\n', '    moved_at := v_at;\n    RETURN NEXT;\n'),
].reduce((text, patch) => patch(text), WALLET_TRANSFER_V5);

/**
 * Statements: the balance at any moment, and a period's operations.
 *
 * - `wallets.last_operation_at`: the time of the wallet's last operation.
 *   A movement's time is the later of the clock and this, for each wallet it
 *   locks, so a wallet's operations' times never go back however the
 *   instances' clocks disagree or their movements queue for a lock. Then the
 *   operations before a moment are a prefix of the wallet's ledger, and the
 *   last one's balance_after is the balance at that moment.
 * - `ix_operations_wallet_time` (wallet, time, seq) replaces
 *   `ix_operations_wallet_seq`: in that order (the same, times never going
 *   back) a wallet's operations page, the balance at a moment is one keyset
 *   lookup, and a period is one range.
 */
export class Statements1764900000000 implements MigrationInterface {
  name = 'Statements1764900000000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.driver.options.type === 'postgres';
    await runner.query(
      `ALTER TABLE "wallets" ADD COLUMN "last_operation_at" bigint NOT NULL DEFAULT 0`,
    );
    await runner.query(
      `UPDATE "wallets" SET "last_operation_at" = COALESCE(
         (SELECT MAX("created_at") FROM "operations" WHERE "wallet_id" = "wallets"."id"), 0)`,
    );
    await runner.query(
      `CREATE INDEX "ix_operations_wallet_time" ON "operations" ("wallet_id", "created_at", "seq")`,
    );
    await runner.query(`DROP INDEX "ix_operations_wallet_seq"`);
    if (postgres) {
      await runner.query(`DROP FUNCTION ${WALLET_TRANSFER_V5_SIGNATURE}`);
      await runner.query(WALLET_TRANSFER_V6);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type === 'postgres') {
      await runner.query(`DROP FUNCTION ${WALLET_TRANSFER_V5_SIGNATURE}`);
      await runner.query(WALLET_TRANSFER_V5);
    }
    await runner.query(
      `CREATE INDEX "ix_operations_wallet_seq" ON "operations" ("wallet_id", "seq")`,
    );
    await runner.query(`DROP INDEX "ix_operations_wallet_time"`);
    await runner.query(`ALTER TABLE "wallets" DROP COLUMN "last_operation_at"`);
  }
}
