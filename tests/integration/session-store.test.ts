import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type session from 'express-session';
import { sessionRecords } from '../../src/app/sessions';
import { DatabaseSessionStore } from '../../src/http/session-store';
import { endSessionsOf } from '../../src/db/queries/sessions';
import type { UserId } from '../../src/domain/ids';
import { DELETE_CHUNK } from '../../src/db/database';
import {
  databaseKinds,
  executeOnDatabase,
  migratedDatabase,
  queryDatabase,
  type MigratedDatabase,
} from '../../testkit/databases';

const call = <T>(fn: (callback: (error?: unknown, value?: T) => void) => void) =>
  new Promise<T | undefined>((resolve, reject) =>
    fn((error, value) => (error ? reject(error) : resolve(value))),
  );

function data(expiresInMs: number): session.SessionData {
  return {
    cookie: { expires: new Date(Date.now() + expiresInMs), originalMaxAge: expiresInMs },
    userId: 'u-1',
    role: 'USER',
  } as unknown as session.SessionData;
}

for (const kind of databaseKinds()) {
  describe(`session store on ${kind}`, () => {
    let env: MigratedDatabase;
    let store: DatabaseSessionStore;
    before(async () => {
      env = await migratedDatabase(kind);
      store = new DatabaseSessionStore(sessionRecords(env.db), 60_000, 3_600_000);
    });
    after(async () => env?.close());

    it('keeps, touches and destroys sessions', async () => {
      assert.equal(env.db.kind, kind);
      await call((cb) => store.set('sid-1', data(60_000), cb));
      const found = await call<session.SessionData | null>((cb) => store.get('sid-1', cb));
      assert.equal((found as unknown as { userId: string }).userId, 'u-1');
      await call((cb) => store.set('sid-1', { ...data(60_000), role: 'ADMIN' } as never, cb));
      const updated = await call<session.SessionData | null>((cb) => store.get('sid-1', cb));
      assert.equal((updated as unknown as { role: string }).role, 'ADMIN');
      await call((cb) => store.destroy('sid-1', cb));
      assert.equal(await call((cb) => store.get('sid-1', cb)), null);
      assert.equal(await call((cb) => store.get('never-existed', cb)), null);
    });

    it('treats an expired session as gone, and a touch extends it', async () => {
      await call((cb) => store.set('sid-2', data(50), cb));
      await call((cb) => store.touch('sid-2', data(60_000), cb));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.notEqual(await call((cb) => store.get('sid-2', cb)), null, 'touched: still alive');
      await call((cb) => store.set('sid-3', data(50), cb));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await call((cb) => store.get('sid-3', cb)), null, 'expired');
      assert.equal(await store.pruneExpired(), 1);
    });

    it('prunes expired sessions a chunk at a time, every one of them and nothing else', async () => {
      const expired = 2 * DELETE_CHUNK + 3;
      await executeOnDatabase(env.url, [
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${expired})
         INSERT INTO sessions (sid, data, expires_at) SELECT 'expired-' || i, '{}', 1 FROM n`,
      ]);
      await call((cb) => store.set('sid-live', data(60_000), cb));
      assert.equal(await store.pruneExpired(), expired);
      const [left] = await queryDatabase<{ n: unknown }>(
        env.url,
        "SELECT COUNT(*) AS n FROM sessions WHERE sid LIKE 'expired-%'",
      );
      assert.equal(Number(left.n), 0);
      assert.ok(await call((cb) => store.get('sid-live', cb)), 'a live session stays');
    });

    it('ends a session at once everywhere: a logout on another instance, or its row deleted', async () => {
      const elsewhere = new DatabaseSessionStore(sessionRecords(env.db), 60_000, 3_600_000);
      const userOf = async (sid: string) =>
        (
          (await call<session.SessionData | null>((cb) => store.get(sid, cb))) as unknown as {
            userId: string;
          } | null
        )?.userId ?? null;
      await call((cb) => store.set('sid-5', data(60_000), cb));
      assert.equal(await userOf('sid-5'), 'u-1');
      await call((cb) => elsewhere.destroy('sid-5', cb));
      assert.equal(await userOf('sid-5'), null, 'ended by another instance');
      await call((cb) => elsewhere.set('sid-6', data(60_000), cb));
      assert.equal(await userOf('sid-6'), 'u-1');
      await executeOnDatabase(env.url, ["DELETE FROM sessions WHERE sid = 'sid-6'"]);
      assert.equal(await userOf('sid-6'), null, 'deleted behind its back');
      // What a logout elsewhere ended, a touch here does not bring back.
      await call((cb) => store.touch('sid-6', data(120_000), cb));
      assert.equal(await userOf('sid-6'), null);
    });

    it('writes a touch only once the expiry has moved by a tenth of the idle timeout', async () => {
      const storedExpiry = async () => {
        const [row] = await queryDatabase<{ expires_at: unknown }>(
          env.url,
          "SELECT expires_at FROM sessions WHERE sid = 'sid-4'",
        );
        return Number(row.expires_at);
      };
      const session = data(60_000);
      await call((cb) => store.set('sid-4', session, cb));
      const written = await storedExpiry();
      // The idle timeout is a minute: a touch that moves the expiry less than 6 s is not written...
      await call((cb) => store.touch('sid-4', data(60_000 + 5_000), cb));
      assert.equal(await storedExpiry(), written);
      // ...one that moves it further is.
      const later = data(60_000 + 7_000);
      await call((cb) => store.touch('sid-4', later, cb));
      assert.equal(await storedExpiry(), new Date(later.cookie.expires as Date).getTime());
      // A touch never shortens what another instance may have extended.
      const other = new DatabaseSessionStore(sessionRecords(env.db), 60_000, 3_600_000);
      await call((cb) => other.touch('sid-4', data(10_000), cb));
      assert.equal(await storedExpiry(), new Date(later.cookie.expires as Date).getTime());
    });

    it('ends a session its absolute lifetime after it began, however much it is used', async () => {
      const brief = new DatabaseSessionStore(sessionRecords(env.db), 60_000, 300);
      await call((cb) => brief.set('sid-5', data(60_000), cb));
      assert.notEqual(await call((cb) => brief.get('sid-5', cb)), null, 'young: alive');
      // Used and touched all along: the idle expiry keeps moving, the start does not.
      for (let i = 0; i < 4; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await call((cb) => brief.touch('sid-5', data(60_000 + i * 10_000), cb));
        await call((cb) => brief.set('sid-5', data(60_000 + i * 10_000), cb));
      }
      assert.equal(await call((cb) => brief.get('sid-5', cb)), null, 'past its lifetime: gone');
      // The same row under the longer lifetime is still alive: the start was kept, not reset.
      assert.notEqual(await call((cb) => store.get('sid-5', cb)), null);
    });

    it("ends every session of one user at once, and only that user's", async () => {
      const owned = (userId: string) => ({ ...data(60_000), userId }) as never;
      await call((cb) => store.set('sid-a1', owned('user-a'), cb));
      await call((cb) => store.set('sid-a2', owned('user-a'), cb));
      await call((cb) => store.set('sid-b1', owned('user-b'), cb));
      const elsewhere = new DatabaseSessionStore(sessionRecords(env.db), 60_000, 3_600_000);
      assert.notEqual(await call((cb) => elsewhere.get('sid-a2', cb)), null);
      assert.equal(await env.db.transaction((sql) => endSessionsOf(sql, 'user-a' as UserId)), 2);
      assert.equal(await call((cb) => store.get('sid-a1', cb)), null);
      assert.equal(
        await call((cb) => elsewhere.get('sid-a2', cb)),
        null,
        'gone on the other store too',
      );
      assert.notEqual(
        await call((cb) => store.get('sid-b1', cb)),
        null,
        'another user keeps theirs',
      );
    });
  });
}
