/**
 * Recomputes everything the ledger promises from its rows, and lists what differs:
 * each balance equals the sum of its operations and is never negative; each
 * operation's balanceAfter follows from the one before it in time, and time
 * never goes back on a wallet; each transfer has one
 * debit and one credit of its amount; per currency, deposits - withdrawals =
 * balances; a transfer's refunds sum to at most its amount, each going back
 * between its two wallets, and no refund is refunded; each wallet's reserve
 * is the sum of its holds stored as pending
 * and never more than its balance; a captured hold has exactly one
 * WITHDRAWAL of what it captured, and no other hold has any; a paid payment
 * request names a transfer of its amount from its payer to its requester,
 * and no other request names one.
 */
import type { Database } from '../db/database';
import type { Sql } from '../db/sql';
import {
  OPERATION_COLUMNS,
  TRANSFER_COLUMNS,
  WALLET_COLUMNS,
  toOperation,
  toTransfer,
  toWallet,
} from '../db/rows';
import { type OperationRow, type TransferRow, type WalletRow } from '../domain/records';
import { signedMinor } from './legs';

export interface AuditReport {
  wallets: number;
  operations: number;
  transfers: number;
  holds: number;
  discrepancies: string[];
}

/**
 * Rows read this many at a time: the audit holds the wallets and one batch,
 * never the whole ledger (all of it at once took 990 MB for 600,000
 * operations, so a ledger of a few million would not fit).
 */
export const AUDIT_BATCH = 5_000;

/** Every row, a batch at a time: `fetch` reads the batch after the row given (null: the first). */
async function* inBatches<R>(
  size: number,
  fetch: (after: R | null) => Promise<R[]>,
): AsyncGenerator<R> {
  let after: R | null = null;
  for (;;) {
    const rows = await fetch(after);
    yield* rows;
    if (rows.length < size) return;
    after = rows[rows.length - 1];
  }
}

/**
 * Operations by wallet, each wallet's in time order (ix_operations_wallet_time),
 * which must also be the order they were made in (seq): a wallet's time never
 * goes back, and its history and statements rely on that.
 */
function operationsByWallet(sql: Sql, size: number): AsyncGenerator<OperationRow> {
  const order = 'ORDER BY wallet_id, created_at, seq';
  return inBatches(size, async (after) => {
    if (after === null) {
      const rows = await sql.rows(
        `SELECT ${OPERATION_COLUMNS} FROM operations ${order} LIMIT ${size}`,
      );
      return rows.map(toOperation);
    }
    // The rest of this wallet, then the wallets after it, each from the index.
    // SQLite answers "(wallet_id, created_at, seq) > (?, ?, ?)" by reading from
    // the start of the wallet, so each batch re-read all of its operations before it.
    const rows = await sql.rows(
      `SELECT * FROM (SELECT ${OPERATION_COLUMNS} FROM operations
         WHERE wallet_id = ? AND (created_at, seq) > (?, ?) ORDER BY created_at, seq LIMIT ${size}) AS this_wallet
       UNION ALL
       SELECT * FROM (SELECT ${OPERATION_COLUMNS} FROM operations
         WHERE wallet_id > ? ${order} LIMIT ${size}) AS next_wallets
       ${order} LIMIT ${size}`,
      [after.walletId, after.createdAtMs, after.seq, after.walletId],
    );
    return rows.map(toOperation);
  });
}

/** Transfers in the order they were made, each with the operations that name it. */
function transfersWithLegs(
  sql: Sql,
  size: number,
): AsyncGenerator<{ transfer: TransferRow; legs: OperationRow[]; original: TransferRow | null }> {
  return inBatches(size, async (after) => {
    const transfers = (
      await sql.rows(
        `SELECT ${TRANSFER_COLUMNS} FROM transfers ${after === null ? '' : 'WHERE seq > ?'}
         ORDER BY seq LIMIT ${size}`,
        after === null ? [] : [after.transfer.seq],
      )
    ).map(toTransfer);
    if (transfers.length === 0) return [];
    const legs = (
      await sql.rows(
        `SELECT ${OPERATION_COLUMNS} FROM operations
         WHERE transfer_id IN (${transfers.map(() => '?').join(', ')})`,
        transfers.map((transfer) => transfer.id),
      )
    ).map(toOperation);
    const legsByTransfer = new Map<string | null, OperationRow[]>();
    for (const leg of legs) {
      const known = legsByTransfer.get(leg.transferId);
      if (known) known.push(leg);
      else legsByTransfer.set(leg.transferId, [leg]);
    }
    const refunded = [
      ...new Set(transfers.flatMap((t) => (t.refundOf === null ? [] : [t.refundOf]))),
    ];
    const originals =
      refunded.length === 0
        ? []
        : (
            await sql.rows(
              `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id IN (${refunded.map(() => '?').join(', ')})`,
              refunded,
            )
          ).map(toTransfer);
    return transfers.map((transfer) => ({
      transfer,
      legs: legsByTransfer.get(transfer.id) ?? [],
      original: originals.find((o) => o.id === transfer.refundOf) ?? null,
    }));
  });
}

/** A hold as stored (not as read: a stored PENDING hold still counts in its wallet's reserve). */
interface StoredHold {
  seq: bigint;
  id: string;
  walletId: string;
  amountMinor: bigint;
  capturedMinor: bigint | null;
  status: string;
}

/** Holds in the order they were made, each with the operations that name it. */
function holdsWithCaptures(
  sql: Sql,
  size: number,
): AsyncGenerator<{ hold: StoredHold; captures: OperationRow[] }> {
  return inBatches(size, async (after) => {
    const holds = (
      await sql.rows<Record<string, unknown>>(
        `SELECT seq, id, wallet_id, CAST(amount_minor AS TEXT) AS amount_minor,
                CAST(captured_minor AS TEXT) AS captured_minor, status
           FROM holds ${after === null ? '' : 'WHERE seq > ?'} ORDER BY seq LIMIT ${size}`,
        after === null ? [] : [after.hold.seq],
      )
    ).map((row): StoredHold => ({
      seq: BigInt(String(row.seq)),
      id: String(row.id),
      walletId: String(row.wallet_id),
      amountMinor: BigInt(String(row.amount_minor)),
      capturedMinor: row.captured_minor === null ? null : BigInt(String(row.captured_minor)),
      status: String(row.status),
    }));
    if (holds.length === 0) return [];
    const captures = (
      await sql.rows(
        `SELECT ${OPERATION_COLUMNS} FROM operations
         WHERE hold_id IN (${holds.map(() => '?').join(', ')})`,
        holds.map((hold) => hold.id),
      )
    ).map(toOperation);
    return holds.map((hold) => ({
      hold,
      captures: captures.filter((op) => op.holdId === hold.id),
    }));
  });
}

/** What every step of an audit shares: the wallets as read, and the findings. */
interface Audit {
  sql: Sql;
  batchSize: number;
  wallets: WalletRow[];
  discrepancies: string[];
}

/** What the operations add up to, wallet by wallet, as each step after them needs it. */
interface OperationTotals {
  operations: number;
  /** Each wallet's balance recomputed from its operations. */
  computed: Map<string, bigint>;
  /** Each wallet's last operation. */
  lastOf: Map<string, OperationRow>;
  /** Deposits less withdrawals, per currency. */
  externalNetByCurrency: Map<string, bigint>;
}

/** Every operation in each wallet's order: balances after, times in order, never below zero. */
async function auditOperations({
  sql,
  batchSize,
  wallets,
  discrepancies,
}: Audit): Promise<OperationTotals> {
  const walletById = new Map(wallets.map((w) => [w.id, w]));
  const computed = new Map<string, bigint>();
  const previousOf = new Map<string, OperationRow>();
  const externalNetByCurrency = new Map<string, bigint>();
  let operations = 0;
  for await (const op of operationsByWallet(sql, batchSize)) {
    operations++;
    const wallet = walletById.get(op.walletId);
    if (!wallet) {
      discrepancies.push(`operation ${op.id} belongs to unknown wallet ${op.walletId}`);
      continue;
    }
    const previous = previousOf.get(op.walletId);
    if (previous !== undefined && previous.seq > op.seq) {
      discrepancies.push(
        `wallet ${op.walletId}: operation ${op.id} was made after ${previous.id} but is timed before it`,
      );
    }
    previousOf.set(op.walletId, op);
    const before = computed.get(op.walletId) ?? 0n;
    const after = before + signedMinor(op);
    if (after !== op.balanceAfterMinor) {
      discrepancies.push(
        `wallet ${op.walletId}: operation ${op.id} (${op.type} ${op.amountMinor}) records balanceAfter ${op.balanceAfterMinor}, but the operations before it give ${after}`,
      );
    }
    if (after < 0n) discrepancies.push(`wallet ${op.walletId} goes negative at operation ${op.id}`);
    computed.set(op.walletId, after);
    if (op.type === 'DEPOSIT' || op.type === 'WITHDRAWAL') {
      const net = externalNetByCurrency.get(wallet.currency) ?? 0n;
      externalNetByCurrency.set(wallet.currency, net + signedMinor(op));
    }
  }

  return { operations, computed, lastOf: previousOf, externalNetByCurrency };
}

/** Each wallet's balance is its operations' sum and never negative; its time is not before its last. */
function auditWalletBalances(
  { wallets, discrepancies }: Audit,
  { computed, lastOf: previousOf }: OperationTotals,
): Map<string, bigint> {
  const balanceByCurrency = new Map<string, bigint>();
  for (const wallet of wallets) {
    const sum = computed.get(wallet.id) ?? 0n;
    if (sum !== wallet.balanceMinor) {
      discrepancies.push(
        `wallet ${wallet.id}: balance ${wallet.balanceMinor} but its operations sum to ${sum}`,
      );
    }
    if (wallet.balanceMinor < 0n) discrepancies.push(`wallet ${wallet.id}: negative balance`);
    const last = previousOf.get(wallet.id);
    if (last !== undefined && wallet.lastOperationAtMs < last.createdAtMs) {
      discrepancies.push(
        `wallet ${wallet.id}: its time is ${wallet.lastOperationAtMs}, before its operation ${last.id} at ${last.createdAtMs}`,
      );
    }
    balanceByCurrency.set(
      wallet.currency,
      (balanceByCurrency.get(wallet.currency) ?? 0n) + wallet.balanceMinor,
    );
  }

  return balanceByCurrency;
}

/** Each transfer: one debit and one credit of its amount, refunds back between its wallets. */
async function auditTransfers({ sql, batchSize, discrepancies }: Audit): Promise<number> {
  let transfers = 0;
  for await (const { transfer, legs, original } of transfersWithLegs(sql, batchSize)) {
    transfers++;
    if (transfer.refundedMinor > transfer.amountMinor) {
      discrepancies.push(
        `transfer ${transfer.id}: refunds give back ${transfer.refundedMinor}, more than its ${transfer.amountMinor}`,
      );
    }
    if (legs.some((leg) => leg.refundOf !== transfer.refundOf)) {
      discrepancies.push(`transfer ${transfer.id}: its legs do not name what it refunds`);
    }
    if (transfer.refundOf !== null) {
      const backAgain =
        original !== null &&
        original.refundOf === null &&
        transfer.fromWalletId === original.toWalletId &&
        transfer.toWalletId === original.fromWalletId &&
        transfer.currency === original.currency;
      if (!backAgain) {
        discrepancies.push(
          `transfer ${transfer.id} refunds ${transfer.refundOf}, but does not go back between its wallets (or refunds a refund, or one that does not exist)`,
        );
      }
    }
    const debits = legs.filter(
      (l) => l.type === 'TRANSFER_OUT' && l.walletId === transfer.fromWalletId,
    );
    const credits = legs.filter(
      (l) => l.type === 'TRANSFER_IN' && l.walletId === transfer.toWalletId,
    );
    const net = legs.reduce((sum, l) => sum + signedMinor(l), 0n);
    if (
      legs.length !== 2 ||
      debits.length !== 1 ||
      credits.length !== 1 ||
      debits[0].amountMinor !== transfer.amountMinor ||
      credits[0].amountMinor !== transfer.amountMinor ||
      net !== 0n
    ) {
      discrepancies.push(
        `transfer ${transfer.id}: expected one debit and one credit of ${transfer.amountMinor}, found ${legs.length} legs summing to ${net}`,
      );
    }
  }
  const orphans = await sql.rows<{ transfer_id: string }>(
    `SELECT DISTINCT transfer_id FROM operations AS leg
     WHERE transfer_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM transfers WHERE transfers.id = leg.transfer_id)`,
  );
  for (const { transfer_id: transferId } of orphans) {
    discrepancies.push(`operations name transfer ${transferId}, which does not exist`);
  }

  return transfers;
}

/** Each hold: its capture as its status says, and every wallet's reserve its pending holds' sum. */
async function auditHolds({ sql, batchSize, wallets, discrepancies }: Audit): Promise<number> {
  let holds = 0;
  const reservedByWallet = new Map<string, bigint>();
  for await (const { hold, captures } of holdsWithCaptures(sql, batchSize)) {
    holds++;
    if (hold.status === 'PENDING') {
      reservedByWallet.set(
        hold.walletId,
        (reservedByWallet.get(hold.walletId) ?? 0n) + hold.amountMinor,
      );
    }
    const expected =
      hold.status === 'CAPTURED'
        ? captures.length === 1 &&
          captures[0].type === 'WITHDRAWAL' &&
          captures[0].walletId === hold.walletId &&
          captures[0].amountMinor === hold.capturedMinor
        : captures.length === 0;
    if (!expected) {
      discrepancies.push(
        hold.status === 'CAPTURED'
          ? `hold ${hold.id}: captured ${hold.capturedMinor}, but ${captures.length} operations name it (expected one WITHDRAWAL of that amount from its wallet)`
          : `hold ${hold.id} is ${hold.status}, yet ${captures.length} operations name it as captured`,
      );
    }
  }
  for (const wallet of wallets) {
    const reserved = reservedByWallet.get(wallet.id) ?? 0n;
    if (reserved !== wallet.heldMinor) {
      discrepancies.push(
        `wallet ${wallet.id}: holds ${wallet.heldMinor} in reserve, but its pending holds sum to ${reserved}`,
      );
    }
    if (wallet.heldMinor > wallet.balanceMinor) {
      discrepancies.push(
        `wallet ${wallet.id}: pending holds of ${wallet.heldMinor} exceed its balance ${wallet.balanceMinor}`,
      );
    }
  }
  const unknownHolds = await sql.rows<{ hold_id: string }>(
    `SELECT DISTINCT hold_id FROM operations AS capture
     WHERE hold_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM holds WHERE holds.id = capture.hold_id)`,
  );
  for (const { hold_id: holdId } of unknownHolds) {
    discrepancies.push(`operations name hold ${holdId}, which does not exist`);
  }

  return holds;
}

/** Each payment request: paid by a transfer of its amount from its payer to its requester, or by none. */
async function auditPaymentRequests({ sql, batchSize, discrepancies }: Audit): Promise<void> {
  // Payment requests, a batch at a time, each with the transfer it names, if any.
  const requests = inBatches<Record<string, unknown>>(batchSize, (after) =>
    sql.rows(
      `SELECT request.seq, request.id, request.status, request.transfer_id,
              request.payer_wallet_id, request.requester_wallet_id,
              CAST(request.amount_minor AS TEXT) AS amount_minor, paid.from_wallet_id,
              paid.to_wallet_id, CAST(paid.amount_minor AS TEXT) AS paid_minor
         FROM payment_requests AS request
         LEFT JOIN transfers AS paid ON paid.id = request.transfer_id
        ${after === null ? '' : 'WHERE request.seq > ?'} ORDER BY request.seq LIMIT ${batchSize}`,
      after === null ? [] : [after.seq],
    ),
  );
  for await (const request of requests) {
    const paid = request.status === 'PAID';
    const consistent = paid
      ? request.from_wallet_id === request.payer_wallet_id &&
        request.to_wallet_id === request.requester_wallet_id &&
        request.paid_minor === request.amount_minor
      : request.transfer_id === null;
    if (!consistent) {
      discrepancies.push(
        paid
          ? `payment request ${String(request.id)} is paid, but not by a transfer of its amount from its payer to its requester`
          : `payment request ${String(request.id)} is ${String(request.status)}, yet names transfer ${String(request.transfer_id)}`,
      );
    }
  }
}

/** Conservation: per currency, the balances sum to deposits less withdrawals. */
function auditCurrencyTotals(
  { discrepancies }: Audit,
  balanceByCurrency: Map<string, bigint>,
  externalNetByCurrency: Map<string, bigint>,
): void {
  const currencies = new Set([...balanceByCurrency.keys(), ...externalNetByCurrency.keys()]);
  for (const currency of currencies) {
    const balances = balanceByCurrency.get(currency) ?? 0n;
    const external = externalNetByCurrency.get(currency) ?? 0n;
    if (balances !== external) {
      discrepancies.push(
        `${currency}: balances sum to ${balances} but deposits - withdrawals = ${external}`,
      );
    }
  }
}

/** `batchSize`: rows per read (tests make it small, to cross many batches). */
export async function audit(db: Database, batchSize = AUDIT_BATCH): Promise<AuditReport> {
  // One snapshot: the service may be moving money while the audit reads.
  return db.snapshot(async (sql) => {
    const wallets = (await sql.rows(`SELECT ${WALLET_COLUMNS} FROM wallets ORDER BY seq`)).map(
      toWallet,
    );
    const run: Audit = { sql, batchSize, wallets, discrepancies: [] };
    const totals = await auditOperations(run);
    const balanceByCurrency = auditWalletBalances(run, totals);
    const transfers = await auditTransfers(run);
    const holds = await auditHolds(run);
    await auditPaymentRequests(run);
    auditCurrencyTotals(run, balanceByCurrency, totals.externalNetByCurrency);
    return {
      wallets: wallets.length,
      operations: totals.operations,
      transfers,
      holds,
      discrepancies: run.discrepancies,
    };
  });
}
