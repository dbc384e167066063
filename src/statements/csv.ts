/**
 * A period's operations as RFC 4180 CSV, streamed a page at a time so a
 * wallet with millions of operations is never held in memory. csv-stringify
 * does the quoting and guards text cells against formula injection
 * (`escape_formulas`: a cell beginning with = + - @, a tab or a return gets
 * a leading `'`); amounts are bigints up to the writer, so a debit's `-`
 * stays a number's sign.
 */
import { Readable } from 'node:stream';
import { stringify, type Stringifier } from 'csv-stringify';
import type { Database } from '../db/database';
import { operationsPage, type NamedOperationRow } from '../db/history';
import type { OperationPageRequest, OperationPosition } from '../db/pagination';
import type { WalletId } from '../db/rows';
import { signedMinor } from '../ledger/legs';
import { formatMinor } from '../money/money';
import type { Period } from './period';

export const CSV_COLUMNS = [
  'created_at',
  'type',
  'amount',
  'balance_after',
  'counterparty',
  'reference',
  'details',
  'operation_id',
] as const;

/** Operations read per statement: enough to amortize a round trip, small enough to stream. */
export const CSV_PAGE_SIZE = 1_000;

/** The period's operations, newest first (as the API lists them), a page per read. */
async function* operationsIn(
  db: Database,
  walletId: WalletId,
  { fromMs, toMs }: Period,
): AsyncGenerator<NamedOperationRow> {
  const filter = { fromMs, toMs, types: null };
  let before: OperationPosition | null = null;
  for (;;) {
    const page: OperationPageRequest = { first: CSV_PAGE_SIZE, before, list: 'csv' };
    const rows: NamedOperationRow[] = await db.read((sql) =>
      operationsPage(sql, walletId, filter, page),
    );
    yield* rows.slice(0, CSV_PAGE_SIZE);
    if (rows.length <= CSV_PAGE_SIZE) return;
    const last = rows[CSV_PAGE_SIZE - 1];
    before = { createdAtMs: last.createdAtMs, seq: last.seq };
  }
}

function record(op: NamedOperationRow): unknown[] {
  return [
    new Date(op.createdAtMs),
    op.type,
    signedMinor(op),
    op.balanceAfterMinor,
    op.counterpartyName,
    op.reference,
    op.details,
    op.id,
  ];
}

/** The statement of `period` as CSV text, a stream to pipe into the response. */
export function statementCsv(
  db: Database,
  walletId: WalletId,
  period: Period,
  precision: number,
): { rows: Readable; csv: Stringifier } {
  const rows = Readable.from(
    (async function* () {
      for await (const op of operationsIn(db, walletId, period)) yield record(op);
    })(),
  );
  const csv = stringify({
    header: true,
    columns: [...CSV_COLUMNS],
    record_delimiter: 'windows',
    escape_formulas: true,
    cast: {
      date: (value) => value.toISOString(),
      bigint: (value) => formatMinor(value, precision),
    },
  });
  return { rows, csv };
}
