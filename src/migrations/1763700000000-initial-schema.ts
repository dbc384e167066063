import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The whole first schema, written once for both dialects. */
export class InitialSchema1763700000000 implements MigrationInterface {
  name = 'InitialSchema1763700000000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.driver.options.type === 'postgres';
    const seq = postgres
      ? '"seq" BIGSERIAL PRIMARY KEY'
      : '"seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL';
    const statements = [
      `CREATE TABLE "currencies" (
        "code" varchar(3) PRIMARY KEY NOT NULL,
        "precision" integer NOT NULL CHECK ("precision" BETWEEN 0 AND 4))`,
      `CREATE TABLE "users" (
        ${seq},
        "id" varchar(36) NOT NULL,
        "email" varchar(254) NOT NULL,
        "name" varchar(100) NOT NULL,
        "password_hash" varchar(255) NOT NULL,
        "role" varchar(16) NOT NULL CHECK ("role" IN ('USER', 'SERVICE', 'ADMIN')),
        "created_at" bigint NOT NULL)`,
      `CREATE UNIQUE INDEX "ux_users_id" ON "users" ("id")`,
      `CREATE UNIQUE INDEX "ux_users_email" ON "users" ("email")`,
      `CREATE TABLE "wallets" (
        ${seq},
        "id" varchar(36) NOT NULL,
        "user_id" varchar(36) NOT NULL REFERENCES "users" ("id"),
        "currency" varchar(3) NOT NULL REFERENCES "currencies" ("code"),
        "balance_minor" bigint NOT NULL DEFAULT 0 CHECK ("balance_minor" >= 0),
        "lock_version" bigint NOT NULL DEFAULT 0,
        "created_at" bigint NOT NULL)`,
      `CREATE UNIQUE INDEX "ux_wallets_id" ON "wallets" ("id")`,
      `CREATE UNIQUE INDEX "ux_wallets_user_currency" ON "wallets" ("user_id", "currency")`,
      `CREATE TABLE "transfers" (
        ${seq},
        "id" varchar(36) NOT NULL,
        "from_wallet_id" varchar(36) NOT NULL REFERENCES "wallets" ("id"),
        "to_wallet_id" varchar(36) NOT NULL REFERENCES "wallets" ("id"),
        "amount_minor" bigint NOT NULL CHECK ("amount_minor" > 0),
        "currency" varchar(3) NOT NULL,
        "details" varchar(500),
        "initiator_user_id" varchar(36) NOT NULL REFERENCES "users" ("id"),
        "idempotency_key" varchar(128),
        "created_at" bigint NOT NULL,
        CHECK ("from_wallet_id" <> "to_wallet_id"))`,
      `CREATE UNIQUE INDEX "ux_transfers_id" ON "transfers" ("id")`,
      `CREATE UNIQUE INDEX "ux_transfers_initiator_key" ON "transfers" ("initiator_user_id", "idempotency_key")`,
      `CREATE INDEX "ix_transfers_from_wallet" ON "transfers" ("from_wallet_id", "seq")`,
      `CREATE INDEX "ix_transfers_to_wallet" ON "transfers" ("to_wallet_id", "seq")`,
      `CREATE TABLE "operations" (
        ${seq},
        "id" varchar(36) NOT NULL,
        "wallet_id" varchar(36) NOT NULL REFERENCES "wallets" ("id"),
        "type" varchar(16) NOT NULL
          CHECK ("type" IN ('DEPOSIT', 'WITHDRAWAL', 'TRANSFER_IN', 'TRANSFER_OUT')),
        "amount_minor" bigint NOT NULL CHECK ("amount_minor" > 0),
        "balance_after_minor" bigint NOT NULL CHECK ("balance_after_minor" >= 0),
        "transfer_id" varchar(36) REFERENCES "transfers" ("id"),
        "counterparty_wallet_id" varchar(36),
        "reference" varchar(128),
        "details" varchar(500),
        "initiator_user_id" varchar(36) NOT NULL REFERENCES "users" ("id"),
        "created_at" bigint NOT NULL)`,
      `CREATE UNIQUE INDEX "ux_operations_id" ON "operations" ("id")`,
      `CREATE INDEX "ix_operations_wallet_seq" ON "operations" ("wallet_id", "seq")`,
      `CREATE UNIQUE INDEX "ux_operations_initiator_reference" ON "operations" ("initiator_user_id", "reference")`,
      `CREATE TABLE "sessions" (
        "sid" varchar(128) PRIMARY KEY NOT NULL,
        "data" text NOT NULL,
        "expires_at" bigint NOT NULL)`,
      `CREATE INDEX "ix_sessions_expires_at" ON "sessions" ("expires_at")`,
      `CREATE TABLE "settings" ("key" varchar(64) PRIMARY KEY NOT NULL, "value" text NOT NULL)`,
      `CREATE TABLE "rate_limits" (
        "key" varchar(300) PRIMARY KEY NOT NULL,
        "window_started_at" bigint NOT NULL,
        "count" integer NOT NULL)`,
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
