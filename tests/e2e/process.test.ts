/** The `wallet` process itself: start-up checks, shutdown, restarts, and the command line. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { runAudit } from '../../testkit/audit';
import { holdWalletLock } from '../../testkit/locks';
import { Client } from '../../testkit/client';
import {
  POSTGRES_SKIP,
  databaseKinds,
  executeOnDatabase,
  freshDatabase,
  ledgerSnapshot,
  queryDatabase,
  type FreshDatabase,
} from '../../testkit/databases';
import { LOGIN, SEND, SIGNUP, fund, signInProvider, signUp } from '../../testkit/fixtures';
import { MAIN, serverEnv, startServerOn, stopAllServers } from '../../testkit/server';

async function wallet(args: string[], env: Record<string, string | undefined>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MAIN, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

after(stopAllServers);

describe('start-up configuration', () => {
  const databases: FreshDatabase[] = [];
  after(async () => Promise.all(databases.map((d) => d.drop())));

  it('stops with one line naming the variable, and exit code 1', async () => {
    const database = await freshDatabase('sqlite');
    databases.push(database);
    for (const [variable, value] of [
      ['PORT', 'abc'],
      ['DATABASE_URL', 'mysql://localhost/db'],
      ['DEFAULT_CURRENCY', 'XYZ'],
      ['LOCK_TIMEOUT_MS', '-5'],
    ]) {
      const result = await wallet(['serve'], {
        ...serverEnv(database.url),
        [variable]: value,
      });
      assert.equal(result.code, 1, `${variable}=${value}`);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0], new RegExp(`\\b${variable}\\b`));
    }
  });

  it('prints its usage and exits 1 when given no command', async () => {
    const result = await wallet([], {});
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^usage: wallet <command>/);
    const help = await wallet(['--help'], {});
    assert.equal(help.code, 0, 'asked for, the usage is an answer');
  });

  it('says where to open the app, serves no landing page that needs the internet, and asks for https only behind TLS', async () => {
    const database = await freshDatabase('sqlite');
    databases.push(database);
    const server = await startServerOn(database.url);
    try {
      assert.match(server.output(), new RegExp(`Wallet ready at ${server.url}/`));
      const page = await fetch(`${server.url}/`);
      assert.doesNotMatch(
        page.headers.get('content-security-policy') ?? '',
        /upgrade-insecure-requests/,
      );
      const graphql = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
      assert.ok([400, 406].includes(graphql.status), `status ${graphql.status}`);
      assert.doesNotMatch(await graphql.text(), /apollo|<script/i);
    } finally {
      await server.stop();
    }
    const proxied = await startServerOn(database.url, { TRUST_PROXY: '1' });
    try {
      const page = await fetch(`${proxied.url}/`);
      assert.match(page.headers.get('content-security-policy') ?? '', /upgrade-insecure-requests/);
    } finally {
      await proxied.stop();
    }
  });

  it(
    'stops at once, in one line, when the PostgreSQL database does not exist',
    {
      skip: POSTGRES_SKIP,
    },
    async () => {
      const url = new URL(process.env.POSTGRES_TEST_URL as string);
      url.pathname = `/wallet_missing_${randomUUID().replaceAll('-', '')}`;
      const started = performance.now();
      const result = await wallet(['serve'], serverEnv(url.toString()));
      assert.equal(result.code, 1);
      assert.ok(performance.now() - started < 5_000, 'not ten retries as if it were an outage');
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(
        lines[0],
        /DATABASE_URL: the database "wallet_missing_\w+" does not exist.*createdb/,
      );
    },
  );

  it('keeps a new SQLite database to itself: directories 0700, files 0600', async () => {
    const database = await freshDatabase('sqlite');
    databases.push(database);
    // Under a loose umask, in directories that do not exist yet (as ./data/ on a first start).
    const root = path.dirname(database.url.slice('sqlite:'.length));
    const file = path.join(root, 'data', 'nested', 'wallet.sqlite');
    const umask = process.umask(0o022); // the server inherits it
    const server = await startServerOn(`sqlite:${file}`).finally(() => process.umask(umask));
    const mode = (target: string) => fs.statSync(target).mode & 0o777;
    try {
      // A write, so the log and its index exist.
      await signUp(server.url);
      for (const dir of [path.join(root, 'data'), path.dirname(file)]) {
        assert.equal(mode(dir).toString(8), '700', dir);
      }
      for (const suffix of ['', '-wal', '-shm']) {
        assert.equal(mode(file + suffix).toString(8), '600', file + suffix);
      }
    } finally {
      await server.stop();
    }
  });
});

for (const kind of databaseKinds()) {
  describe(`the wallet process on ${kind}`, () => {
    const databases: FreshDatabase[] = [];
    after(async () => Promise.all(databases.map((d) => d.drop())));
    async function database() {
      const fresh = await freshDatabase(kind);
      databases.push(fresh);
      return fresh;
    }

    it('finishes requests in flight on SIGTERM, then exits 0', async () => {
      const db = await database();
      const server = await startServerOn(db.url);
      assert.match(server.output(), new RegExp(`"database":"${kind}"`));
      const [payer, payee] = [await signUp(server.url), await signUp(server.url)];
      await fund(await signInProvider(server.url), payer.walletId, '100.00');
      const inFlight = Array.from({ length: 20 }, () =>
        payer.client.gql(SEND, { input: { toWalletId: payee.walletId, amount: '1.00' } }),
      );
      await sleep(5);
      const exit = server.stop('SIGTERM');
      const answers = await Promise.allSettled(inFlight);
      assert.equal(await exit, 0);
      // Each request either completed before the socket closed, or never reached the server.
      const completed = answers.filter((a) => a.status === 'fulfilled' && !a.value.errors);
      const [{ transfers }] = await queryDatabase<{ transfers: unknown }>(
        db.url,
        'SELECT COUNT(*) AS transfers FROM transfers',
      );
      assert.equal(Number(transfers), completed.length, 'every committed transfer was answered');
      assert.ok(completed.length > 0);
      assert.match(server.output(), /"msg":"stopped"/);
      assert.equal((await runAudit(db.url)).code, 0);
    });

    for (const signal of ['SIGINT', 'SIGHUP'] as const) {
      it(`exits 0 on ${signal}`, async () => {
        const server = await startServerOn((await database()).url);
        assert.equal(await server.stop(signal), 0);
        // Exit 0 alone is not enough: an empty event loop also exits 0, halfway through.
        assert.match(server.output(), /"msg":"stopped"/, 'the database was closed in order');
      });
    }

    it('keeps sessions across a restart (the generated secret is in the database)', async () => {
      const db = await database();
      let server = await startServerOn(db.url);
      const person = await signUp(server.url);
      assert.equal(await server.stop(), 0);
      server = await startServerOn(db.url);
      const client = new Client(server.url);
      client.cookie = person.client.cookie;
      const me = await client.ok('{ me { id } }');
      assert.equal(me.me.id, person.userId);
      await server.stop();
    });

    it('expires a session left idle longer than SESSION_IDLE_TIMEOUT_MS', async () => {
      const server = await startServerOn((await database()).url, {
        SESSION_IDLE_TIMEOUT_MS: '1500',
      });
      const person = await signUp(server.url);
      await sleep(700);
      await person.client.ok('{ wallet { id } }'); // use keeps it alive
      await sleep(1000);
      await person.client.ok('{ wallet { id } }');
      await sleep(2000);
      const stale = new Client(server.url);
      stale.cookie = person.client.cookie;
      await stale.refused('UNAUTHENTICATED', '{ wallet { id } }');
      await server.stop();
    });

    it('updates the configured accounts at start-up', async () => {
      const db = await database();
      let server = await startServerOn(db.url, { ADMIN_PASSWORD: 'first-password' });
      /** The start-up log's line for the account of `role`: what was done, never the password. */
      const accountLine = (role: string) =>
        server
          .output()
          .split('\n')
          .find((line) => line.includes(`"msg":"${role} account `)) ?? '';
      assert.match(accountLine('ADMIN'), /"msg":"ADMIN account created"/);
      assert.match(accountLine('ADMIN'), /"email":"admin@wallet.test"/);
      assert.match(accountLine('SERVICE'), /"msg":"SERVICE account created"/);
      await server.stop();
      server = await startServerOn(db.url, { ADMIN_PASSWORD: 'second-password' });
      assert.match(accountLine('ADMIN'), /"msg":"ADMIN account updated"/);
      assert.doesNotMatch(server.output(), /first-password|second-password|provider-password/);
      const login = (password: string) =>
        new Client(server.url).gql(LOGIN, { input: { email: 'admin@wallet.test', password } });
      assert.equal((await login('second-password')).errors, undefined);
      assert.equal(
        (await login('first-password')).errors?.[0].extensions?.code,
        'INVALID_CREDENTIALS',
      );
      await server.stop();
    });

    it('sets HttpOnly SameSite=Lax cookies, Secure behind a trusted HTTPS proxy', async () => {
      const server = await startServerOn((await database()).url, { TRUST_PROXY: 'true' });
      const signupCookie = async (headers: Record<string, string>) => {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({
            query: SIGNUP,
            variables: {
              input: { name: 'C', email: `${randomUUID()}@c.test`, password: 'cookie-password' },
            },
          }),
        });
        return response.headers.get('set-cookie') ?? '';
      };
      const plain = await signupCookie({});
      assert.match(plain, /^wallet\.sid=/);
      assert.match(plain, /HttpOnly/);
      assert.match(plain, /SameSite=Lax/);
      assert.doesNotMatch(plain, /Secure/);
      assert.match(await signupCookie({ 'x-forwarded-proto': 'https' }), /; Secure/);
      await server.stop();
    });

    it('limits signups per client address (X-Forwarded-For only with TRUST_PROXY)', async () => {
      const db = await database();
      const server = await startServerOn(db.url, {
        SIGNUP_RATE_PER_HOUR: '2',
        TRUST_PROXY: 'true',
      });
      const signupFrom = (address: string, email = `${randomUUID()}@r.test`) =>
        new Client(server.url).post(
          { query: SIGNUP, variables: { input: { name: 'R', email, password: 'rate-password' } } },
          { 'x-forwarded-for': address },
        );
      assert.equal((await signupFrom('203.0.113.1')).errors, undefined);
      assert.equal((await signupFrom('203.0.113.1')).errors, undefined);
      const before = await ledgerSnapshot(db.url);
      const third = await signupFrom('203.0.113.1');
      assert.equal(third.errors?.[0].extensions?.code, 'RATE_LIMITED');
      const retryAfter = (third.errors?.[0].extensions as { retryAfterSeconds?: number })
        .retryAfterSeconds;
      assert.ok(retryAfter !== undefined && retryAfter >= 1 && retryAfter <= 3600, 'retry after');
      // The limit comes before input validation, as the contract orders them.
      const invalid = await signupFrom('203.0.113.1', 'not-an-email');
      assert.equal(invalid.errors?.[0].extensions?.code, 'RATE_LIMITED');
      assert.equal(await ledgerSnapshot(db.url), before);
      assert.equal((await signupFrom('203.0.113.2')).errors, undefined, 'another address');
      await server.stop();
    });

    it('answers WALLET_BUSY when a wallet stays locked past LOCK_TIMEOUT_MS, and changes nothing', async () => {
      const db = await database();
      const server = await startServerOn(db.url, { LOCK_TIMEOUT_MS: '300' });
      const [payer, payee] = [await signUp(server.url), await signUp(server.url)];
      await fund(await signInProvider(server.url), payer.walletId, '10.00');
      const input = { toWalletId: payee.walletId, amount: '1.00', idempotencyKey: randomUUID() };
      const release = await holdWalletLock(db.url, payer.walletId);
      const before = await ledgerSnapshot(db.url);
      try {
        await payer.client.refused('WALLET_BUSY', SEND, { input });
      } finally {
        await release();
      }
      assert.equal(await ledgerSnapshot(db.url), before);
      // Safe to retry with the same key once the lock is free.
      const done = await payer.client.ok(SEND, { input });
      assert.equal(done.walletToWallet.wallet.balance, '9.00');
      await server.stop();
    });

    it('goes on answering while a movement waits for a wallet locked elsewhere', async () => {
      const db = await database();
      const server = await startServerOn(db.url, { LOCK_TIMEOUT_MS: '20000' });
      const [payer, payee] = [await signUp(server.url), await signUp(server.url)];
      await fund(await signInProvider(server.url), payer.walletId, '10.00');
      const release = await holdWalletLock(db.url, payer.walletId);
      let settled = false;
      const waiting = payer.client
        .gql(SEND, { input: { toWalletId: payee.walletId, amount: '1.00' } })
        .finally(() => (settled = true));
      try {
        // SQLite's own busy handler would sleep, and the whole process with it.
        assert.equal((await payer.client.ok('{ me { id } }')).me.id, payer.userId);
        assert.equal(settled, false, 'the movement is still waiting for the lock');
      } finally {
        await release();
      }
      const done = await waiting;
      assert.equal(done.errors, undefined);
      assert.equal(done.data.walletToWallet.wallet.balance, '9.00');
      await server.stop();
    });

    it('runs WORKERS processes on one port; /metrics covers them all; a logout ends the session on all at once; a signal stops all', async () => {
      const db = await database();
      const server = await startServerOn(db.url, { WORKERS: '2' });
      const primary = server.process.pid as number;
      const workers = await childPids(primary);
      assert.equal(workers.length, 2, 'two workers under the primary');
      const person = await signUp(server.url);
      const cookie = person.client.cookie ?? '';
      // A new connection per request: the primary spreads connections over the workers.
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => postOnNewConnection(server.url, '{ me { id } }', cookie)),
      );
      for (const answer of answers) assert.match(answer, new RegExp(person.userId));
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      const counted = metrics
        .split('\n')
        .filter((line) => line.startsWith('wallet_graphql_requests_total{operation="me"'))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
      assert.equal(counted, 20, 'every request, whichever worker served it');
      // Both workers have just read the session; a logout on one ends it on both at once.
      assert.match(await postOnNewConnection(server.url, 'mutation { logout }', cookie), /true/);
      const afterLogout = await Promise.all(
        Array.from({ length: 20 }, () => postOnNewConnection(server.url, '{ me { id } }', cookie)),
      );
      for (const answer of afterLogout)
        assert.deepEqual(JSON.parse(answer), { data: { me: null } });
      assert.equal(await server.stop('SIGTERM'), 0);
      assert.match(server.output(), /"failedExits":0,"msg":"stopped"/);
      assert.deepEqual(await childPids(primary), []);
    });

    it('creates users from the command line, refusing a taken email', async () => {
      const db = await database();
      const env = { DATABASE_URL: db.url, LOG_LEVEL: 'error' };
      const email = `${randomUUID()}@cli.test`;
      const args = [
        'create-user',
        '--role',
        'ADMIN',
        '--email',
        email,
        '--password',
        'cli-password',
      ];
      const created = await wallet(args, env);
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /created ADMIN/);
      const again = await wallet(args, env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already exists/);
      assert.equal(
        (await wallet(['create-user', '--role', 'KING', '--email', email], env)).code,
        1,
      );
      assert.equal((await wallet(['migrate'], env)).code, 0);
    });

    it('audits: exit 0 when every invariant holds, 1 naming what was tampered with', async () => {
      const db = await database();
      const server = await startServerOn(db.url);
      const [payer, payee] = [await signUp(server.url), await signUp(server.url)];
      await fund(await signInProvider(server.url), payer.walletId, '10.00');
      await payer.client.ok(SEND, { input: { toWalletId: payee.walletId, amount: '4.00' } });
      await server.stop();
      const clean = await runAudit(db.url);
      assert.equal(clean.code, 0, clean.output);
      assert.match(clean.output, /every invariant holds/);
      await executeOnDatabase(db.url, [
        `UPDATE wallets SET balance_minor = balance_minor + 1 WHERE id = '${payee.walletId}'`,
      ]);
      const tampered = await runAudit(db.url);
      assert.equal(tampered.code, 1);
      assert.match(tampered.output, new RegExp(`wallet ${payee.walletId}: balance 401`));
      assert.match(tampered.output, /USD: balances sum to 1001 but deposits - withdrawals = 1000/);
    });
  });
}

async function childPids(pid: number): Promise<number[]> {
  const result = await promisify(execFile)('pgrep', ['-P', String(pid)]).catch(() => ({
    stdout: '',
  }));
  return result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(Number);
}

/** A GraphQL POST on a connection of its own (no keep-alive pool). */
function postOnNewConnection(baseUrl: string, query: string, cookie: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${baseUrl}/graphql`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', cookie, connection: 'close' },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve(body));
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify({ query }));
  });
}
