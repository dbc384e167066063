/** Deposits and withdrawals: the payment provider's movements between one wallet and outside. */
import assert from 'node:assert/strict';
import { ledgerId } from '../../db/ids';
import { findOperationByReference, walletsById } from '../../db/queries';
import type { ExternalResult, WalletRow } from '../../domain/records';
import type { UserId } from '../../domain/ids';
import type { OperationType } from '../../domain/enums';
import { parseAmountMinor } from '../../domain/money';
import { externalEvent } from '../event-data';
import { movementTime, post } from '../legs';
import { type Movement } from '../movement';
import { idempotencyConflict } from '../../domain/errors';
import { findReference, recordReference } from '../references';

export interface ExternalCommand {
  serviceUserId: UserId;
  wallet: WalletRow;
  /** Decimal string, shape already checked; precision is checked here against the wallet's currency. */
  amount: string;
  /** The idempotency key, in the service account's namespace (shared with holds). */
  reference: string;
  details: string | null;
}

/** A credit from outside (DEPOSIT) or a debit to outside (WITHDRAWAL), keyed by its reference. */
export function externalMovement(
  type: Extract<OperationType, 'DEPOSIT' | 'WITHDRAWAL'>,
  command: ExternalCommand,
  precision: number,
): Movement<ExternalResult> {
  const { wallet, serviceUserId, reference } = command;
  const amountMinor = parseAmountMinor(command.amount, wallet.currency, precision);
  return {
    kind: type.toLowerCase(),
    walletIds: [wallet.id],
    async replay(sql) {
      const taken = await findReference(sql, serviceUserId, reference);
      if (taken === null) return null;
      if (taken.kind !== type) throw idempotencyConflict('reference');
      const existing = await findOperationByReference(sql, serviceUserId, reference);
      assert.ok(existing, `the ${type} of reference ${reference} exists`);
      const same =
        existing.walletId === wallet.id &&
        existing.amountMinor === amountMinor &&
        existing.details === command.details;
      if (!same) throw idempotencyConflict('reference');
      const [now] = await walletsById(sql, [existing.walletId]);
      return { operation: existing, wallet: now, replayed: true };
    },
    events: (result) => [externalEvent(result.operation, precision)],
    async write(sql, wallets) {
      const createdAtMs = movementTime(wallets);
      const posted = await post(sql, wallets, {
        transfer: null,
        legs: [
          {
            id: ledgerId(createdAtMs),
            walletId: wallet.id,
            type,
            amountMinor,
            transferId: null,
            counterpartyWalletId: null,
            reference,
            details: command.details,
            holdId: null,
            refundOf: null,
            initiatorUserId: serviceUserId,
            createdAtMs,
          },
        ],
      });
      const [operation] = posted.operations;
      await recordReference(sql, serviceUserId, reference, { kind: type, targetId: operation.id });
      return { operation, wallet: posted.wallets.get(wallet.id) as WalletRow, replayed: false };
    },
  };
}
