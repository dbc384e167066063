/**
 * `npm run bench:history`: a wallet's history at size. Seeds one wallet with
 * --operations operations (1,000,000 by default) spread over 300 days, with
 * SQL on a fresh database, then over HTTP against a real server times
 * balanceAt at random moments, statements of a month and of a year, a page
 * of operations deep in the history, and the CSV download of the whole year,
 * with the server's peak memory (VmHWM, reset before the download).
 *
 *   npm run bench:history -- [--db sqlite|postgres] [--operations 1000000] [--samples 200]
 *
 * Figures, not a test of speed; but it exits 1 if an answer is wrong (a
 * balance that is not the seeded one, a CSV with the wrong number of rows).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from '../testkit/client';
import {
  executeOnDatabase,
  freshDatabase,
  queryDatabase,
  type DatabaseKind,
} from '../testkit/databases';
import { signUp } from '../testkit/fixtures';
import { startServerOn } from '../testkit/server';
import { DEPLOYED_ENV } from './deployed';
import { percentile } from './proc';

const SPAN_MS = 300 * 86_400_000;

/** Operation n (1..N): a deposit of 1 cent at start + n * step, leaving a balance of n cents. */
function seedStatement(
  kind: DatabaseKind,
  count: number,
  walletId: string,
  userId: string,
  startMs: number,
  stepMs: number,
) {
  const columns = `(id, wallet_id, type, amount_minor, balance_after_minor, reference, details, initiator_user_id, created_at)`;
  if (kind === 'postgres') {
    return `INSERT INTO operations ${columns}
      SELECT gen_random_uuid()::text, '${walletId}', 'DEPOSIT', 1, n, NULL, 'seeded, operation ' || n,
             '${userId}', ${startMs} + n::bigint * ${stepMs}
        FROM generate_series(1, ${count}) AS n`;
  }
  return `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${count})
    INSERT INTO operations ${columns}
    SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2)
             || '-a' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
           '${walletId}', 'DEPOSIT', 1, n, NULL, 'seeded, operation ' || n, '${userId}', ${startMs} + n * ${stepMs}
      FROM g`;
}

function memoryOf(pid: number): { peakMb: number; nowMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { peakMb: kb('VmHWM') / 1024, nowMb: kb('VmRSS') / 1024 };
}

async function timed<T>(run: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await run();
  return [performance.now() - started, result];
}

async function main() {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'sqlite' },
      operations: { type: 'string', default: '1000000' },
      samples: { type: 'string', default: '200' },
    },
  });
  const kind = values.db as DatabaseKind;
  const count = Number(values.operations);
  const samples = Number(values.samples);
  const database = await freshDatabase(kind);
  const server = await startServerOn(database.url, DEPLOYED_ENV);
  let failed = false;
  const check = (ok: boolean, what: string) => {
    if (!ok) {
      failed = true;
      console.error(`WRONG: ${what}`);
    }
  };
  try {
    const person = await signUp(server.url, 'History');
    const stepMs = Math.floor(SPAN_MS / count);
    const endMs = Date.now() - 86_400_000;
    const startMs = endMs - count * stepMs;
    const [seedMs] = await timed(() =>
      executeOnDatabase(database.url, [
        seedStatement(kind, count, person.walletId, person.userId, startMs, stepMs),
        `UPDATE wallets SET balance_minor = ${count}, last_operation_at = ${endMs} WHERE id = '${person.walletId}'`,
        kind === 'postgres' ? 'ANALYZE operations' : 'ANALYZE',
      ]),
    );
    const [{ n }] = await queryDatabase<{ n: unknown }>(
      database.url,
      'SELECT COUNT(*) AS n FROM operations WHERE wallet_id = ?',
      [person.walletId],
    );
    console.log(`${kind}: seeded ${Number(n)} operations in ${(seedMs / 1000).toFixed(1)} s`);

    const client: Client = person.client;
    const iso = (ms: number) => new Date(ms).toISOString();
    const query = (text: string, variables: Record<string, unknown>) => client.ok(text, variables);
    const BALANCE_AT = `query($id: ID!, $t: DateTime!) { wallet(id: $id) { balanceAt(time: $t) } }`;
    const STATEMENT = `query($id: ID!, $from: DateTime!, $to: DateTime!) {
      wallet(id: $id) { statement(from: $from, to: $to) { openingBalance closingBalance totalIn totalOut
        operations(first: 20) { nodes { id } } } } }`;
    const PAGE = `query($id: ID!, $to: DateTime!) {
      wallet(id: $id) { operations(first: 100, to: $to) { nodes { id } } } }`;
    const cents = (minor: number) =>
      `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
    // Operation k is at startMs + k * stepMs; the balance before t is the number of those before it.
    const before = (t: number) =>
      Math.max(0, Math.min(count, Math.ceil((t - startMs) / stepMs) - 1));

    await query(BALANCE_AT, { id: person.walletId, t: iso(endMs) }); // warm
    // Alternately, the same request without balanceAt: what the lookup itself adds.
    const BALANCE = `query($id: ID!) { wallet(id: $id) { balance } }`;
    const latencies: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t = startMs + Math.floor(Math.random() * (count * stepMs + 2 * stepMs));
      const [ms, data] = await timed(() => query(BALANCE_AT, { id: person.walletId, t: iso(t) }));
      latencies.push(ms);
      check(
        data.wallet.balanceAt === cents(before(t)),
        `balanceAt ${iso(t)}: ${data.wallet.balanceAt}`,
      );
      baseline.push((await timed(() => query(BALANCE, { id: person.walletId })))[0]);
    }
    const figures = (list: number[]) => {
      list.sort((a, b) => a - b);
      return `p50 ${percentile(list, 50).toFixed(2)} ms, p99 ${percentile(list, 99).toFixed(2)} ms`;
    };
    console.log(
      `balanceAt over HTTP (${samples} random moments): ${figures(latencies)}; ` +
        `the same request for the balance alone: ${figures(baseline)}`,
    );

    for (const [name, days] of [
      ['a month', 30],
      ['a year', 366],
    ] as const) {
      const to = endMs + 1;
      const from = to - days * 86_400_000;
      const [ms, data] = await timed(() =>
        query(STATEMENT, { id: person.walletId, from: iso(from), to: iso(to) }),
      );
      const s = data.wallet.statement;
      check(s.closingBalance === cents(count), `closing of ${name}`);
      check(s.totalIn === cents(count - before(from)), `total in of ${name}`);
      console.log(`statement of ${name} (${count - before(from)} operations): ${ms.toFixed(1)} ms`);
    }
    const [pageMs] = await timed(() =>
      query(PAGE, { id: person.walletId, to: iso(startMs + Math.floor(count / 2) * stepMs) }),
    );
    console.log(`a page of 100 operations from the middle of the history: ${pageMs.toFixed(1)} ms`);

    const pid = server.process.pid as number;
    const idle = memoryOf(pid);
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
    const from = iso(endMs + 1 - 366 * 86_400_000);
    const to = iso(endMs + 1);
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(Math.round(memoryOf(pid).nowMb)), 1000);
    const [downloadMs, { rows, bytes, status }] = await timed(async () => {
      const response = await fetch(
        `${server.url}/wallets/${person.walletId}/statement.csv?from=${from}&to=${to}`,
        { headers: { cookie: client.cookie ?? '' } },
      );
      let lines = 0;
      let size = 0;
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.length;
        lines += decoder.decode(chunk, { stream: true }).split('\r\n').length - 1;
      }
      return { rows: lines - 1, bytes: size, status: response.status };
    });
    clearInterval(sampler);
    const during = memoryOf(pid);
    if (process.env.RSS_SERIES) console.log(`RSS each second (MB): ${rss.join(' ')}`);
    check(status === 200 && rows === count, `CSV: status ${status}, ${rows} rows`);
    console.log(
      `CSV of the year: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${(downloadMs / 1000).toFixed(1)} s; ` +
        `server RSS ${idle.nowMb.toFixed(0)} MB before, peak ${during.peakMb.toFixed(0)} MB while downloading`,
    );
  } finally {
    await server.stop();
    await database.drop();
  }
  if (failed) process.exitCode = 1;
}

void main();
