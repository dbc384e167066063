/**
 * A period's operations as RFC 4180 CSV, streamed a page at a time so a
 * wallet with millions of operations is never held in memory. csv-stringify
 * does the quoting; every text cell is quoted and made inert here
 * (inertText). Amounts are bigints up to the writer and stay unquoted
 * numbers: we write them (`-?digits.digits`), so a debit's `-` is a sign and
 * can never begin a formula.
 */
import { Readable } from 'node:stream';
import { stringify, type Stringifier } from 'csv-stringify';
import type { Database } from '../db/database';
import { operationsPage } from '../db/queries/history';
import { type NamedOperationRow } from '../domain/records';
import type { OperationPageRequest, OperationPosition } from '../domain/pages';
import type { WalletId } from '../domain/ids';
import { signedMinor } from '../ledger/legs';
import { formatMinor } from '../domain/money';
import type { Period } from '../domain/period';
import { assertCanView } from '../domain/access';
import type { Caller } from '../domain/caller';
import type { Services } from './services';
import { getWallet } from './wallets';

export const CSV_COLUMNS = [
  'created_at',
  'type',
  'amount',
  'balance_after',
  'counterparty',
  'reference',
  'details',
  'operation_id',
  // Last, so that a reader of the columns before it by position reads what it did.
  'refund_of',
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

/**
 * Wherever a spreadsheet may begin reading a cell and a formula's first
 * character follows (= + - @, a tab, a return, their full-width forms; after
 * any spaces or `"`), a `'` goes before it. Such places are the cell's start,
 * after a line break, and after `,`, `;` or a tab: an importer that splits
 * lines first loses the quoting, and then every separator a spreadsheet may
 * pick for CSV (its own `,`, or `;` and tab in other locales) starts a cell.
 * A quote that does not open a cell is kept as a character, so `x;=1+1`
 * would be a formula in a `;` reader, quoted or not.
 */
const FORMULA_AT_CELL_START =
  /(?<=^|[\r\n\t;,\u0085\u2028\u2029])(?=[ \u00A0"]*[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20])/g;

function inertText(text: string): string {
  return text.replace(FORMULA_AT_CELL_START, "'");
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
    // A refund's legs carry the transfer they give back: the row needs no join.
    op.refundOf,
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
    // Text is quoted and made inert here (escape_formulas looks at a cell's first character only).
    cast: {
      string: (value, { header }) => (header ? value : { value: inertText(value), quoted: true }),
      date: (value) => ({ value: value.toISOString(), quoted: true }),
      bigint: (value) => formatMinor(value, precision),
    },
  });
  return { rows, csv };
}

/** A CSV statement of `range` for a wallet the caller may see, and that wallet's id. */
export async function walletStatementCsv(
  services: Services,
  caller: Caller,
  walletId: string,
  range: Period,
): Promise<{ walletId: string; download: ReturnType<typeof statementCsv> }> {
  const wallet = await getWallet(services.db, walletId);
  assertCanView(caller, wallet.userId);
  const precision = services.currencies.precision(wallet.currency);
  return { walletId: wallet.id, download: statementCsv(services.db, wallet.id, range, precision) };
}
