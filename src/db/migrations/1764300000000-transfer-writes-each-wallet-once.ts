import type { MigrationInterface, QueryRunner } from 'typeorm';
import { WALLET_TRANSFER_V1 } from './1764200000000-transfer-function';

/**
 * One wallet's lock UPDATE, which also moves its balance if the wallet's rule
 * allows: the sender is left with zero or more, the receiver with at most the maximum.
 */
const lockAndMove = (lock: string, into: string) =>
  `UPDATE wallets SET lock_version = lock_version + 1,
        balance_minor = CASE WHEN id = p_from THEN balance_minor - p_amount_minor
                             ELSE balance_minor + p_amount_minor END
      WHERE id = ${lock}
        AND CASE WHEN id = p_from THEN balance_minor >= p_amount_minor
                 ELSE balance_minor <= p_balance_max_minor - p_amount_minor END
      RETURNING * INTO ${into};`;

/** The function as this migration made it (migration 1764400000000 builds on it, and its down() puts it back). */
export const WALLET_TRANSFER_V2 = `CREATE OR REPLACE FUNCTION "wallet_transfer"(
    p_lock_timeout_ms integer,
    p_first_lock varchar, p_second_lock varchar,
    p_transfer_id varchar, p_from varchar, p_to varchar,
    p_amount_minor bigint, p_balance_max_minor bigint, p_currency varchar,
    p_details varchar, p_initiator varchar, p_idempotency_key varchar, p_created_at bigint,
    p_debit_id varchar, p_credit_id varchar)
  RETURNS TABLE (new_transfer_seq bigint, new_debit_seq bigint,
    from_wallet_seq bigint, from_wallet_created_at bigint, from_balance_after text)
  LANGUAGE plpgsql AS $$
  DECLARE
    first_wallet wallets%ROWTYPE;
    second_wallet wallets%ROWTYPE;
    from_wallet wallets%ROWTYPE;
    to_wallet wallets%ROWTYPE;
    refused varchar;
  BEGIN
    IF p_from = p_to OR NOT (p_first_lock IN (p_from, p_to) AND p_second_lock IN (p_from, p_to)) THEN
      RAISE EXCEPTION 'wallet_transfer: locks % and % are not the wallets % and %',
        p_first_lock, p_second_lock, p_from, p_to;
    END IF;
    PERFORM set_config('lock_timeout', p_lock_timeout_ms || 'ms', true);
    -- A balance that breaks the rule when the statement starts is refused at once; otherwise
    -- the UPDATE waits for the wallet's lock and tests the rule again on the balance it finds.
    ${lockAndMove('p_first_lock', 'first_wallet')}
    IF NOT FOUND THEN
      refused := p_first_lock;
    ELSE
      ${lockAndMove('p_second_lock', 'second_wallet')}
      IF NOT FOUND THEN refused := p_second_lock; END IF;
    END IF;
    IF refused IS NOT NULL THEN
      IF NOT EXISTS (SELECT 1 FROM wallets WHERE id = refused) THEN
        RAISE EXCEPTION 'wallet_transfer: wallet % to lock does not exist', refused;
      END IF;
      IF refused = p_from
          OR (refused = p_first_lock
              AND (SELECT balance_minor FROM wallets WHERE id = p_from) < p_amount_minor) THEN
        RAISE EXCEPTION 'not enough money' USING ERRCODE = 'WL001';
      END IF;
      RAISE EXCEPTION 'above the maximum balance' USING ERRCODE = 'WL002';
    END IF;
    IF p_from = p_first_lock THEN
      from_wallet := first_wallet;
      to_wallet := second_wallet;
    ELSE
      from_wallet := second_wallet;
      to_wallet := first_wallet;
    END IF;
    INSERT INTO transfers (id, from_wallet_id, to_wallet_id, amount_minor, currency, details,
        initiator_user_id, idempotency_key, created_at)
      VALUES (p_transfer_id, p_from, p_to, p_amount_minor, p_currency, p_details,
        p_initiator, p_idempotency_key, p_created_at)
      RETURNING seq INTO new_transfer_seq;
    INSERT INTO operations (id, wallet_id, type, amount_minor, balance_after_minor, transfer_id,
        counterparty_wallet_id, reference, details, initiator_user_id, created_at)
      VALUES (p_debit_id, p_from, 'TRANSFER_OUT', p_amount_minor, from_wallet.balance_minor,
        p_transfer_id, p_to, NULL, p_details, p_initiator, p_created_at)
      RETURNING seq INTO new_debit_seq;
    INSERT INTO operations (id, wallet_id, type, amount_minor, balance_after_minor, transfer_id,
        counterparty_wallet_id, reference, details, initiator_user_id, created_at)
      VALUES (p_credit_id, p_to, 'TRANSFER_IN', p_amount_minor, to_wallet.balance_minor,
        p_transfer_id, p_from, NULL, p_details, p_initiator, p_created_at);
    from_wallet_seq := from_wallet.seq;
    from_wallet_created_at := from_wallet.created_at;
    from_balance_after := CAST(from_wallet.balance_minor AS text);
    RETURN NEXT;
  END $$`;

/**
 * PostgreSQL only: wallet_transfer writes each wallet once instead of twice.
 * The UPDATE that takes a wallet's lock (the lock column, in lock order, the
 * transfer's first statements as before) now also moves its balance, and only
 * if that wallet's rule allows it: the sender is left with zero or more, the
 * receiver with at most the maximum balance. Half the row versions of the two
 * wallets, and a shorter hold of their locks: in three alternating pairs of
 * runs, PostgreSQL x2, random pairs went 1,023–1,172 -> 1,160–1,322
 * transfers/s and the hot pair 691–875 -> 891–1,037, the new function ahead in
 * every pair (docs/design.md, PostgreSQL: one round trip per transfer).
 *
 * A refusal is what the ledger's own check (appendTransfer) would say: a
 * wallet that is not there fails loudly; not enough money comes before the
 * maximum balance when both rules are broken, so when the receiver is locked
 * first and refused, the sender's balance is read too.
 */
export class TransferWritesEachWalletOnce1764300000000 implements MigrationInterface {
  name = 'TransferWritesEachWalletOnce1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type !== 'postgres') return;
    await runner.query(WALLET_TRANSFER_V2);
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type !== 'postgres') return;
    await runner.query(WALLET_TRANSFER_V1);
  }
}
