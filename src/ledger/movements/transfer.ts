/** Transfers: money from one wallet to another of the same currency, keyed by the sender's idempotency key. */
import assert from 'node:assert/strict';
import type { WalletIdentity } from '../../domain/records';
import { driverCode, lockTimeoutUntil } from '../../db/errors';
import { ledgerId } from '../../db/ids';
import { findTransferByKey, findTransferLeg, walletsById } from '../../db/queries';
import type { TransferResult, TransferRow, WalletRow } from '../../domain/records';
import type { UserId, WalletId } from '../../domain/ids';
import type { Sql } from '../../db/sql';
import { DomainError } from '../../domain/errors';
import {
  BALANCE_MAX_MINOR,
  aboveBalanceMax,
  insufficientFunds,
  parseAmountMinor,
} from '../../domain/money';
import { transferEvent } from '../event-data';
import { eventRecord } from '../events';
import { movementTime, post, type NewLeg, type NewTransfer } from '../legs';
import { lockOrder, type LockedWallets } from '../locks';
import { type Movement } from '../movement';
import { idempotencyConflict } from '../../domain/errors';

export interface TransferCommand {
  initiatorUserId: UserId;
  /** Balances are read under the locks, so who and which currency is all a transfer is given. */
  source: WalletIdentity;
  target: WalletIdentity;
  amount: string;
  details: string | null;
  idempotencyKey: string | null;
}

export function transferMovement(
  command: TransferCommand,
  precision: number,
): Movement<TransferResult> {
  const { source, target, idempotencyKey } = command;
  if (source.currency !== target.currency) {
    throw new DomainError(
      'CURRENCY_MISMATCH',
      `The sending wallet holds ${source.currency} and the receiving wallet ${target.currency}.`,
    );
  }
  const amountMinor = parseAmountMinor(command.amount, source.currency, precision);
  if (source.id === target.id) {
    throw new DomainError('BAD_USER_INPUT', 'A wallet cannot send money to itself.', {
      field: 'toWalletId',
    });
  }
  return {
    kind: 'transfer',
    walletIds: [source.id, target.id],
    replay:
      idempotencyKey === null
        ? null
        : async (sql) => {
            const existing = await findTransferByKey(sql, command.initiatorUserId, idempotencyKey);
            if (existing === null) return null;
            const same =
              existing.refundOf === null &&
              existing.fromWalletId === source.id &&
              existing.toWalletId === target.id &&
              existing.amountMinor === amountMinor &&
              existing.details === command.details;
            if (!same) throw idempotencyConflict('idempotency key');
            return transferReplay(sql, existing);
          },
    events: (result) => [transferEvent(result.transfer, precision)],
    write: (sql, wallets) =>
      postTransfer(
        sql,
        wallets,
        source.id,
        newTransferRows(command, amountMinor, movementTime(wallets)),
      ),
    writeInOneStatement: (sql, deadlineMs) =>
      callWalletTransfer(sql, deadlineMs, command, amountMinor, precision),
  };
}

/** Posts a transfer's rows; the answer is its source's side (the sender's). */
export async function postTransfer(
  sql: Sql,
  wallets: LockedWallets,
  sourceId: WalletId,
  rows: ReturnType<typeof newTransferRows>,
): Promise<TransferResult> {
  const posted = await post(sql, wallets, {
    transfer: rows.transfer,
    legs: [rows.debitLeg, rows.creditLeg],
  });
  assert.ok(posted.transfer !== null, 'the transfer row was appended');
  const [debit] = posted.operations;
  return {
    transfer: posted.transfer,
    operation: debit,
    wallet: posted.wallets.get(sourceId) as WalletRow,
    replayed: false,
  };
}

/** A transfer made before, answered again: its sender's leg, and the sender's wallet as it is now. */
export async function transferReplay(sql: Sql, existing: TransferRow): Promise<TransferResult> {
  const operation = await findTransferLeg(sql, existing.id, existing.fromWalletId);
  const [wallet] = await walletsById(sql, [existing.fromWalletId]);
  assert.ok(operation, `transfer ${existing.id} has its debit leg`);
  return { transfer: existing, operation, wallet, replayed: true };
}

/**
 * A transfer's rows but for the balances after it: ids and time, made here
 * on both databases. A refund's name the transfer they refund.
 */
export function newTransferRows(
  command: Omit<TransferCommand, 'amount'>,
  amountMinor: bigint,
  createdAtMs: number,
  refundOf: string | null = null,
) {
  const { source, target } = command;
  const transferId = ledgerId(createdAtMs);
  const leg = {
    amountMinor,
    transferId,
    reference: null,
    details: command.details,
    holdId: null,
    refundOf,
    initiatorUserId: command.initiatorUserId,
    createdAtMs,
  };
  return {
    transfer: {
      id: transferId,
      fromWalletId: source.id,
      toWalletId: target.id,
      amountMinor,
      currency: source.currency,
      details: command.details,
      initiatorUserId: command.initiatorUserId,
      idempotencyKey: command.idempotencyKey,
      refundOf,
      createdAtMs,
    } satisfies NewTransfer,
    debitLeg: {
      ...leg,
      id: ledgerId(createdAtMs),
      walletId: source.id,
      type: 'TRANSFER_OUT',
      counterpartyWalletId: target.id,
    } satisfies NewLeg,
    creditLeg: {
      ...leg,
      id: ledgerId(createdAtMs),
      walletId: target.id,
      type: 'TRANSFER_IN',
      counterpartyWalletId: source.id,
    } satisfies NewLeg,
  };
}

/** What wallet_transfer refuses with, as the ledger's errors. */
const WALLET_TRANSFER_REFUSALS = new Map<string | undefined, () => DomainError>([
  ['WL001', insufficientFunds],
  ['WL002', aboveBalanceMax],
]);

/** wallet_transfer's answer for a sender that holds funds it refused: decide in a transaction. */
const SENDER_HOLDS_FUNDS = 'WL003';

/**
 * Calls wallet_transfer (PostgreSQL; db/postgres/wallet-transfer.sql): what `write` does, its event included, in one statement that is its own
 * transaction, each wallet's lock UPDATE also moving its balance if the
 * wallet's rule allows (the sender's: its balance less its reserve). One
 * round trip instead of three, and the locks are held for no round trip at
 * all. Null when it refused a sender that holds funds: some of that reserve
 * may have expired, which `write` releases before it decides.
 */
async function callWalletTransfer(
  sql: Sql,
  deadlineMs: number,
  command: TransferCommand,
  amountMinor: bigint,
  precision: number,
): Promise<TransferResult | null> {
  const { source, target } = command;
  const [firstLock, secondLock] = lockOrder([source.id, target.id]);
  // The function moves the time on if a wallet's last operation is later (see movementTime).
  const { transfer, debitLeg, creditLeg } = newTransferRows(command, amountMinor, Date.now());
  const event = eventRecord(transferEvent(transfer, precision), transfer.createdAtMs);
  let rows: {
    new_transfer_seq: unknown;
    new_debit_seq: unknown;
    from_wallet_seq: unknown;
    from_wallet_created_at: unknown;
    from_balance_after: string;
    from_held: string;
    moved_at: unknown;
  }[];
  try {
    rows = await sql.rows(
      `SELECT new_transfer_seq, new_debit_seq, from_wallet_seq, from_wallet_created_at,
              from_balance_after, from_held, moved_at
         FROM wallet_transfer(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        lockTimeoutUntil(deadlineMs),
        firstLock,
        secondLock,
        transfer.id,
        source.id,
        target.id,
        amountMinor,
        BALANCE_MAX_MINOR,
        transfer.currency,
        transfer.details,
        transfer.initiatorUserId,
        transfer.idempotencyKey,
        transfer.createdAtMs,
        debitLeg.id,
        creditLeg.id,
        // Its event, written by the function in the same transaction (the outbox).
        event.id,
        event.walletIds,
        event.body,
      ],
    );
  } catch (error) {
    if (driverCode(error) === SENDER_HOLDS_FUNDS) return null;
    const refusal = WALLET_TRANSFER_REFUSALS.get(driverCode(error));
    throw refusal ? refusal() : error;
  }
  assert.equal(rows.length, 1, 'wallet_transfer returns one row');
  const [row] = rows;
  const fromAfterMinor = BigInt(row.from_balance_after);
  const movedAtMs = Number(row.moved_at);
  return {
    transfer: {
      ...transfer,
      seq: BigInt(String(row.new_transfer_seq)),
      refundedMinor: 0n,
      createdAtMs: movedAtMs,
    },
    operation: {
      ...debitLeg,
      balanceAfterMinor: fromAfterMinor,
      seq: BigInt(String(row.new_debit_seq)),
      createdAtMs: movedAtMs,
    },
    wallet: {
      id: source.id,
      userId: source.userId,
      currency: source.currency,
      seq: BigInt(String(row.from_wallet_seq)),
      createdAtMs: Number(row.from_wallet_created_at),
      balanceMinor: fromAfterMinor,
      heldMinor: BigInt(row.from_held),
      lastOperationAtMs: movedAtMs,
    },
    replayed: false,
  };
}
