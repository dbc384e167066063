/**
 * The database going away and coming back, through a TCP proxy the test cuts
 * and restores (a throw-away PostgreSQL cluster is awkward to run as root).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { POSTGRES_SKIP, freshDatabase } from '../../testkit/databases';
import { fund, signInProvider, signUp } from '../../testkit/fixtures';
import { startServerOn, stopAllServers } from '../../testkit/server';
import { TcpProxy } from '../helpers/tcp-proxy';

after(stopAllServers);

async function readiness(url: string): Promise<number> {
  return (await fetch(`${url}/readyz`)).status;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`never: ${what}`);
}

if (POSTGRES_SKIP !== false) {
  it('PostgreSQL outages', { skip: POSTGRES_SKIP });
} else {
  describe('PostgreSQL outages', () => {
    it('/readyz is 503 while the database is unreachable and 200 once it returns, no restart', async () => {
      const database = await freshDatabase('postgres');
      const proxy = await TcpProxy.to({ host: '127.0.0.1', port: 5432 });
      proxy.restore();
      const url = new URL(database.url);
      url.port = String(proxy.port);
      url.hostname = '127.0.0.1';
      const server = await startServerOn(url.toString());
      try {
        assert.match(server.output(), /"database":"postgres"/);
        const person = await signUp(server.url);
        await fund(await signInProvider(server.url), person.walletId, '5.00');
        assert.equal(await readiness(server.url), 200);
        proxy.cut();
        await eventually(async () => (await readiness(server.url)) === 503, 'readyz 503');
        assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'alive all the same');
        const during = await person.client.gql('{ wallet { balance } }');
        assert.equal(during.errors?.[0].extensions?.code, 'INTERNAL_SERVER_ERROR');
        proxy.restore();
        await eventually(async () => (await readiness(server.url)) === 200, 'readyz 200 again');
        const afterwards = await person.client.ok('{ wallet { balance } }');
        assert.equal(afterwards.wallet.balance, '5.00');
      } finally {
        await server.stop();
        await proxy.close();
        await database.drop();
      }
    });

    it('start-up retries while the database is not reachable yet', async () => {
      const database = await freshDatabase('postgres');
      const proxy = await TcpProxy.to({ host: '127.0.0.1', port: 5432 });
      const url = new URL(database.url);
      url.port = String(proxy.port);
      url.hostname = '127.0.0.1';
      const starting = startServerOn(url.toString(), {
        DB_CONNECT_RETRIES: '30',
        DB_CONNECT_RETRY_MS: '200',
      });
      // Back only after the server found it away twice (a first try and a retry), however
      // long a busy machine takes to start it: a fixed delay raced the start.
      await proxy.refused(2);
      proxy.restore();
      const server = await starting;
      try {
        assert.match(server.output(), /database not reachable; retrying/);
        assert.equal(await readiness(server.url), 200);
      } finally {
        await server.stop();
        await proxy.close();
        await database.drop();
      }
    });

    it('gives up after DB_CONNECT_RETRIES with exit code 1', async () => {
      const proxy = await TcpProxy.to({ host: '127.0.0.1', port: 5432 });
      try {
        const started = startServerOn(`postgres://postgres@127.0.0.1:${proxy.port}/nowhere`, {
          DB_CONNECT_RETRIES: '2',
          DB_CONNECT_RETRY_MS: '100',
        });
        await assert.rejects(started, /server exited with 1/);
      } finally {
        await proxy.close();
      }
    });
  });
}
