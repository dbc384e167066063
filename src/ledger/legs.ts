/**
 * Writing a movement's legs: each leg's balance after it, checked against
 * the wallet's rules (never spending past the available balance, never above
 * the maximum), then the rows appended and the balances and reserves written. Every movement kind writes through
 * here (on PostgreSQL a transfer's one statement, wallet_transfer, does the
 * same inside the database).
 */
import assert from 'node:assert/strict';
import type { OperationRow, TransferRow, WalletRow } from '../domain/records';
import type { WalletId } from '../domain/ids';
import type { Sql } from '../db/sql';
import { addToBalance, availableMinor, insufficientFunds } from '../domain/money';
import type { LockedWallets } from './locks';

/** An operation's effect on its wallet's balance. */
export function signedMinor(operation: Pick<OperationRow, 'type' | 'amountMinor'>): bigint {
  switch (operation.type) {
    case 'DEPOSIT':
    case 'TRANSFER_IN':
      return operation.amountMinor;
    case 'WITHDRAWAL':
    case 'TRANSFER_OUT':
      return -operation.amountMinor;
  }
}

export type NewOperation = Omit<OperationRow, 'seq'>;
/** A new transfer: nothing has refunded it yet. */
export type NewTransfer = Omit<TransferRow, 'seq' | 'refundedMinor'>;
/** A leg as a movement states it: everything but the balance after it, which post() works out. */
export type NewLeg = Omit<NewOperation, 'balanceAfterMinor'>;

/**
 * The time of a movement on locked wallets: the clock's, or the last
 * operation's of any of them if that is later (another instance's clock
 * ahead, or a movement that took its time earlier and its lock first). So a
 * wallet's operations' times never go back, and those before a moment are a
 * prefix of its ledger: the balance at a moment is one row's balance_after.
 */
export function movementTime(wallets: LockedWallets): number {
  let at = Date.now();
  for (const wallet of wallets.values()) at = Math.max(at, wallet.lastOperationAtMs);
  return at;
}

/** A change to a wallet's reserve: a hold authorized (+), or captured, voided or released (−). */
export interface HeldChange {
  walletId: WalletId;
  deltaMinor: bigint;
}

/** What post() wrote: the rows with their keys, and each wallet as it stands after. */
export interface Posted {
  transfer: TransferRow | null;
  /** In the order of the legs given. */
  operations: OperationRow[];
  wallets: Map<WalletId, WalletRow>;
}

/**
 * Appends a movement's legs (and its transfer row, if any), changes its
 * wallets' reserves, and writes their new balances. Each wallet must be
 * locked. A wallet that the movement takes from (a debit, a new reserve)
 * must keep its available balance (balance less reserve) at zero or more,
 * else INSUFFICIENT_FUNDS (the core has released expired reserves before).
 * A credit past the maximum balance is BAD_USER_INPUT.
 * Nothing is written when a rule refuses. A transfer's legs sum to zero.
 */
export async function post(
  sql: Sql,
  wallets: LockedWallets,
  entry: {
    transfer: NewTransfer | null;
    legs: readonly NewLeg[];
    held?: readonly HeldChange[];
  },
): Promise<Posted> {
  const after = new Map<WalletId, WalletRow>();
  const current = (walletId: WalletId) => {
    const wallet = after.get(walletId) ?? wallets.get(walletId);
    assert.ok(wallet, `wallet ${walletId} is locked`);
    return wallet;
  };
  /** Refuses a wallet left with less than nothing to spend (the core released expired reserves). */
  const assertAvailable = (walletId: WalletId) => {
    if (availableMinor(current(walletId)) < 0n) throw insufficientFunds();
  };
  const reserved = new Set<WalletId>();
  for (const { walletId, deltaMinor } of entry.held ?? []) {
    const wallet = current(walletId);
    const heldMinor = wallet.heldMinor + deltaMinor;
    assert.ok(heldMinor >= 0n, `wallet ${walletId} reserves no less than nothing`);
    after.set(walletId, { ...wallet, heldMinor });
    if (deltaMinor > 0n) reserved.add(walletId);
  }
  // Leg by leg, in order: a transfer's debit comes first, so not enough
  // money is said before a credit past the maximum.
  const operations: NewOperation[] = [];
  for (const leg of entry.legs) {
    const wallet = current(leg.walletId);
    assert.ok(
      leg.createdAtMs >= wallet.lastOperationAtMs,
      `an operation's time never goes back on wallet ${leg.walletId} (see movementTime)`,
    );
    const credit = signedMinor(leg) > 0n;
    const balanceAfterMinor = credit
      ? addToBalance(wallet.balanceMinor, leg.amountMinor)
      : wallet.balanceMinor - leg.amountMinor;
    after.set(leg.walletId, {
      ...wallet,
      balanceMinor: balanceAfterMinor,
      lastOperationAtMs: leg.createdAtMs,
    });
    if (!credit) assertAvailable(leg.walletId);
    operations.push({ ...leg, balanceAfterMinor });
  }
  for (const walletId of reserved) assertAvailable(walletId);
  if (entry.transfer !== null) {
    const sum = operations.reduce((total, op) => total + signedMinor(op), 0n);
    assert.equal(sum, 0n, 'transfer legs sum to zero');
  }
  const appended = await appendToLedger(sql, {
    transfer: entry.transfer,
    operations,
    wallets: [...after.values()],
  });
  return { ...appended, wallets: after };
}

interface LedgerAppend {
  transfer: NewTransfer | null;
  operations: NewOperation[];
  /** Their new balances, reserves and last times; every wallet here must be locked already. */
  wallets: readonly WalletRow[];
}

interface Statement {
  text: string;
  params: unknown[];
}

function transferInsert(transfer: NewTransfer): Statement {
  return {
    text: `INSERT INTO transfers (id, from_wallet_id, to_wallet_id, amount_minor, currency, details,
             initiator_user_id, idempotency_key, refund_of, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    params: [
      transfer.id,
      transfer.fromWalletId,
      transfer.toWalletId,
      transfer.amountMinor,
      transfer.currency,
      transfer.details,
      transfer.initiatorUserId,
      transfer.idempotencyKey,
      transfer.refundOf,
      transfer.createdAtMs,
    ],
  };
}

function operationsInsert(ops: readonly NewOperation[]): Statement {
  return {
    text: `INSERT INTO operations (id, wallet_id, type, amount_minor, balance_after_minor, transfer_id,
             counterparty_wallet_id, reference, details, hold_id, refund_of, initiator_user_id, created_at)
           VALUES ${ops.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    params: ops.flatMap((op) => [
      op.id,
      op.walletId,
      op.type,
      op.amountMinor,
      op.balanceAfterMinor,
      op.transferId,
      op.counterpartyWalletId,
      op.reference,
      op.details,
      op.holdId,
      op.refundOf,
      op.initiatorUserId,
      op.createdAtMs,
    ]),
  };
}

function balancesUpdate(wallets: LedgerAppend['wallets']): Statement {
  const cases = wallets.map(() => 'WHEN ? THEN CAST(? AS BIGINT)').join(' ');
  return {
    text: `UPDATE wallets SET balance_minor = CASE id ${cases} END, held_minor = CASE id ${cases} END,
             last_operation_at = CASE id ${cases} END
           WHERE id IN (${wallets.map(() => '?').join(', ')})`,
    params: [
      ...wallets.flatMap(({ id, balanceMinor }) => [id, balanceMinor]),
      ...wallets.flatMap(({ id, heldMinor }) => [id, heldMinor]),
      ...wallets.flatMap(({ id, lastOperationAtMs }) => [id, lastOperationAtMs]),
      ...wallets.map(({ id }) => id),
    ],
  };
}

/** What the writes returned: the new rows' keys, and which wallets were written. */
interface Appended {
  transferSeq: bigint | null;
  operationSeqs: Map<string, bigint>;
  walletsWritten: number;
}

/**
 * Appends a movement's rows and writes its balances. On PostgreSQL that is
 * one statement (data-modifying WITH clauses), so one round trip instead of
 * three: the round trips, not the statements, are what a movement costs
 * there. On SQLite, in process, it is the three statements.
 */
async function appendToLedger(
  sql: Sql,
  append: LedgerAppend,
): Promise<{
  transfer: TransferRow | null;
  operations: OperationRow[];
}> {
  const appended =
    sql.kind === 'postgres'
      ? await appendInOneStatement(sql, append)
      : await appendInThree(sql, append);
  assert.equal(appended.walletsWritten, append.wallets.length, 'every balance written');
  const operations = append.operations.map((op) => {
    const seq = appended.operationSeqs.get(op.id);
    assert.ok(seq !== undefined, `operation ${op.id} inserted`);
    return { ...op, seq };
  });
  if (append.transfer === null) return { transfer: null, operations };
  assert.ok(appended.transferSeq !== null, `transfer ${append.transfer.id} inserted`);
  return {
    transfer: { ...append.transfer, seq: appended.transferSeq, refundedMinor: 0n },
    operations,
  };
}

async function appendInThree(sql: Sql, append: LedgerAppend): Promise<Appended> {
  let transferSeq: bigint | null = null;
  if (append.transfer !== null) {
    const insert = transferInsert(append.transfer);
    const [row] = await sql.rows<{ seq: unknown }>(`${insert.text} RETURNING seq`, insert.params);
    transferSeq = BigInt(String(row.seq));
  }
  const operationSeqs = new Map<string, bigint>();
  if (append.operations.length > 0) {
    const insert = operationsInsert(append.operations);
    const rows = await sql.rows<{ id: string; seq: unknown }>(
      `${insert.text} RETURNING id, seq`,
      insert.params,
    );
    // RETURNING promises no order: keys are matched by id.
    for (const row of rows) operationSeqs.set(row.id, BigInt(String(row.seq)));
  }
  const update = balancesUpdate(append.wallets);
  const walletsWritten = await sql.run(update.text, update.params);
  return { transferSeq, operationSeqs, walletsWritten };
}

async function appendInOneStatement(sql: Sql, append: LedgerAppend): Promise<Appended> {
  const parts: { name: string; statement: Statement; returning: string; select: string }[] = [];
  if (append.transfer !== null) {
    parts.push({
      name: 'new_transfer',
      statement: transferInsert(append.transfer),
      returning: 'seq',
      select: "'transfer' AS kind, CAST(NULL AS VARCHAR) AS id, seq",
    });
  }
  if (append.operations.length > 0) {
    parts.push({
      name: 'new_operations',
      statement: operationsInsert(append.operations),
      returning: 'id, seq',
      select: "'operation' AS kind, id, seq",
    });
  }
  parts.push({
    name: 'new_balances',
    statement: balancesUpdate(append.wallets),
    returning: 'id',
    select: "'wallet' AS kind, id, CAST(NULL AS BIGINT) AS seq",
  });
  // Parameters number in order of appearance, and each part's come in its place.
  const rows = await sql.rows<{ kind: string; id: string | null; seq: unknown }>(
    `WITH ${parts.map((p) => `${p.name} AS (${p.statement.text} RETURNING ${p.returning})`).join(',\n')}
     ${parts.map((p) => `SELECT ${p.select} FROM ${p.name}`).join('\nUNION ALL ')}`,
    parts.flatMap((p) => p.statement.params),
  );
  const transferRow = rows.find((row) => row.kind === 'transfer');
  return {
    transferSeq: transferRow ? BigInt(String(transferRow.seq)) : null,
    operationSeqs: new Map(
      rows
        .filter((row) => row.kind === 'operation')
        .map((row) => [row.id as string, BigInt(String(row.seq))]),
    ),
    walletsWritten: rows.filter((row) => row.kind === 'wallet').length,
  };
}
