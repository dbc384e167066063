import type { MigrationInterface, QueryRunner } from 'typeorm';
import { WALLET_TRANSFER_SQL } from '../postgres/wallet-transfer';
import { WALLET_TRANSFER_V6 } from './1764900000000-statements';

/**
 * The transfer function from its own file (db/postgres/wallet-transfer.sql),
 * the one place it is written whole; migrations before this one built it by
 * editing the text of the one before. Unchanged here: the file is the same
 * definition as migration 1764900000000 made, which a test checks.
 */
export class WalletTransferWhole1765200000000 implements MigrationInterface {
  name = 'WalletTransferWhole1765200000000';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type !== 'postgres') return;
    await runner.query(WALLET_TRANSFER_SQL);
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type !== 'postgres') return;
    await runner.query(WALLET_TRANSFER_V6);
  }
}
