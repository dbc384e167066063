import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where in the events' order an endpoint starts: `from_tx_order` and
 * `from_seq`, taken in the statement that makes the endpoint (on PostgreSQL
 * the oldest transaction still running, on SQLite the last event's seq), so
 * every event that commits after the endpoint lies past them. An endpoint is
 * sent the events at or past its start; a comparison of times could not
 * promise that (an event's time is taken before its transaction commits).
 * Endpoints made before this migration start at the last event older than
 * they are. And an index of each endpoint's pending deliveries by when they
 * are due, by which the worker claims a few per endpoint.
 */
export class WebhookEndpointStart1765000000000 implements MigrationInterface {
  name = 'WebhookEndpointStart1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE "webhook_endpoints" ADD COLUMN "from_tx_order" bigint NOT NULL DEFAULT 0`,
    );
    await runner.query(
      `ALTER TABLE "webhook_endpoints" ADD COLUMN "from_seq" bigint NOT NULL DEFAULT 0`,
    );
    // Each endpoint's due deliveries, oldest first: how the worker claims fairly (claimDue).
    await runner.query(
      `CREATE INDEX "ix_webhook_deliveries_endpoint_due" ON "webhook_deliveries" ("endpoint_id", "next_attempt_at") WHERE "status" = 'PENDING'`,
    );
    await runner.query(
      `UPDATE "webhook_endpoints" SET "from_seq" = COALESCE((SELECT MAX("events"."seq") FROM "events"
         WHERE "events"."created_at" < "webhook_endpoints"."created_at"), 0)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "ix_webhook_deliveries_endpoint_due"`);
    await runner.query(`ALTER TABLE "webhook_endpoints" DROP COLUMN "from_seq"`);
    await runner.query(`ALTER TABLE "webhook_endpoints" DROP COLUMN "from_tx_order"`);
  }
}
