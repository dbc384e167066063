import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Counters whose window has ended are deleted now and then (RateLimiter's
 * pruneEnded); this index finds them without reading every counter, a table
 * with a row per email or address ever tried.
 */
export class RateLimitWindowIndex1764100000000 implements MigrationInterface {
  name = 'RateLimitWindowIndex1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE INDEX "ix_rate_limits_window_started_at" ON "rate_limits" ("window_started_at")`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "ix_rate_limits_window_started_at"`);
  }
}
