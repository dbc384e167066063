import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refunds: a refund is a new transfer back, `transfers.refund_of` the one it
 * refunds; its two legs say so too (`operations.refund_of`), so an
 * operation needs no join to tell. (No foreign keys: SQLite adds a column
 * without one; `wallet audit` checks what one would.)
 */
export class Refunds1764600000000 implements MigrationInterface {
  name = 'Refunds1764600000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of [
      `ALTER TABLE "transfers" ADD COLUMN "refund_of" varchar(36)`,
      `CREATE INDEX "ix_transfers_refund_of" ON "transfers" ("refund_of") WHERE "refund_of" IS NOT NULL`,
      `ALTER TABLE "operations" ADD COLUMN "refund_of" varchar(36)`,
    ]) {
      await runner.query(statement);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const statement of [
      `ALTER TABLE "operations" DROP COLUMN "refund_of"`,
      `DROP INDEX "ix_transfers_refund_of"`,
      `ALTER TABLE "transfers" DROP COLUMN "refund_of"`,
    ]) {
      await runner.query(statement);
    }
  }
}
