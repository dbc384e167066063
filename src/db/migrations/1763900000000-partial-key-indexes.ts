import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The unique indexes that make a caller's key or reference idempotent. */
const KEY_INDEXES = [
  { table: 'operations', name: 'ux_operations_initiator_reference', column: 'reference' },
  { table: 'transfers', name: 'ux_transfers_initiator_key', column: 'idempotency_key' },
] as const;

/**
 * A key index holds only the rows that have a key. A row without one (a
 * transfer's two legs have no reference; a transfer may come without a key)
 * can never conflict, yet each added an entry to a page of the index chosen
 * by its initiator: with transfers between many users, one more page written
 * to the log for nearly every transfer of a group commit (measured on SQLite,
 * random pairs: writes per transfer 27 -> 23 KiB, CPU per transfer -11%).
 * Lookups (`initiator_user_id = ? AND reference = ?`) imply the condition,
 * so both databases still answer them from the index.
 *
 * Migrations run in one transaction, so no moment goes without the unique
 * index; on PostgreSQL the rebuild holds writes to the two tables until it
 * ends, so on a large ledger run `wallet migrate` at a quiet time.
 */
export class PartialKeyIndexes1763900000000 implements MigrationInterface {
  name = 'PartialKeyIndexes1763900000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const { table, name, column } of KEY_INDEXES) {
      await runner.query(`DROP INDEX "${name}"`);
      await runner.query(
        `CREATE UNIQUE INDEX "${name}" ON "${table}" ("initiator_user_id", "${column}") WHERE "${column}" IS NOT NULL`,
      );
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const { table, name, column } of KEY_INDEXES) {
      await runner.query(`DROP INDEX "${name}"`);
      await runner.query(
        `CREATE UNIQUE INDEX "${name}" ON "${table}" ("initiator_user_id", "${column}")`,
      );
    }
  }
}
