import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each session row names its user, so a password change (or, later, a
 * disabled account) can end every session of that user with one statement,
 * seen at once by every instance; and it keeps when it began, so a session
 * ends SESSION_ABSOLUTE_TIMEOUT_MS after its login however much it is used.
 * Sessions that exist already are given their owner from their data and
 * begin now.
 */
export class SessionOwners1765100000000 implements MigrationInterface {
  name = 'SessionOwners1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.options.type === 'postgres';
    await runner.query(`ALTER TABLE "sessions" ADD COLUMN "user_id" varchar(36)`);
    await runner.query(`ALTER TABLE "sessions" ADD COLUMN "created_at" bigint NOT NULL DEFAULT 0`);
    await runner.query(
      postgres
        ? `UPDATE "sessions" SET "user_id" = "data"::json ->> 'userId',
             "created_at" = CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) AS BIGINT)`
        : `UPDATE "sessions" SET "user_id" = json_extract("data", '$.userId'),
             "created_at" = CAST(unixepoch('subsec') * 1000 AS INTEGER)`,
    );
    await runner.query(`CREATE INDEX "ix_sessions_user_id" ON "sessions" ("user_id")`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "ix_sessions_user_id"`);
    await runner.query(`ALTER TABLE "sessions" DROP COLUMN "created_at"`);
    await runner.query(`ALTER TABLE "sessions" DROP COLUMN "user_id"`);
  }
}
