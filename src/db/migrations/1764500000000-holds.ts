import assert from 'node:assert/strict';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { seqColumn } from './columns';
import { WALLET_TRANSFER_V3, replaceOnce } from './1764400000000-transfer-lock-wait-bounded';

/** `text` with every `before` (at least one) replaced by `after`. */
function replaceEvery(text: string, before: string, after: string): string {
  const parts = text.split(before);
  assert.ok(parts.length > 1, `"${before.trim()}" in wallet_transfer`);
  return parts.join(after);
}

export const WALLET_TRANSFER_SIGNATURE = `"wallet_transfer"(integer, varchar, varchar, varchar, varchar,
  varchar, bigint, bigint, varchar, varchar, varchar, varchar, bigint, varchar, varchar)`;

/**
 * wallet_transfer as migration 1764400000000 made it, but the sender spends
 * from its available balance: balance less held_minor, the reserve of its
 * holds. held_minor may still count holds that have expired (their reserve
 * is released by the next movement that needs it, in TypeScript), so the
 * rule here errs on the safe side; when it refuses a sender that holds
 * anything, the function raises WL003 and the ledger decides in a
 * transaction instead (legs.ts), where expired holds are released first.
 * The rule sits on the wallet's row, so PostgreSQL evaluates it again on the
 * row it finds once the lock is free.
 */
export const WALLET_TRANSFER_V4 = [
  ['from_balance_after text)', 'from_balance_after text, from_held text)'],
  [
    '    from_balance_after := CAST(from_wallet.balance_minor AS text);\n',
    '    from_balance_after := CAST(from_wallet.balance_minor AS text);\n' +
      '    from_held := CAST(from_wallet.held_minor AS text);\n',
  ],
  [
    `      IF refused = p_from
          OR (refused = p_first_lock
              AND (SELECT balance_minor FROM wallets WHERE id = p_from) < p_amount_minor) THEN
        RAISE EXCEPTION 'not enough money' USING ERRCODE = 'WL001';`,
    `      IF refused = p_from
          OR (refused = p_first_lock
              AND (SELECT balance_minor - held_minor FROM wallets WHERE id = p_from) < p_amount_minor) THEN
        IF (SELECT held_minor FROM wallets WHERE id = p_from) > 0 THEN
          RAISE EXCEPTION 'the sender holds funds: decide in a transaction' USING ERRCODE = 'WL003';
        END IF;
        RAISE EXCEPTION 'not enough money' USING ERRCODE = 'WL001';`,
  ],
].reduce(
  (text, [before, after]) => replaceOnce(text, before, after),
  replaceEvery(
    WALLET_TRANSFER_V3,
    'THEN balance_minor >= p_amount_minor',
    'THEN balance_minor - held_minor >= p_amount_minor',
  ),
);

/**
 * Holds (the payment provider's authorize, then capture or void):
 *
 * - `holds`, one row per authorization. Its status is stored as PENDING,
 *   CAPTURED, VOIDED or EXPIRED; a PENDING hold past `expires_at` reads as
 *   EXPIRED at once (the database's clock), and is stored as EXPIRED when a
 *   movement on its wallet releases its reserve.
 * - `wallets.held_minor`: the reserve of the wallet's holds stored as
 *   PENDING, kept under the wallet's lock; never more than the balance.
 * - `operations.hold_id`: a capture's WITHDRAWAL names its hold.
 * - `service_references`: a service account's references, one namespace for
 *   deposits, withdrawals and holds (each unique table alone could not stop
 *   a hold and a deposit taking one reference at the same moment), filled
 *   from the operations that have one.
 * - wallet_transfer spends from the available balance (V4 above).
 */
export class Holds1764500000000 implements MigrationInterface {
  name = 'Holds1764500000000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.driver.options.type === 'postgres';
    const seq = (table: string) => seqColumn(postgres, table);
    const statements = [
      `CREATE TABLE "service_references" (
        "service_user_id" varchar(36) NOT NULL,
        "reference" varchar(128) NOT NULL,
        "kind" varchar(16) NOT NULL,
        "target_id" varchar(36) NOT NULL,
        CONSTRAINT "pk_service_references" PRIMARY KEY ("service_user_id", "reference"),
        CONSTRAINT "chk_service_references_kind" CHECK ("kind" IN ('DEPOSIT', 'WITHDRAWAL', 'HOLD')),
        CONSTRAINT "fk_service_references_user" FOREIGN KEY ("service_user_id") REFERENCES "users" ("id"))`,
      `INSERT INTO "service_references" ("service_user_id", "reference", "kind", "target_id")
        SELECT "initiator_user_id", "reference", "type", "id" FROM "operations"
        WHERE "reference" IS NOT NULL`,
      `CREATE TABLE "holds" (
        ${seq('holds')},
        "id" varchar(36) NOT NULL,
        "wallet_id" varchar(36) NOT NULL,
        "service_user_id" varchar(36) NOT NULL,
        "reference" varchar(128) NOT NULL,
        "amount_minor" bigint NOT NULL,
        "captured_minor" bigint,
        "status" varchar(16) NOT NULL,
        "details" varchar(500),
        "expires_at" bigint NOT NULL,
        "created_at" bigint NOT NULL,
        "resolved_at" bigint,
        CONSTRAINT "chk_holds_amount" CHECK ("amount_minor" > 0),
        CONSTRAINT "chk_holds_captured" CHECK ("captured_minor" IS NULL OR ("captured_minor" > 0 AND "captured_minor" <= "amount_minor")),
        CONSTRAINT "chk_holds_status" CHECK ("status" IN ('PENDING', 'CAPTURED', 'VOIDED', 'EXPIRED')),
        CONSTRAINT "fk_holds_wallet" FOREIGN KEY ("wallet_id") REFERENCES "wallets" ("id"),
        CONSTRAINT "fk_holds_service_user" FOREIGN KEY ("service_user_id") REFERENCES "users" ("id"))`,
      `CREATE UNIQUE INDEX "ux_holds_id" ON "holds" ("id")`,
      `CREATE UNIQUE INDEX "ux_holds_service_reference" ON "holds" ("service_user_id", "reference")`,
      `CREATE INDEX "ix_holds_wallet_seq" ON "holds" ("wallet_id", "seq")`,
      postgres
        ? `ALTER TABLE "wallets" ADD COLUMN "held_minor" bigint NOT NULL DEFAULT 0,
            ADD CONSTRAINT "chk_wallets_held" CHECK ("held_minor" >= 0 AND "held_minor" <= "balance_minor")`
        : // SQLite adds no table constraint to a table; a column's CHECK is kept the same way.
          `ALTER TABLE "wallets" ADD COLUMN "held_minor" bigint NOT NULL DEFAULT 0
            CONSTRAINT "chk_wallets_held" CHECK ("held_minor" >= 0 AND "held_minor" <= "balance_minor")`,
      `ALTER TABLE "operations" ADD COLUMN "hold_id" varchar(36)`,
      `CREATE INDEX "ix_operations_hold" ON "operations" ("hold_id") WHERE "hold_id" IS NOT NULL`,
    ];
    for (const statement of statements) await runner.query(statement);
    if (postgres) {
      await runner.query(`DROP FUNCTION ${WALLET_TRANSFER_SIGNATURE}`);
      await runner.query(WALLET_TRANSFER_V4);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.driver.options.type === 'postgres';
    if (postgres) {
      await runner.query(`DROP FUNCTION ${WALLET_TRANSFER_SIGNATURE}`);
      await runner.query(WALLET_TRANSFER_V3);
    }
    await runner.query(`DROP INDEX "ix_operations_hold"`);
    await runner.query(`ALTER TABLE "operations" DROP COLUMN "hold_id"`);
    if (postgres) await runner.query(`ALTER TABLE "wallets" DROP CONSTRAINT "chk_wallets_held"`);
    // On SQLite the column's own CHECK goes with it.
    await runner.query(`ALTER TABLE "wallets" DROP COLUMN "held_minor"`);
    await runner.query(`DROP TABLE "holds"`);
    await runner.query(`DROP TABLE "service_references"`);
  }
}
