import type { MigrationInterface, QueryRunner } from 'typeorm';

const LEDGER_TABLES = ['operations', 'transfers'] as const;

/**
 * The ledger is append-only in the database itself: UPDATE and DELETE (and,
 * on PostgreSQL, TRUNCATE) on operations and transfers are refused, so not
 * even a bug in the service can rewrite history. A mistake is corrected by a
 * new entry.
 */
export class AppendOnlyLedger1763800000000 implements MigrationInterface {
  name = 'AppendOnlyLedger1763800000000';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type === 'postgres') {
      await runner.query(`CREATE FUNCTION "refuse_ledger_change"() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
        END $$`);
      for (const table of LEDGER_TABLES) {
        await runner.query(`CREATE TRIGGER "trg_${table}_append_only"
          BEFORE UPDATE OR DELETE ON "${table}"
          FOR EACH ROW EXECUTE FUNCTION "refuse_ledger_change"()`);
        await runner.query(`CREATE TRIGGER "trg_${table}_no_truncate"
          BEFORE TRUNCATE ON "${table}"
          FOR EACH STATEMENT EXECUTE FUNCTION "refuse_ledger_change"()`);
      }
      return;
    }
    for (const table of LEDGER_TABLES) {
      for (const action of ['UPDATE', 'DELETE']) {
        await runner.query(`CREATE TRIGGER "trg_${table}_no_${action.toLowerCase()}"
          BEFORE ${action} ON "${table}"
          BEGIN SELECT RAISE(ABORT, '${table} is append-only: ${action} refused'); END`);
      }
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type === 'postgres') {
      for (const table of LEDGER_TABLES) {
        await runner.query(`DROP TRIGGER "trg_${table}_append_only" ON "${table}"`);
        await runner.query(`DROP TRIGGER "trg_${table}_no_truncate" ON "${table}"`);
      }
      await runner.query(`DROP FUNCTION "refuse_ledger_change"()`);
      return;
    }
    for (const table of LEDGER_TABLES) {
      await runner.query(`DROP TRIGGER "trg_${table}_no_update"`);
      await runner.query(`DROP TRIGGER "trg_${table}_no_delete"`);
    }
  }
}
