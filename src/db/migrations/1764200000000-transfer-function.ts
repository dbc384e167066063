import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The function as this migration made it (migration 1764300000000's down() puts it back). */
export const WALLET_TRANSFER_V1 = `CREATE OR REPLACE FUNCTION "wallet_transfer"(
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
        from_balance bigint;
        to_balance bigint;
      BEGIN
        IF p_from = p_to OR NOT (p_first_lock IN (p_from, p_to) AND p_second_lock IN (p_from, p_to)) THEN
          RAISE EXCEPTION 'wallet_transfer: locks % and % are not the wallets % and %',
            p_first_lock, p_second_lock, p_from, p_to;
        END IF;
        PERFORM set_config('lock_timeout', p_lock_timeout_ms || 'ms', true);
        UPDATE wallets SET lock_version = lock_version + 1 WHERE id = p_first_lock
          RETURNING * INTO first_wallet;
        IF NOT FOUND THEN RAISE EXCEPTION 'wallet_transfer: wallet % to lock does not exist', p_first_lock; END IF;
        UPDATE wallets SET lock_version = lock_version + 1 WHERE id = p_second_lock
          RETURNING * INTO second_wallet;
        IF NOT FOUND THEN RAISE EXCEPTION 'wallet_transfer: wallet % to lock does not exist', p_second_lock; END IF;
        IF p_from = p_first_lock THEN
          from_wallet := first_wallet;
          to_balance := second_wallet.balance_minor;
        ELSE
          from_wallet := second_wallet;
          to_balance := first_wallet.balance_minor;
        END IF;
        from_balance := from_wallet.balance_minor;
        IF from_balance < p_amount_minor THEN
          RAISE EXCEPTION 'not enough money' USING ERRCODE = 'WL001';
        END IF;
        IF to_balance > p_balance_max_minor - p_amount_minor THEN
          RAISE EXCEPTION 'above the maximum balance' USING ERRCODE = 'WL002';
        END IF;
        INSERT INTO transfers (id, from_wallet_id, to_wallet_id, amount_minor, currency, details,
            initiator_user_id, idempotency_key, created_at)
          VALUES (p_transfer_id, p_from, p_to, p_amount_minor, p_currency, p_details,
            p_initiator, p_idempotency_key, p_created_at)
          RETURNING seq INTO new_transfer_seq;
        INSERT INTO operations (id, wallet_id, type, amount_minor, balance_after_minor, transfer_id,
            counterparty_wallet_id, reference, details, initiator_user_id, created_at)
          VALUES (p_debit_id, p_from, 'TRANSFER_OUT', p_amount_minor, from_balance - p_amount_minor,
            p_transfer_id, p_to, NULL, p_details, p_initiator, p_created_at)
          RETURNING seq INTO new_debit_seq;
        INSERT INTO operations (id, wallet_id, type, amount_minor, balance_after_minor, transfer_id,
            counterparty_wallet_id, reference, details, initiator_user_id, created_at)
          VALUES (p_credit_id, p_to, 'TRANSFER_IN', p_amount_minor, to_balance + p_amount_minor,
            p_transfer_id, p_from, NULL, p_details, p_initiator, p_created_at);
        UPDATE wallets SET balance_minor = from_balance - p_amount_minor WHERE id = p_from;
        UPDATE wallets SET balance_minor = to_balance + p_amount_minor WHERE id = p_to;
        from_wallet_seq := from_wallet.seq;
        from_wallet_created_at := from_wallet.created_at;
        from_balance_after := CAST(from_balance - p_amount_minor AS text);
        RETURN NEXT;
      END $$`;

/**
 * PostgreSQL only: a transfer as one statement, so one round trip. As three
 * (BEGIN and the locks; the writes; COMMIT) a transfer held its wallets'
 * locks across two round trips; as one call, in alternating runs, the
 * servers' CPU per transfer fell by 28–42% and hot-pair transfers/s rose by
 * 60–100% (docs/design.md, PostgreSQL: one round trip per transfer).
 *
 * The function is the ledger's transfer (ledger.ts, appendTransfer) step for
 * step: the lock column of both wallets first, in the order given (the
 * caller's lock order, ascending ids); the balances as the locks return them;
 * the same two rules, refused with SQLSTATEs the ledger turns into the same
 * errors (WL001: not enough money; WL002: above the maximum balance, which
 * the ledger passes in); then the transfer row, its two legs and the two
 * balances. Ids, times and the amount come from the caller.
 */
export class TransferFunction1764200000000 implements MigrationInterface {
  name = 'TransferFunction1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type !== 'postgres') return;
    await runner.query(WALLET_TRANSFER_V1);
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type !== 'postgres') return;
    await runner.query(`DROP FUNCTION "wallet_transfer"`);
  }
}
