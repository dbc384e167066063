import assert from 'node:assert/strict';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { WALLET_TRANSFER_V2 } from './1764300000000-transfer-writes-each-wallet-once';

/** `text` with `before` (which must occur exactly once) replaced by `after`. */
export function replaceOnce(text: string, before: string, after: string): string {
  const parts = text.split(before);
  assert.equal(parts.length, 2, `one "${before.trim()}" in wallet_transfer`);
  // join, not String.replace: `after` is taken literally, `$` and all.
  return parts.join(after);
}

/**
 * wallet_transfer as migration 1764300000000 made it, but the wait for the
 * second wallet's lock gets only what is left of p_lock_timeout_ms.
 * PostgreSQL's lock_timeout bounds each lock wait by itself, so a transfer
 * that waited for both wallets in turn could wait twice LOCK_TIMEOUT_MS
 * before WALLET_BUSY (instances.test.ts (g): with a bound of 1.5 s, 2.5 s
 * before this migration).
 */
export const WALLET_TRANSFER_V3 = replaceOnce(
  replaceOnce(
    WALLET_TRANSFER_V2,
    '    refused varchar;\n',
    '    refused varchar;\n    started timestamptz := clock_timestamp();\n',
  ),
  '    ELSE\n      UPDATE wallets',
  `    ELSE
      PERFORM set_config('lock_timeout', greatest(1, p_lock_timeout_ms
          - floor(extract(epoch FROM clock_timestamp() - started) * 1000))::integer || 'ms', true);
      UPDATE wallets`,
);

/** PostgreSQL only: a transfer's lock waits together end within p_lock_timeout_ms. */
export class TransferLockWaitBounded1764400000000 implements MigrationInterface {
  name = 'TransferLockWaitBounded1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type !== 'postgres') return;
    await runner.query(WALLET_TRANSFER_V3);
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type !== 'postgres') return;
    await runner.query(WALLET_TRANSFER_V2);
  }
}
