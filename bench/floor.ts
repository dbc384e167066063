/**
 * The framework-free floor the benchmark compares the service with (not
 * shipped): node:http + better-sqlite3, WAL and synchronous=FULL, integer
 * keys, a session lookup and one transfer per request (two operations, a
 * transfer row, two balances), each transfer in its own savepoint, and the
 * transfers that arrive in one event-loop turn committed together.
 *
 *   node dist/bench/floor.js <sqlite file> [port]   (prints "listening <port>"; by default any free port)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import BetterSqlite3 from 'better-sqlite3';

export const FLOOR_SCHEMA = `
  CREATE TABLE IF NOT EXISTS sessions (sid TEXT PRIMARY KEY, user_id INTEGER NOT NULL, expires_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS wallets (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,
    balance_minor INTEGER NOT NULL CHECK (balance_minor >= 0));
  CREATE TABLE IF NOT EXISTS transfers (id INTEGER PRIMARY KEY, from_wallet INTEGER NOT NULL,
    to_wallet INTEGER NOT NULL, amount_minor INTEGER NOT NULL, created_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS operations (id INTEGER PRIMARY KEY, wallet_id INTEGER NOT NULL,
    transfer_id INTEGER NOT NULL, amount_minor INTEGER NOT NULL, balance_after_minor INTEGER NOT NULL,
    created_at INTEGER NOT NULL);
`;

interface Job {
  sid: string;
  to: number;
  amountMinor: number;
  reply: (status: number, body: string) => void;
}

function serve(file: string, port: number): void {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(FLOOR_SCHEMA);
  const session = db.prepare('SELECT user_id FROM sessions WHERE sid = ? AND expires_at > ?');
  const walletOf = db.prepare('SELECT id, balance_minor FROM wallets WHERE user_id = ?');
  const walletById = db.prepare('SELECT id, balance_minor FROM wallets WHERE id = ?');
  const setBalance = db.prepare('UPDATE wallets SET balance_minor = ? WHERE id = ?');
  const addTransfer = db.prepare(
    'INSERT INTO transfers (from_wallet, to_wallet, amount_minor, created_at) VALUES (?, ?, ?, ?)',
  );
  const addOperation = db.prepare(
    'INSERT INTO operations (wallet_id, transfer_id, amount_minor, balance_after_minor, created_at) VALUES (?, ?, ?, ?, ?)',
  );

  let batch: Job[] = [];
  const transfer = (job: Job): [number, string] => {
    const user = session.get(job.sid, Date.now()) as { user_id: number } | undefined;
    if (!user) return [401, '{"error":"UNAUTHENTICATED"}'];
    const from = walletOf.get(user.user_id) as { id: number; balance_minor: number };
    const to = walletById.get(job.to) as { id: number; balance_minor: number } | undefined;
    if (!to || to.id === from.id) return [400, '{"error":"NOT_FOUND"}'];
    if (from.balance_minor < job.amountMinor) return [200, '{"error":"INSUFFICIENT_FUNDS"}'];
    const now = Date.now();
    const id = Number(addTransfer.run(from.id, to.id, job.amountMinor, now).lastInsertRowid);
    addOperation.run(from.id, id, -job.amountMinor, from.balance_minor - job.amountMinor, now);
    addOperation.run(to.id, id, job.amountMinor, to.balance_minor + job.amountMinor, now);
    setBalance.run(from.balance_minor - job.amountMinor, from.id);
    setBalance.run(to.balance_minor + job.amountMinor, to.id);
    return [200, `{"transfer":${id}}`];
  };
  const flush = () => {
    const jobs = batch;
    batch = [];
    const answers: [number, string][] = [];
    db.exec('BEGIN IMMEDIATE');
    for (const job of jobs) {
      db.exec('SAVEPOINT one');
      try {
        answers.push(transfer(job));
        db.exec('RELEASE one');
      } catch {
        db.exec('ROLLBACK TO one');
        db.exec('RELEASE one');
        answers.push([500, '{"error":"INTERNAL"}']);
      }
    }
    db.exec('COMMIT');
    jobs.forEach((job, i) => job.reply(...answers[i]));
  };

  const server = http
    .createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const sid = /sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '';
        let input: { to?: number; amountMinor?: number } = {};
        try {
          input = JSON.parse(body);
        } catch {
          /* refused below */
        }
        const reply = (status: number, text: string) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(text);
        if (!Number.isSafeInteger(input.to) || !Number.isSafeInteger(input.amountMinor)) {
          reply(400, '{"error":"BAD_USER_INPUT"}');
          return;
        }
        if (batch.length === 0) setImmediate(flush);
        batch.push({
          sid,
          to: input.to as number,
          amountMinor: input.amountMinor as number,
          reply,
        });
      });
    })
    .listen(port, '127.0.0.1', () =>
      console.log(`listening ${(server.address() as AddressInfo).port}`),
    );
}

if (require.main === module) serve(process.argv[2], Number(process.argv[3] ?? 0));
