import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A transfer's legs, found by the transfer. A repeated transfer is answered
 * with its original debit leg, and without this index that lookup read every
 * operation of the sending wallet: on SQLite 83 ms for a wallet with 500,000
 * operations, during which the process's one queue, and so every transfer,
 * waited. Only legs have a transfer, so only they are indexed; transfer ids
 * are time-ordered (UUIDv7), so each new entry lands on the index's last page.
 */
export class TransferLegsIndex1764000000000 implements MigrationInterface {
  name = 'TransferLegsIndex1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE INDEX "ix_operations_transfer" ON "operations" ("transfer_id") WHERE "transfer_id" IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "ix_operations_transfer"`);
  }
}
