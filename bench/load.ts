/**
 * The benchmarks' load generator (autocannon), the transfers they send,
 * their count of what the ledger holds (transfers are counted there, never
 * from responses), and how a benchmark's process ends.
 */
import { randomInt } from 'node:crypto';
import { queryDatabase } from '../testkit/databases';
import { SEND, type Person } from '../testkit/fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: object) => Promise<AutocannonResult>;

interface AutocannonResult {
  latency: { p50: number; p99: number; max: number };
  requests: { total: number };
  non2xx: number;
  errors: number;
}

/** A request to send: whose cookie, and the body. */
export interface Request {
  cookie: string;
  body: string;
}

/** Two different indexes below `count`, at random. */
export function randomPair(count: number): [number, number] {
  const i = randomInt(count);
  let j = randomInt(count - 1);
  if (j >= i) j++;
  return [i, j];
}

/**
 * walletToWallet requests of `amount`, each with an idempotency key of its
 * own, as the web frontend's: the key's unique index is part of what is measured.
 */
export function keyedTransfers(amount: string): (from: Person, to: Person) => Request {
  const keyPrefix = `bench-${randomInt(1e9)}-`;
  let sent = 0;
  return (from, to) => ({
    cookie: from.client.cookie ?? '',
    body: JSON.stringify({
      query: SEND,
      variables: {
        input: { toWalletId: to.walletId, amount, idempotencyKey: `${keyPrefix}${sent++}` },
      },
    }),
  });
}

/**
 * POSTs `next()`'s requests to every url for `seconds` (or, given `amount`,
 * that many requests in all) over `connections` split between them, and
 * counts each refusal's code into `refusals`; `ok` counts answers without
 * an error.
 */
export async function drive(
  urls: string[],
  path: string,
  next: () => Request,
  seconds: number,
  connections: number,
  refusals: Map<string, number>,
  amount?: number,
) {
  let ok = 0;
  // From the first request to the last answer: autocannon's own clock ticks by the second.
  let startedAt: bigint | null = null;
  let answeredAt: bigint | null = null;
  const runs = urls.map((url, i) =>
    autocannon({
      url: `${url}${path}`,
      connections: Math.max(1, Math.floor(connections / urls.length)),
      ...(amount === undefined
        ? { duration: seconds }
        : { amount: Math.floor(amount / urls.length) + (i < amount % urls.length ? 1 : 0) }),
      requests: [
        {
          method: 'POST',
          setupRequest: (request: Record<string, unknown>) => {
            startedAt ??= process.hrtime.bigint();
            const { cookie, body } = next();
            return { ...request, headers: { 'content-type': 'application/json', cookie }, body };
          },
          onResponse: (status: number, responseBody: string) => {
            answeredAt = process.hrtime.bigint();
            const match = /"(?:code|error)":"([A-Z_]+)"/.exec(responseBody);
            if (match) refusals.set(match[1], (refusals.get(match[1]) ?? 0) + 1);
            else if (status === 200 && !responseBody.includes('"errors"')) ok++;
          },
        },
      ],
    }),
  );
  const results = await Promise.all(runs);
  // Percentiles of the busiest instance's load generator; totals summed.
  return {
    ok,
    elapsedSeconds:
      startedAt === null || answeredAt === null ? seconds : Number(answeredAt - startedAt) / 1e9,
    latency: {
      p50: Math.max(...results.map((r) => r.latency.p50)),
      p99: Math.max(...results.map((r) => r.latency.p99)),
      max: Math.max(...results.map((r) => r.latency.max)),
    },
    requests: { total: results.reduce((sum, r) => sum + r.requests.total, 0) },
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Refusals by code, added up over maps (runs): "none", or e.g. "WALLET_BUSY:3". */
export function describeRefusals(each: Map<string, number>[]): string {
  const total = new Map<string, number>();
  for (const refusals of each) {
    for (const [code, n] of refusals) total.set(code, (total.get(code) ?? 0) + n);
  }
  return [...total].map(([code, n]) => `${code}:${n}`).join(',') || 'none';
}

/** Transfers in the ledger (those between other wallets than `except`, if given), and the sum of balances. */
export async function ledgerTotals(databaseUrl: string, except: readonly string[] = []) {
  const excepted = except.map((id) => `'${id}'`).join(', ');
  const others =
    except.length === 0
      ? ''
      : ` WHERE from_wallet_id NOT IN (${excepted}) AND to_wallet_id NOT IN (${excepted})`;
  const [row] = await queryDatabase<{ transfers: unknown; total: unknown }>(
    databaseUrl,
    `SELECT (SELECT COUNT(*) FROM transfers${others}) AS transfers,
            (SELECT CAST(SUM(balance_minor) AS TEXT) FROM wallets) AS total`,
  );
  return { transfers: Number(row.transfers), totalMinor: BigInt(String(row.total ?? '0')) };
}

/**
 * Runs a benchmark: exit 0 only once `main` has finished and says every
 * guarantee held. A run stalled on a wait that can no longer end (a child
 * that died) lets Node exit by itself, with nothing printed; that exit is 1.
 */
export function runBenchmark(main: () => Promise<boolean>): void {
  process.exitCode = 1;
  main().then(
    (held) => {
      process.exitCode = held ? 0 : 1;
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
