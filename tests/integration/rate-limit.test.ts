import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RateLimiter } from '../../src/app/auth/rate-limit';
import { DomainError } from '../../src/domain/errors';
import {
  databaseKinds,
  executeOnDatabase,
  migratedDatabase,
  queryDatabase,
  type MigratedDatabase,
} from '../../testkit/databases';

const HOUR_MS = 60 * 60_000;

for (const kind of databaseKinds()) {
  describe(`rate limits on ${kind}`, () => {
    let env: MigratedDatabase;
    before(async () => {
      env = await migratedDatabase(kind);
    });
    after(async () => env?.close());

    const counters = async () =>
      (await queryDatabase<{ key: string }>(env.url, 'SELECT key FROM rate_limits'))
        .map((row) => row.key)
        .sort();

    it('refuse past the limit, and prune only counters whose window has ended', async () => {
      const login = new RateLimiter(env.db, 'login', 2, HOUR_MS);
      const signup = new RateLimiter(env.db, 'signup', 2, HOUR_MS);
      await login.hit('old@example.com', 'too many');
      await login.hit('old@example.com', 'too many');
      await assert.rejects(
        login.hit('old@example.com', 'too many'),
        (error) => error instanceof DomainError && error.code === 'RATE_LIMITED',
      );
      await signup.hit('192.0.2.1', 'too many');
      // The login counter's window began two hours ago, the signup one's too.
      await executeOnDatabase(env.url, [
        `UPDATE rate_limits SET window_started_at = window_started_at - ${2 * HOUR_MS}`,
      ]);
      await login.hit('new@example.com', 'too many');

      assert.equal(await login.pruneEnded(), 1);
      // The signup counter is another limiter's; the new login counter's window goes on.
      assert.deepEqual(await counters(), ['login:new@example.com', 'signup:192.0.2.1']);
      // A pruned counter is as good as an ended one: the next attempt starts afresh.
      await login.hit('old@example.com', 'too many');
      await login.hit('old@example.com', 'too many');
      assert.equal(await signup.pruneEnded(), 1);
      assert.deepEqual(await counters(), ['login:new@example.com', 'login:old@example.com']);
    });
  });
}
