import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole first schema, one text for both dialects. Every constraint and
 * index is named as in the entities, so `migration:generate` finds no drift.
 * (Keep each CONSTRAINT on one line: TypeORM's SQLite reader misses split ones.)
 */
export class InitialSchema1763700000000 implements MigrationInterface {
  name = 'InitialSchema1763700000000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.driver.options.type === 'postgres';
    /** The integer key inside; SQLite's AUTOINCREMENT never reuses a key. */
    const seq = (table: string) =>
      postgres
        ? `"seq" BIGSERIAL NOT NULL, CONSTRAINT "pk_${table}" PRIMARY KEY ("seq")`
        : '"seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL';
    const statements = [
      `CREATE TABLE "currencies" (
        "code" varchar(3) NOT NULL,
        "precision" integer NOT NULL,
        CONSTRAINT "pk_currencies" PRIMARY KEY ("code"),
        CONSTRAINT "chk_currencies_precision" CHECK ("precision" BETWEEN 0 AND 4))`,
      `CREATE TABLE "users" (
        ${seq('users')},
        "id" varchar(36) NOT NULL,
        "email" varchar(254) NOT NULL,
        "name" varchar(100) NOT NULL,
        "password_hash" varchar(255) NOT NULL,
        "role" varchar(16) NOT NULL,
        "created_at" bigint NOT NULL,
        CONSTRAINT "chk_users_role" CHECK ("role" IN ('USER', 'SERVICE', 'ADMIN')))`,
      `CREATE UNIQUE INDEX "ux_users_id" ON "users" ("id")`,
      `CREATE UNIQUE INDEX "ux_users_email" ON "users" ("email")`,
      `CREATE TABLE "wallets" (
        ${seq('wallets')},
        "id" varchar(36) NOT NULL,
        "user_id" varchar(36) NOT NULL,
        "currency" varchar(3) NOT NULL,
        "balance_minor" bigint NOT NULL DEFAULT 0,
        "lock_version" bigint NOT NULL DEFAULT 0,
        "created_at" bigint NOT NULL,
        CONSTRAINT "chk_wallets_balance" CHECK ("balance_minor" >= 0),
        CONSTRAINT "fk_wallets_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id"),
        CONSTRAINT "fk_wallets_currency" FOREIGN KEY ("currency") REFERENCES "currencies" ("code"))`,
      `CREATE UNIQUE INDEX "ux_wallets_id" ON "wallets" ("id")`,
      `CREATE UNIQUE INDEX "ux_wallets_user_currency" ON "wallets" ("user_id", "currency")`,
      `CREATE TABLE "transfers" (
        ${seq('transfers')},
        "id" varchar(36) NOT NULL,
        "from_wallet_id" varchar(36) NOT NULL,
        "to_wallet_id" varchar(36) NOT NULL,
        "amount_minor" bigint NOT NULL,
        "currency" varchar(3) NOT NULL,
        "details" varchar(500),
        "initiator_user_id" varchar(36) NOT NULL,
        "idempotency_key" varchar(128),
        "created_at" bigint NOT NULL,
        CONSTRAINT "chk_transfers_amount" CHECK ("amount_minor" > 0),
        CONSTRAINT "chk_transfers_distinct_wallets" CHECK ("from_wallet_id" <> "to_wallet_id"),
        CONSTRAINT "fk_transfers_from_wallet" FOREIGN KEY ("from_wallet_id") REFERENCES "wallets" ("id"),
        CONSTRAINT "fk_transfers_to_wallet" FOREIGN KEY ("to_wallet_id") REFERENCES "wallets" ("id"),
        CONSTRAINT "fk_transfers_initiator" FOREIGN KEY ("initiator_user_id") REFERENCES "users" ("id"))`,
      `CREATE UNIQUE INDEX "ux_transfers_id" ON "transfers" ("id")`,
      `CREATE UNIQUE INDEX "ux_transfers_initiator_key" ON "transfers" ("initiator_user_id", "idempotency_key")`,
      `CREATE INDEX "ix_transfers_from_wallet" ON "transfers" ("from_wallet_id", "seq")`,
      `CREATE INDEX "ix_transfers_to_wallet" ON "transfers" ("to_wallet_id", "seq")`,
      `CREATE TABLE "operations" (
        ${seq('operations')},
        "id" varchar(36) NOT NULL,
        "wallet_id" varchar(36) NOT NULL,
        "type" varchar(16) NOT NULL,
        "amount_minor" bigint NOT NULL,
        "balance_after_minor" bigint NOT NULL,
        "transfer_id" varchar(36),
        "counterparty_wallet_id" varchar(36),
        "reference" varchar(128),
        "details" varchar(500),
        "initiator_user_id" varchar(36) NOT NULL,
        "created_at" bigint NOT NULL,
        CONSTRAINT "chk_operations_type" CHECK ("type" IN ('DEPOSIT', 'WITHDRAWAL', 'TRANSFER_IN', 'TRANSFER_OUT')),
        CONSTRAINT "chk_operations_amount" CHECK ("amount_minor" > 0),
        CONSTRAINT "chk_operations_balance_after" CHECK ("balance_after_minor" >= 0),
        CONSTRAINT "fk_operations_wallet" FOREIGN KEY ("wallet_id") REFERENCES "wallets" ("id"),
        CONSTRAINT "fk_operations_transfer" FOREIGN KEY ("transfer_id") REFERENCES "transfers" ("id"),
        CONSTRAINT "fk_operations_initiator" FOREIGN KEY ("initiator_user_id") REFERENCES "users" ("id"))`,
      `CREATE UNIQUE INDEX "ux_operations_id" ON "operations" ("id")`,
      `CREATE INDEX "ix_operations_wallet_seq" ON "operations" ("wallet_id", "seq")`,
      `CREATE UNIQUE INDEX "ux_operations_initiator_reference" ON "operations" ("initiator_user_id", "reference")`,
      `CREATE TABLE "sessions" (
        "sid" varchar(128) NOT NULL,
        "data" text NOT NULL,
        "expires_at" bigint NOT NULL,
        CONSTRAINT "pk_sessions" PRIMARY KEY ("sid"))`,
      `CREATE INDEX "ix_sessions_expires_at" ON "sessions" ("expires_at")`,
      `CREATE TABLE "settings" (
        "key" varchar(64) NOT NULL,
        "value" text NOT NULL,
        CONSTRAINT "pk_settings" PRIMARY KEY ("key"))`,
      `CREATE TABLE "rate_limits" (
        "key" varchar(300) NOT NULL,
        "window_started_at" bigint NOT NULL,
        "count" integer NOT NULL,
        CONSTRAINT "pk_rate_limits" PRIMARY KEY ("key"))`,
      `INSERT INTO "currencies" ("code", "precision") VALUES
        ('USD', 2), ('EUR', 2), ('GBP', 2), ('RUB', 2), ('JPY', 0), ('KRW', 0), ('BHD', 3), ('KWD', 3)`,
    ];
    for (const statement of statements) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'rate_limits',
      'settings',
      'sessions',
      'operations',
      'transfers',
      'wallets',
      'users',
      'currencies',
    ]) {
      await runner.query(`DROP TABLE "${table}"`);
    }
  }
}
