/**
 * The only code that changes a balance. Each movement is one transaction that
 * first locks its wallets (see locks.ts), then re-reads balances under the
 * locks, checks every rule, appends operations, and writes the new balances.
 * On PostgreSQL a transfer is one call of wallet_transfer (migrations
 * 1764200000000 and 1764300000000), one round trip, with the same rules.
 */
import assert from 'node:assert/strict';
import type { WalletIdentity } from '../accounts/wallet-directory';
import { DomainError } from '../errors';
import type { Database, Sql } from '../db/database';
import {
  driverCode,
  isLockTimeout,
  isUniqueViolation,
  lockTimeoutUntil,
  walletBusy,
} from '../db/database';
import { ledgerId } from '../db/ids';
import {
  findOperationByReference,
  findTransferByKey,
  findTransferLeg,
  walletsById,
} from '../db/queries';
import type { OperationRow, TransferRow, UserId, WalletId, WalletRow } from '../db/rows';
import type { OperationType } from '../entities/operation.entity';
import { movements } from '../metrics';
import type { Currencies } from '../money/currencies';
import {
  BALANCE_MAX_MINOR,
  aboveBalanceMax,
  addToBalance,
  insufficientFunds,
  parseAmountMinor,
  subtractFromBalance,
} from '../money/money';
import type { FaultInjector } from './faults';
import { lockOrder, lockWallets } from './locks';
import type { WalletSlots } from './wallet-slots';

export interface ExternalCommand {
  serviceUserId: UserId;
  wallet: WalletRow;
  /** Decimal string, shape already checked; precision is checked here against the wallet's currency. */
  amount: string;
  reference: string;
  details: string | null;
}

export interface TransferCommand {
  initiatorUserId: UserId;
  /** Balances are read under the locks, so who and which currency is all a transfer is given. */
  source: WalletIdentity;
  target: WalletIdentity;
  amount: string;
  details: string | null;
  idempotencyKey: string | null;
}

export interface ExternalResult {
  operation: OperationRow;
  wallet: WalletRow;
  replayed: boolean;
}

export interface TransferResult {
  transfer: TransferRow;
  /** The sender's leg and wallet. */
  operation: OperationRow;
  wallet: WalletRow;
  replayed: boolean;
}

const conflict = (what: string) =>
  new DomainError(
    'IDEMPOTENCY_CONFLICT',
    `This ${what} was already used for a different request. Use a new one for a new payment.`,
  );

export class Ledger {
  constructor(
    private readonly db: Database,
    private readonly currencies: Currencies,
    /** Busy wallets' share of the pool (PostgreSQL; see wallet-slots.ts); null on SQLite. */
    private readonly slots: WalletSlots | null,
    /** Tests only (see faults.ts); null in every real run. */
    private readonly faults: FaultInjector | null = null,
  ) {}

  /** Credits a wallet from outside (the payment provider's deposit). */
  deposit(command: ExternalCommand): Promise<ExternalResult> {
    return this.external('DEPOSIT', command);
  }

  /** Debits a wallet to outside (a charge or a withdrawal). */
  withdraw(command: ExternalCommand): Promise<ExternalResult> {
    return this.external('WITHDRAWAL', command);
  }

  private async external(type: OperationType, command: ExternalCommand): Promise<ExternalResult> {
    const kind = type.toLowerCase();
    const { wallet } = command;
    const amountMinor = parseAmountMinor(
      command.amount,
      wallet.currency,
      this.currencies.precision(wallet.currency),
    );
    // A repeat of a movement already made (see attemptOnce).
    const replay = (sql: Sql, existing: OperationRow) => {
      const same =
        existing.type === type &&
        existing.walletId === wallet.id &&
        existing.amountMinor === amountMinor &&
        existing.details === command.details;
      if (!same) throw conflict('reference');
      return this.externalReplay(sql, existing);
    };
    const replayEarlier = () =>
      this.db.read(async (sql) => {
        const existing = await findOperationByReference(
          sql,
          command.serviceUserId,
          command.reference,
        );
        return existing && replay(sql, existing);
      });
    return this.measure(kind, () =>
      attemptOnce(
        () =>
          this.withinDeadline([wallet.id], (deadlineMs) =>
            this.inTransaction(
              (sql) => this.appendExternal(sql, type, command, amountMinor),
              deadlineMs,
            ),
          ),
        replayEarlier,
      ),
    );
  }

  /** A deposit's or withdrawal's writes, inside its transaction. */
  private async appendExternal(
    sql: Sql,
    type: OperationType,
    command: ExternalCommand,
    amountMinor: bigint,
  ): Promise<ExternalResult> {
    const { wallet } = command;
    const locked = await lockWallets(sql, [wallet.id]);
    this.faults?.at('after-locks');
    const current = locked.get(wallet.id) as WalletRow;
    const balanceAfterMinor =
      type === 'DEPOSIT'
        ? addToBalance(current.balanceMinor, amountMinor)
        : subtractFromBalance(current.balanceMinor, amountMinor);
    const createdAtMs = Date.now();
    const { operations } = await appendToLedger(sql, {
      transfer: null,
      operations: [
        {
          id: ledgerId(createdAtMs),
          walletId: wallet.id,
          type,
          amountMinor,
          balanceAfterMinor,
          transferId: null,
          counterpartyWalletId: null,
          reference: command.reference,
          details: command.details,
          initiatorUserId: command.serviceUserId,
          createdAtMs,
        },
      ],
      balances: [{ walletId: wallet.id, balanceMinor: balanceAfterMinor }],
    });
    const [operation] = operations;
    return {
      operation,
      wallet: { ...current, balanceMinor: balanceAfterMinor },
      replayed: false,
    };
  }

  private async externalReplay(sql: Sql, existing: OperationRow): Promise<ExternalResult> {
    const [wallet] = await walletsById(sql, [existing.walletId]);
    return { operation: existing, wallet, replayed: true };
  }

  /** Moves money between two wallets of one currency. */
  async transfer(command: TransferCommand): Promise<TransferResult> {
    const { source, target, idempotencyKey } = command;
    if (source.currency !== target.currency) {
      throw new DomainError(
        'CURRENCY_MISMATCH',
        `The sending wallet holds ${source.currency} and the receiving wallet ${target.currency}.`,
      );
    }
    const amountMinor = parseAmountMinor(
      command.amount,
      source.currency,
      this.currencies.precision(source.currency),
    );
    if (source.id === target.id) {
      throw new DomainError('BAD_USER_INPUT', 'A wallet cannot send money to itself.', {
        field: 'toWalletId',
      });
    }
    const replay = (sql: Sql, existing: TransferRow) => {
      const same =
        existing.fromWalletId === source.id &&
        existing.toWalletId === target.id &&
        existing.amountMinor === amountMinor &&
        existing.details === command.details;
      if (!same) throw conflict('idempotency key');
      return this.transferReplay(sql, existing);
    };
    const replayEarlier =
      idempotencyKey === null
        ? null
        : () =>
            this.db.read(async (sql) => {
              const existing = await findTransferByKey(
                sql,
                command.initiatorUserId,
                idempotencyKey,
              );
              return existing && replay(sql, existing);
            });

    return this.measure('transfer', () =>
      attemptOnce(
        () =>
          this.db.kind === 'postgres'
            ? this.withinDeadline([source.id, target.id], (deadlineMs) =>
                this.transferOnPostgres(command, amountMinor, deadlineMs),
              )
            : this.inTransaction((sql) => this.appendTransfer(sql, command, amountMinor)),
        replayEarlier,
      ),
    );
  }

  /** A transfer's writes, inside its transaction (SQLite). */
  private async appendTransfer(
    sql: Sql,
    command: TransferCommand,
    amountMinor: bigint,
  ): Promise<TransferResult> {
    const { source, target } = command;
    const locked = await lockWallets(sql, [source.id, target.id]);
    this.faults?.at('after-locks');
    const from = locked.get(source.id) as WalletRow;
    const to = locked.get(target.id) as WalletRow;
    const fromAfterMinor = subtractFromBalance(from.balanceMinor, amountMinor);
    const toAfterMinor = addToBalance(to.balanceMinor, amountMinor);
    const rows = newTransferRows(command, amountMinor);
    const debitLeg = { ...rows.debitLeg, balanceAfterMinor: fromAfterMinor };
    const creditLeg = { ...rows.creditLeg, balanceAfterMinor: toAfterMinor };
    assert.equal(signedMinor(debitLeg) + signedMinor(creditLeg), 0n, 'transfer legs sum to zero');
    const appended = await appendToLedger(sql, {
      transfer: rows.transfer,
      operations: [debitLeg, creditLeg],
      balances: [
        { walletId: source.id, balanceMinor: fromAfterMinor },
        { walletId: target.id, balanceMinor: toAfterMinor },
      ],
    });
    const { transfer, operations } = appended;
    assert.ok(transfer !== null, 'the transfer row was appended');
    const [debit] = operations;
    return {
      transfer,
      operation: debit,
      wallet: { ...from, balanceMinor: fromAfterMinor },
      replayed: false,
    };
  }

  /**
   * A transfer on PostgreSQL: one call of wallet_transfer (migration
   * 1764300000000), what appendTransfer does in one statement that is its own
   * transaction, each wallet's lock UPDATE also moving its balance if the
   * wallet's rule allows. One round trip instead of three, and the locks are
   * held for no round trip at all. With fault injection (tests only) the call
   * runs inside a transaction, so that faults can strike before its commit.
   */
  private transferOnPostgres(command: TransferCommand, amountMinor: bigint, deadlineMs: number) {
    const call = (sql: Sql) => callWalletTransfer(sql, deadlineMs, command, amountMinor);
    // Outside a transaction, the one statement is a transaction by itself.
    if (this.faults === null) return this.db.read(call, deadlineMs);
    return this.inTransaction(async (sql) => {
      const result = await call(sql);
      this.faults?.at('after-locks');
      return result;
    }, deadlineMs);
  }

  /**
   * A movement's work on its wallets within one deadline, LOCK_TIMEOUT_MS
   * from now: on PostgreSQL the wait for the wallets' slots and the wait for
   * their locks share it (what is left may be nothing: lockTimeoutUntil
   * makes that 1 ms at the database).
   */
  private withinDeadline<T>(
    walletIds: readonly WalletId[],
    work: (deadlineMs: number) => Promise<T>,
  ): Promise<T> {
    const deadlineMs = Date.now() + this.db.lockTimeoutMs;
    if (this.slots === null) return work(deadlineMs);
    return this.slots.run(lockOrder(walletIds), deadlineMs, () => work(deadlineMs));
  }

  /** One movement's transaction, with the fault points (tests only) around its commit. */
  private async inTransaction<T>(work: (sql: Sql) => Promise<T>, deadlineMs?: number): Promise<T> {
    const result = await this.db.transaction(async (sql) => {
      const value = await work(sql);
      this.faults?.at('before-commit');
      return value;
    }, deadlineMs);
    this.faults?.at('after-commit');
    return result;
  }

  private async transferReplay(sql: Sql, existing: TransferRow): Promise<TransferResult> {
    const operation = await findTransferLeg(sql, existing.id, existing.fromWalletId);
    const [wallet] = await walletsById(sql, [existing.fromWalletId]);
    assert.ok(operation, `transfer ${existing.id} has its debit leg`);
    return { transfer: existing, operation, wallet, replayed: true };
  }

  /** Counts outcomes and turns a lock wait past its bound into WALLET_BUSY. */
  private async measure<T extends { replayed: boolean }>(
    kind: string,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      const result = await work();
      movements.inc({ kind, outcome: result.replayed ? 'replayed' : 'committed' });
      return result;
    } catch (error) {
      const refusal = isLockTimeout(error) ? walletBusy() : error;
      movements.inc({
        kind,
        outcome: refusal instanceof DomainError ? refusal.code : 'INTERNAL_SERVER_ERROR',
      });
      throw refusal;
    }
  }
}

/**
 * Runs a movement that carries a key (a transfer's idempotency key, a
 * deposit's or withdrawal's reference) at most once per key. The attempt runs
 * straight away: the key's unique index, not a lookup, is what stops a
 * repeat, so a first attempt (nearly every one) pays for no lookup; on
 * PostgreSQL a lookup is a round trip, and one under the locks would lengthen
 * every wait on a busy wallet. The key is looked up only once the attempt has
 * failed and rolled back: a repeat fails on that index, or earlier on a rule
 * (repeating a transfer that emptied the wallet fails for funds) or on a
 * wallet's lock held past its bound (the original needs no lock to be read,
 * and IDEMPOTENCY_CONFLICT comes before WALLET_BUSY), and is then
 * answered by `replayEarlier`, in one read: the replay of what holds the key,
 * or IDEMPOTENCY_CONFLICT. A failure with nothing under its key (null) stands,
 * so a refused attempt leaves no trace and its retry is judged afresh.
 */
async function attemptOnce<T>(
  attempt: () => Promise<T>,
  replayEarlier: (() => Promise<T | null>) | null,
): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    const repeatable =
      isUniqueViolation(error) || isLockTimeout(error) || error instanceof DomainError;
    if (replayEarlier === null || !repeatable) throw error;
    const replayed = await replayEarlier();
    if (replayed === null) throw error;
    return replayed;
  }
}

/** A transfer's rows but for the balances after it: ids and time, made here on both databases. */
function newTransferRows(command: TransferCommand, amountMinor: bigint) {
  const { source, target } = command;
  const createdAtMs = Date.now();
  const transferId = ledgerId(createdAtMs);
  const leg = {
    amountMinor,
    transferId,
    reference: null,
    details: command.details,
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
      createdAtMs,
    } satisfies NewTransfer,
    debitLeg: {
      ...leg,
      id: ledgerId(createdAtMs),
      walletId: source.id,
      type: 'TRANSFER_OUT',
      counterpartyWalletId: target.id,
    } satisfies Omit<NewOperation, 'balanceAfterMinor'>,
    creditLeg: {
      ...leg,
      id: ledgerId(createdAtMs),
      walletId: target.id,
      type: 'TRANSFER_IN',
      counterpartyWalletId: source.id,
    } satisfies Omit<NewOperation, 'balanceAfterMinor'>,
  };
}

/** What wallet_transfer refuses with, as the ledger's errors. */
const WALLET_TRANSFER_REFUSALS = new Map<string | undefined, () => DomainError>([
  ['WL001', insufficientFunds],
  ['WL002', aboveBalanceMax],
]);

/** Calls wallet_transfer (PostgreSQL): locks, rules and writes in one statement. */
async function callWalletTransfer(
  sql: Sql,
  deadlineMs: number,
  command: TransferCommand,
  amountMinor: bigint,
): Promise<TransferResult> {
  const { source, target } = command;
  const [firstLock, secondLock] = lockOrder([source.id, target.id]);
  const { transfer, debitLeg, creditLeg } = newTransferRows(command, amountMinor);
  let rows: {
    new_transfer_seq: unknown;
    new_debit_seq: unknown;
    from_wallet_seq: unknown;
    from_wallet_created_at: unknown;
    from_balance_after: string;
  }[];
  try {
    rows = await sql.rows(
      `SELECT new_transfer_seq, new_debit_seq, from_wallet_seq, from_wallet_created_at, from_balance_after
         FROM wallet_transfer(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
      ],
    );
  } catch (error) {
    const refusal = WALLET_TRANSFER_REFUSALS.get(driverCode(error));
    throw refusal ? refusal() : error;
  }
  assert.equal(rows.length, 1, 'wallet_transfer returns one row');
  const [row] = rows;
  const fromAfterMinor = BigInt(row.from_balance_after);
  return {
    transfer: { ...transfer, seq: BigInt(String(row.new_transfer_seq)) },
    operation: {
      ...debitLeg,
      balanceAfterMinor: fromAfterMinor,
      seq: BigInt(String(row.new_debit_seq)),
    },
    wallet: {
      id: source.id,
      userId: source.userId,
      currency: source.currency,
      seq: BigInt(String(row.from_wallet_seq)),
      createdAtMs: Number(row.from_wallet_created_at),
      balanceMinor: fromAfterMinor,
    },
    replayed: false,
  };
}

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

type NewOperation = Omit<OperationRow, 'seq'>;
type NewTransfer = Omit<TransferRow, 'seq'>;

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
