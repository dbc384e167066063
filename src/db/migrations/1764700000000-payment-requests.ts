import type { MigrationInterface, QueryRunner } from 'typeorm';
import { seqColumn } from './columns';

/**
 * Payment requests: one person asks another, found by email, to pay an
 * amount into one of their wallets. Its status is PENDING, PAID, DECLINED,
 * CANCELED or EXPIRED; a PENDING request past `expires_at` reads as EXPIRED
 * (the database's clock) before it is stored so. A paid one names its transfer.
 */
export class PaymentRequests1764700000000 implements MigrationInterface {
  name = 'PaymentRequests1764700000000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.driver.options.type === 'postgres';
    const seq = seqColumn(postgres, 'payment_requests');
    for (const statement of [
      `CREATE TABLE "payment_requests" (
        ${seq},
        "id" varchar(36) NOT NULL,
        "requester_user_id" varchar(36) NOT NULL,
        "requester_wallet_id" varchar(36) NOT NULL,
        "payer_user_id" varchar(36) NOT NULL,
        "payer_wallet_id" varchar(36) NOT NULL,
        "amount_minor" bigint NOT NULL,
        "currency" varchar(3) NOT NULL,
        "details" varchar(500),
        "status" varchar(16) NOT NULL,
        "idempotency_key" varchar(128),
        "expires_at" bigint NOT NULL,
        "created_at" bigint NOT NULL,
        "resolved_at" bigint,
        "transfer_id" varchar(36),
        CONSTRAINT "chk_payment_requests_amount" CHECK ("amount_minor" > 0),
        CONSTRAINT "chk_payment_requests_status" CHECK ("status" IN ('PENDING', 'PAID', 'DECLINED', 'CANCELED', 'EXPIRED')),
        CONSTRAINT "chk_payment_requests_parties" CHECK ("requester_user_id" <> "payer_user_id"),
        CONSTRAINT "fk_payment_requests_requester" FOREIGN KEY ("requester_user_id") REFERENCES "users" ("id"),
        CONSTRAINT "fk_payment_requests_requester_wallet" FOREIGN KEY ("requester_wallet_id") REFERENCES "wallets" ("id"),
        CONSTRAINT "fk_payment_requests_payer" FOREIGN KEY ("payer_user_id") REFERENCES "users" ("id"),
        CONSTRAINT "fk_payment_requests_payer_wallet" FOREIGN KEY ("payer_wallet_id") REFERENCES "wallets" ("id"),
        CONSTRAINT "fk_payment_requests_transfer" FOREIGN KEY ("transfer_id") REFERENCES "transfers" ("id"))`,
      `CREATE UNIQUE INDEX "ux_payment_requests_id" ON "payment_requests" ("id")`,
      `CREATE UNIQUE INDEX "ux_payment_requests_requester_key" ON "payment_requests" ("requester_user_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL`,
      `CREATE INDEX "ix_payment_requests_requester" ON "payment_requests" ("requester_user_id", "seq")`,
      `CREATE INDEX "ix_payment_requests_payer" ON "payment_requests" ("payer_user_id", "seq")`,
    ]) {
      await runner.query(statement);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "payment_requests"`);
  }
}
