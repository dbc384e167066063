/** Fresh, real databases for tests: a temporary SQLite file, or a new PostgreSQL database. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Client as PgClient } from 'pg';
import { loadConfig, type Config } from '../src/config';
import type { Services } from '../src/app/services';
import { nowMs } from '../src/db/clock';
import type { Database } from '../src/db/database';
import { migrate, openDatabase } from '../src/db/open';
import { createLogger } from '../src/logger';
import { createServices } from '../src/app/services';

export type DatabaseKind = 'sqlite' | 'postgres';

/** The variable that points the suites at a PostgreSQL server; unset, PostgreSQL suites are skipped. */
export const POSTGRES_URL_VARIABLE = 'POSTGRES_TEST_URL';

/** Why PostgreSQL's half is not run, or false when it is. */
export const POSTGRES_SKIP: string | false = process.env[POSTGRES_URL_VARIABLE]
  ? false
  : `${POSTGRES_URL_VARIABLE} is not set (e.g. postgres://postgres@127.0.0.1:5432/test)`;

let postgresSkipReported = false;

/**
 * The databases a suite runs on. Without PostgreSQL, its half is reported
 * as a skipped test (once per file), so the runner counts it and
 * `npm test` lists it; a console line alone would pass unnoticed.
 */
export function databaseKinds(): DatabaseKind[] {
  if (POSTGRES_SKIP === false) return ['sqlite', 'postgres'];
  if (!postgresSkipReported) {
    postgresSkipReported = true;
    // Registered here, so named after the file that runs (node --test runs each file as its own process).
    const file = path.relative(process.cwd(), process.argv[1] ?? 'this file');
    it(`${file} on postgres`, { skip: POSTGRES_SKIP });
  }
  return ['sqlite'];
}

export interface FreshDatabase {
  kind: DatabaseKind;
  url: string;
  drop(): Promise<void>;
}

export async function freshDatabase(kind: DatabaseKind): Promise<FreshDatabase> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wallet-test-'));
    return {
      kind,
      url: `sqlite:${path.join(dir, 'wallet.sqlite')}`,
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const adminUrl = process.env[POSTGRES_URL_VARIABLE] as string;
  const name = `wallet_test_${randomBytes(6).toString('hex')}`;
  const admin = new PgClient({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: async () => {
      const client = new PgClient({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export function testConfig(url: string, env: Record<string, string> = {}): Config {
  return loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'error', LOCK_TIMEOUT_MS: '5000', ...env });
}

export interface MigratedDatabase {
  db: Database;
  services: Services;
  url: string;
  close(): Promise<void>;
}

/** A fresh database, migrated, with the services over it (no HTTP). */
export async function migratedDatabase(
  kind: DatabaseKind,
  env: Record<string, string> = {},
): Promise<MigratedDatabase> {
  const fresh = await freshDatabase(kind);
  const config = testConfig(fresh.url, env);
  const log = createLogger('error');
  const db = await openDatabase(config, log);
  await migrate(db);
  const services = await createServices(config, db, log);
  return {
    db,
    services,
    url: fresh.url,
    close: async () => {
      await db.close();
      await fresh.drop();
    },
  };
}

/** Runs one read-only query (with `?` placeholders) on a database by URL, over a connection of the test's own. */
export async function queryDatabase<T = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (url.startsWith('sqlite:')) {
    const connection = new BetterSqlite3(url.slice('sqlite:'.length), { readonly: true });
    try {
      return connection.prepare(text).all(...params) as T[];
    } finally {
      connection.close();
    }
  }
  const client = new PgClient({ connectionString: url });
  await client.connect();
  try {
    let index = 0;
    return (
      await client.query(
        text.replace(/\?/g, () => `$${++index}`),
        params,
      )
    ).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * Everything a refused request must leave untouched: balances and what
 * pending holds reserve, every hold's and payment request's state, every
 * ledger table's size, the events. States are as read (a PENDING hold past
 * its expiry is EXPIRED), and expiry events are left out: the webhook worker
 * stores expiries when their time comes, whatever a test is doing.
 */
export async function ledgerSnapshot(url: string): Promise<string> {
  const now = nowMs(url.startsWith('sqlite:') ? 'sqlite' : 'postgres');
  const expired = `status = 'PENDING' AND expires_at <= ${now}`;
  const balances = await queryDatabase(
    url,
    `SELECT id, CAST(balance_minor AS TEXT) AS b,
            (SELECT CAST(COALESCE(SUM(amount_minor), 0) AS TEXT) FROM holds
              WHERE holds.wallet_id = wallets.id AND status = 'PENDING' AND expires_at > ${now}) AS h
       FROM wallets ORDER BY id`,
  );
  const holds = await queryDatabase(
    url,
    `SELECT id, CASE WHEN ${expired} THEN 'EXPIRED' ELSE status END AS status,
            CAST(captured_minor AS TEXT) AS c FROM holds ORDER BY id`,
  );
  const requests = await queryDatabase(
    url,
    `SELECT id, CASE WHEN ${expired} THEN 'EXPIRED' ELSE status END AS status, transfer_id
       FROM payment_requests ORDER BY id`,
  );
  const counts = await queryDatabase(
    url,
    `SELECT (SELECT COUNT(*) FROM operations) AS operations,
            (SELECT COUNT(*) FROM transfers) AS transfers,
            (SELECT COUNT(*) FROM wallets) AS wallets,
            (SELECT COUNT(*) FROM users) AS users,
            (SELECT COUNT(*) FROM service_references) AS refs,
            (SELECT COUNT(*) FROM events
              WHERE type NOT IN ('HOLD_EXPIRED', 'PAYMENT_REQUEST_EXPIRED')) AS events`,
  );
  return JSON.stringify({
    balances,
    holds,
    requests,
    counts: Object.fromEntries(Object.entries(counts[0]).map(([k, v]) => [k, String(v)])),
  });
}

/** Runs statements on a database by URL, behind the service's back (tampering, triggers). */
export async function executeOnDatabase(url: string, statements: string[]): Promise<void> {
  if (url.startsWith('sqlite:')) {
    const connection = new BetterSqlite3(url.slice('sqlite:'.length));
    try {
      for (const statement of statements) connection.exec(statement);
    } finally {
      connection.close();
    }
    return;
  }
  const client = new PgClient({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Drops the append-only triggers, so a test can tamper with the ledger as an attacker with database access could. */
export function dropLedgerTriggers(url: string): Promise<void> {
  return executeOnDatabase(
    url,
    url.startsWith('sqlite:')
      ? ['operations', 'transfers'].flatMap((t) => [
          `DROP TRIGGER "trg_${t}_no_update"`,
          `DROP TRIGGER "trg_${t}_no_delete"`,
        ])
      : ['operations', 'transfers'].map((t) => `DROP TRIGGER "trg_${t}_append_only" ON "${t}"`),
  );
}
