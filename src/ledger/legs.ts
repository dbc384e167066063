/**
 * Writing a movement's legs: each leg's balance after it, checked against
 * the wallet's rules (never below zero, never above the maximum), then the
 * rows appended and the balances written. Every movement kind writes through
 * here (on PostgreSQL a transfer's one statement, wallet_transfer, does the
 * same inside the database).
 */
import assert from 'node:assert/strict';
import type { OperationRow, TransferRow, WalletId, WalletRow } from '../db/rows';
import type { Sql } from '../db/sql';
import { addToBalance, subtractFromBalance } from '../money/money';
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
export type NewTransfer = Omit<TransferRow, 'seq'>;
/** A leg as a movement states it: everything but the balance after it, which post() works out. */
export type NewLeg = Omit<NewOperation, 'balanceAfterMinor'>;

/** What post() wrote: the rows with their keys, and each wallet as it stands after. */
export interface Posted {
  transfer: TransferRow | null;
  /** In the order of the legs given. */
  operations: OperationRow[];
  wallets: Map<WalletId, WalletRow>;
}

/**
 * Appends a movement's legs (and its transfer row, if any) and writes the
 * wallets' new balances. Each leg's wallet must be locked; a debit that
 * would take it below zero is INSUFFICIENT_FUNDS, a credit past the maximum
 * balance BAD_USER_INPUT, and nothing is written. A transfer's legs sum to zero.
 */
export async function post(
  sql: Sql,
  wallets: LockedWallets,
  entry: { transfer: NewTransfer | null; legs: readonly NewLeg[] },
): Promise<Posted> {
  const after = new Map<WalletId, WalletRow>();
  const operations = entry.legs.map((leg): NewOperation => {
    const wallet = after.get(leg.walletId) ?? wallets.get(leg.walletId);
    assert.ok(wallet, `the wallet of leg ${leg.id} is locked`);
    const balanceAfterMinor =
      signedMinor(leg) > 0n
        ? addToBalance(wallet.balanceMinor, leg.amountMinor)
        : subtractFromBalance(wallet.balanceMinor, leg.amountMinor);
    after.set(leg.walletId, { ...wallet, balanceMinor: balanceAfterMinor });
    return { ...leg, balanceAfterMinor };
  });
  if (entry.transfer !== null) {
    const sum = operations.reduce((total, op) => total + signedMinor(op), 0n);
    assert.equal(sum, 0n, 'transfer legs sum to zero');
  }
  const appended = await appendToLedger(sql, {
    transfer: entry.transfer,
    operations,
    balances: [...after.values()].map(({ id, balanceMinor }) => ({ walletId: id, balanceMinor })),
  });
  return { ...appended, wallets: after };
}

interface LedgerAppend {
  transfer: NewTransfer | null;
  operations: NewOperation[];
  /** New balances; every wallet here must be locked already. */
  balances: readonly { walletId: WalletId; balanceMinor: bigint }[];
}

interface Statement {
  text: string;
  params: unknown[];
}

function transferInsert(transfer: NewTransfer): Statement {
  return {
    text: `INSERT INTO transfers (id, from_wallet_id, to_wallet_id, amount_minor, currency, details,
             initiator_user_id, idempotency_key, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    params: [
      transfer.id,
      transfer.fromWalletId,
      transfer.toWalletId,
      transfer.amountMinor,
      transfer.currency,
      transfer.details,
      transfer.initiatorUserId,
      transfer.idempotencyKey,
      transfer.createdAtMs,
    ],
  };
}

function operationsInsert(ops: readonly NewOperation[]): Statement {
  return {
    text: `INSERT INTO operations (id, wallet_id, type, amount_minor, balance_after_minor, transfer_id,
             counterparty_wallet_id, reference, details, initiator_user_id, created_at)
           VALUES ${ops.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
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
      op.initiatorUserId,
      op.createdAtMs,
    ]),
  };
}

function balancesUpdate(balances: LedgerAppend['balances']): Statement {
  const cases = balances.map(() => 'WHEN ? THEN CAST(? AS BIGINT)').join(' ');
  return {
    text: `UPDATE wallets SET balance_minor = CASE id ${cases} END
           WHERE id IN (${balances.map(() => '?').join(', ')})`,
    params: [
      ...balances.flatMap(({ walletId, balanceMinor }) => [walletId, balanceMinor]),
      ...balances.map(({ walletId }) => walletId),
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
  assert.equal(appended.walletsWritten, append.balances.length, 'every balance written');
  const operations = append.operations.map((op) => {
    const seq = appended.operationSeqs.get(op.id);
    assert.ok(seq !== undefined, `operation ${op.id} inserted`);
    return { ...op, seq };
  });
  if (append.transfer === null) return { transfer: null, operations };
  assert.ok(appended.transferSeq !== null, `transfer ${append.transfer.id} inserted`);
  return { transfer: { ...append.transfer, seq: appended.transferSeq }, operations };
}

async function appendInThree(sql: Sql, append: LedgerAppend): Promise<Appended> {
  let transferSeq: bigint | null = null;
  if (append.transfer !== null) {
    const insert = transferInsert(append.transfer);
    const [row] = await sql.rows<{ seq: unknown }>(`${insert.text} RETURNING seq`, insert.params);
    transferSeq = BigInt(String(row.seq));
  }
  const insert = operationsInsert(append.operations);
  const rows = await sql.rows<{ id: string; seq: unknown }>(
    `${insert.text} RETURNING id, seq`,
    insert.params,
  );
  const update = balancesUpdate(append.balances);
  const walletsWritten = await sql.run(update.text, update.params);
  return {
    transferSeq,
    // RETURNING promises no order: keys are matched by id.
    operationSeqs: new Map(rows.map((row) => [row.id, BigInt(String(row.seq))])),
    walletsWritten,
  };
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
  parts.push(
    {
      name: 'new_operations',
      statement: operationsInsert(append.operations),
      returning: 'id, seq',
      select: "'operation' AS kind, id, seq",
    },
    {
      name: 'new_balances',
      statement: balancesUpdate(append.balances),
      returning: 'id',
      select: "'wallet' AS kind, id, CAST(NULL AS BIGINT) AS seq",
    },
  );
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
