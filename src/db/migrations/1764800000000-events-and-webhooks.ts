import type { MigrationInterface, QueryRunner } from 'typeorm';
import { seqColumn } from './columns';
import { replaceOnce } from './1764400000000-transfer-lock-wait-bounded';
import { WALLET_TRANSFER_SIGNATURE, WALLET_TRANSFER_V4 } from './1764500000000-holds';

/**
 * wallet_transfer as migration 1764500000000 made it, but it also writes
 * the transfer's TRANSFER_CREATED event in its own transaction (the
 * outbox): the ledger passes the event's id, wallets and body in.
 */
export const WALLET_TRANSFER_V5 = [
  [
    'p_debit_id varchar, p_credit_id varchar)',
    'p_debit_id varchar, p_credit_id varchar,\n    p_event_id varchar, p_event_wallet_ids text, p_event_body text)',
  ],
  [
    '    from_wallet_seq := from_wallet.seq;\n',
    `    INSERT INTO events (id, type, owner_user_id, wallet_ids, body, created_at, tx_order)
      VALUES (p_event_id, 'TRANSFER_CREATED', NULL, p_event_wallet_ids, p_event_body, p_created_at,
        CAST(CAST(pg_current_xact_id() AS text) AS bigint));
    from_wallet_seq := from_wallet.seq;\n`,
  ],
].reduce((text, [before, after]) => replaceOnce(text, before, after), WALLET_TRANSFER_V4);

export const WALLET_TRANSFER_V5_SIGNATURE = WALLET_TRANSFER_SIGNATURE.replace(
  'varchar, varchar)',
  'varchar, varchar, varchar, text, text)',
);

/**
 * Events and webhooks:
 *
 * - `events`, the outbox: one row per change, written in the change's own
 *   transaction. `tx_order` is the writing transaction's id on PostgreSQL
 *   (0 on SQLite, whose one writer commits in `seq` order): readers page by
 *   (tx_order, seq) and only below the oldest transaction still running, so
 *   an event that commits late can never land behind a reader's cursor.
 * - `webhook_endpoints`: where a service account or an admin wants events
 *   sent; the signing secret is kept encrypted.
 * - `webhook_deliveries`: one per event and endpoint, retried on a schedule;
 *   `lease_until` keeps one instance's attempt from running beside another's.
 * - a `settings` row: how far events have been fanned out into deliveries.
 * - indexes of pending holds and payment requests by expiry, for the worker
 *   that expires them (and so writes their events) without a reader.
 */
export class EventsAndWebhooks1764800000000 implements MigrationInterface {
  name = 'EventsAndWebhooks1764800000000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.driver.options.type === 'postgres';
    const seq = (table: string) => seqColumn(postgres, table);
    const statements = [
      `CREATE TABLE "events" (
        ${seq('events')},
        "id" varchar(36) NOT NULL,
        "type" varchar(40) NOT NULL,
        "owner_user_id" varchar(36),
        "wallet_ids" text NOT NULL,
        "body" text NOT NULL,
        "created_at" bigint NOT NULL,
        "tx_order" bigint NOT NULL DEFAULT 0,
        CONSTRAINT "fk_events_owner" FOREIGN KEY ("owner_user_id") REFERENCES "users" ("id"))`,
      `CREATE UNIQUE INDEX "ux_events_id" ON "events" ("id")`,
      `CREATE INDEX "ix_events_order" ON "events" ("tx_order", "seq")`,
      // Only events a service account owns: a transfer's (most events) writes no entry here.
      `CREATE INDEX "ix_events_owner_order" ON "events" ("owner_user_id", "tx_order", "seq") WHERE "owner_user_id" IS NOT NULL`,
      `CREATE TABLE "webhook_endpoints" (
        ${seq('webhook_endpoints')},
        "id" varchar(36) NOT NULL,
        "owner_user_id" varchar(36) NOT NULL,
        "url" varchar(2048) NOT NULL,
        "event_types" text NOT NULL,
        "secret_ciphertext" text NOT NULL,
        "created_at" bigint NOT NULL,
        "deleted_at" bigint,
        CONSTRAINT "fk_webhook_endpoints_owner" FOREIGN KEY ("owner_user_id") REFERENCES "users" ("id"))`,
      `CREATE UNIQUE INDEX "ux_webhook_endpoints_id" ON "webhook_endpoints" ("id")`,
      `CREATE INDEX "ix_webhook_endpoints_owner" ON "webhook_endpoints" ("owner_user_id")`,
      `CREATE TABLE "webhook_deliveries" (
        ${seq('webhook_deliveries')},
        "id" varchar(36) NOT NULL,
        "endpoint_id" varchar(36) NOT NULL,
        "event_id" varchar(36) NOT NULL,
        "status" varchar(16) NOT NULL,
        "attempts" integer NOT NULL DEFAULT 0,
        "last_status_code" integer,
        "last_error" varchar(500),
        "next_attempt_at" bigint,
        "delivered_at" bigint,
        "lease_until" bigint,
        "created_at" bigint NOT NULL,
        CONSTRAINT "chk_webhook_deliveries_status" CHECK ("status" IN ('PENDING', 'DELIVERED', 'FAILED')),
        CONSTRAINT "fk_webhook_deliveries_endpoint" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints" ("id"),
        CONSTRAINT "fk_webhook_deliveries_event" FOREIGN KEY ("event_id") REFERENCES "events" ("id"))`,
      `CREATE UNIQUE INDEX "ux_webhook_deliveries_id" ON "webhook_deliveries" ("id")`,
      `CREATE UNIQUE INDEX "ux_webhook_deliveries_endpoint_event" ON "webhook_deliveries" ("endpoint_id", "event_id")`,
      `CREATE INDEX "ix_webhook_deliveries_due" ON "webhook_deliveries" ("next_attempt_at") WHERE "status" = 'PENDING'`,
      `INSERT INTO "settings" ("key", "value") VALUES ('webhooks_dispatched_through', '0.0')`,
      // What the worker's expiry looks for: pending holds and requests by their expiry.
      `CREATE INDEX "ix_holds_pending_expiry" ON "holds" ("expires_at") WHERE "status" = 'PENDING'`,
      `CREATE INDEX "ix_payment_requests_pending_expiry" ON "payment_requests" ("expires_at") WHERE "status" = 'PENDING'`,
    ];
    for (const statement of statements) await runner.query(statement);
    if (postgres) {
      await runner.query(`DROP FUNCTION ${WALLET_TRANSFER_SIGNATURE}`);
      await runner.query(WALLET_TRANSFER_V5);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type === 'postgres') {
      await runner.query(`DROP FUNCTION ${WALLET_TRANSFER_V5_SIGNATURE}`);
      await runner.query(WALLET_TRANSFER_V4);
    }
    await runner.query(`DROP INDEX "ix_payment_requests_pending_expiry"`);
    await runner.query(`DROP INDEX "ix_holds_pending_expiry"`);
    await runner.query(`DELETE FROM "settings" WHERE "key" = 'webhooks_dispatched_through'`);
    for (const table of ['webhook_deliveries', 'webhook_endpoints', 'events']) {
      await runner.query(`DROP TABLE "${table}"`);
    }
  }
}
