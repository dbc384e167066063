/** Authorizing a hold: the payment provider reserves part of a wallet's available balance. */
import assert from 'node:assert/strict';
import { ledgerId } from '../../db/ids';
import { findHold, walletsById } from '../../db/queries';
import type { HoldResult, WalletRow } from '../../domain/records';
import type { HoldId, UserId } from '../../domain/ids';
import { parseAmountMinor } from '../../domain/money';
import { holdEvent } from '../event-data';
import { insertHold } from '../holds';
import { post } from '../legs';
import { type Movement } from '../movement';
import { idempotencyConflict } from '../../domain/errors';
import { findReference, recordReference } from '../references';

export interface AuthorizeHoldCommand {
  serviceUserId: UserId;
  wallet: WalletRow;
  amount: string;
  /** The idempotency key, in the service account's namespace (shared with deposits and withdrawals). */
  reference: string;
  details: string | null;
  expiresInSeconds: number;
}

export function authorizeHoldMovement(
  command: AuthorizeHoldCommand,
  precision: number,
): Movement<HoldResult> {
  const { wallet, serviceUserId, reference } = command;
  const amountMinor = parseAmountMinor(command.amount, wallet.currency, precision);
  return {
    kind: 'hold',
    walletIds: [wallet.id],
    async replay(sql) {
      const taken = await findReference(sql, serviceUserId, reference);
      if (taken === null) return null;
      if (taken.kind !== 'HOLD') throw idempotencyConflict('reference');
      const existing = await findHold(sql, taken.targetId);
      assert.ok(existing, `the hold of reference ${reference} exists`);
      const same =
        existing.walletId === wallet.id &&
        existing.amountMinor === amountMinor &&
        existing.details === command.details &&
        existing.expiresAtMs - existing.createdAtMs === command.expiresInSeconds * 1000;
      if (!same) throw idempotencyConflict('reference');
      const [now] = await walletsById(sql, [wallet.id]);
      return { hold: existing, wallet: now, operation: null, replayed: true };
    },
    events: (result) => [holdEvent('HOLD_AUTHORIZED', result.hold, precision)],
    async write(sql, wallets) {
      const posted = await post(sql, wallets, {
        transfer: null,
        legs: [],
        held: [{ walletId: wallet.id, deltaMinor: amountMinor }],
      });
      const hold = await insertHold(sql, {
        id: ledgerId() as HoldId,
        walletId: wallet.id,
        serviceUserId,
        reference,
        amountMinor,
        details: command.details,
        expiresInSeconds: command.expiresInSeconds,
      });
      await recordReference(sql, serviceUserId, reference, { kind: 'HOLD', targetId: hold.id });
      return {
        hold,
        wallet: posted.wallets.get(wallet.id) as WalletRow,
        operation: null,
        replayed: false,
      };
    },
  };
}
