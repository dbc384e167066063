/**
 * Resolving a hold, once: a capture writes one WITHDRAWAL of what the
 * purchase finally cost (at most the hold) and releases the whole reserve;
 * a void releases it. A repeat of the same resolution returns the hold as
 * it is; another is ALREADY_RESOLVED; a hold past its expiry (the database's
 * clock, read under the wallet's lock) is EXPIRED.
 */
import assert from 'node:assert/strict';
import { ledgerId } from '../../db/ids';
import { findHold, walletsById } from '../../db/queries';
import type { HoldRow, WalletRow } from '../../domain/records';
import type { UserId } from '../../domain/ids';
import type { Sql } from '../../db/sql';
import { DomainError } from '../../domain/errors';
import { parseAmountMinor } from '../../domain/money';
import { holdEvent } from '../event-data';
import { resolveHold } from '../holds';
import { movementTime, post } from '../legs';
import type { Movement } from '../movement';
import type { HoldResult } from '../../domain/records';

export interface CaptureHoldCommand {
  serviceUserId: UserId;
  /** The hold as read before its wallet was locked: which wallet, and what currency. */
  hold: HoldRow;
  wallet: WalletRow;
  /** Null: the whole hold. */
  amount: string | null;
}

export type VoidHoldCommand = Omit<CaptureHoldCommand, 'amount'>;

const alreadyResolved = (hold: HoldRow) =>
  new DomainError('ALREADY_RESOLVED', `This hold was already ${hold.status.toLowerCase()}.`);

const expired = () =>
  new DomainError('EXPIRED', 'This hold has expired; its reserve was released.');

/** The hold as it stands under its wallet's lock: nobody else can resolve it meanwhile. */
async function lockedHold(sql: Sql, hold: HoldRow): Promise<HoldRow> {
  const current = await findHold(sql, hold.id);
  assert.ok(current, `hold ${hold.id} exists`);
  return current;
}

async function asItIs(sql: Sql, hold: HoldRow): Promise<HoldResult> {
  const [wallet] = await walletsById(sql, [hold.walletId]);
  return { hold, wallet, operation: null, replayed: true };
}

export function captureHoldMovement(
  command: CaptureHoldCommand,
  precision: number,
): Movement<HoldResult> {
  const { wallet } = command;
  const askedMinor =
    command.amount === null ? null : parseAmountMinor(command.amount, wallet.currency, precision);
  return {
    kind: 'capture',
    walletIds: [wallet.id],
    replay: null,
    events: (result) => [holdEvent('HOLD_CAPTURED', result.hold, precision, result.operation)],
    async write(sql, wallets) {
      const hold = await lockedHold(sql, command.hold);
      const amountMinor = askedMinor ?? hold.amountMinor;
      switch (hold.status) {
        case 'CAPTURED':
          if (hold.capturedMinor === amountMinor) return asItIs(sql, hold);
          throw alreadyResolved(hold);
        case 'VOIDED':
          throw alreadyResolved(hold);
        case 'EXPIRED':
          throw expired();
        case 'PENDING':
          break;
      }
      if (amountMinor > hold.amountMinor) {
        throw new DomainError(
          'EXCEEDS_REMAINING',
          'The capture is larger than the hold; capture at most what was authorized.',
          { field: 'amount' },
        );
      }
      const createdAtMs = movementTime(wallets);
      const posted = await post(sql, wallets, {
        transfer: null,
        legs: [
          {
            id: ledgerId(createdAtMs),
            walletId: wallet.id,
            type: 'WITHDRAWAL',
            amountMinor,
            transferId: null,
            counterpartyWalletId: null,
            reference: hold.reference,
            details: hold.details,
            holdId: hold.id,
            refundOf: null,
            initiatorUserId: command.serviceUserId,
            createdAtMs,
          },
        ],
        held: [{ walletId: wallet.id, deltaMinor: -hold.amountMinor }],
      });
      const captured = await resolveHold(sql, hold.id, {
        status: 'CAPTURED',
        capturedMinor: amountMinor,
      });
      return {
        hold: captured,
        wallet: posted.wallets.get(wallet.id) as WalletRow,
        operation: posted.operations[0],
        replayed: false,
      };
    },
  };
}

export function voidHoldMovement(
  command: VoidHoldCommand,
  precision: number,
): Movement<HoldResult> {
  const { wallet } = command;
  return {
    kind: 'void',
    walletIds: [wallet.id],
    replay: null,
    events: (result) => [holdEvent('HOLD_VOIDED', result.hold, precision)],
    async write(sql, wallets) {
      const hold = await lockedHold(sql, command.hold);
      switch (hold.status) {
        case 'VOIDED':
          return asItIs(sql, hold);
        case 'CAPTURED':
          throw alreadyResolved(hold);
        case 'EXPIRED':
          throw expired();
        case 'PENDING':
          break;
      }
      const posted = await post(sql, wallets, {
        transfer: null,
        legs: [],
        held: [{ walletId: wallet.id, deltaMinor: -hold.amountMinor }],
      });
      const voided = await resolveHold(sql, hold.id, { status: 'VOIDED' });
      return {
        hold: voided,
        wallet: posted.wallets.get(wallet.id) as WalletRow,
        operation: null,
        replayed: false,
      };
    },
  };
}
