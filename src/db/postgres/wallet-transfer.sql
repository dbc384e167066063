-- wallet_transfer: one transfer between two wallets on PostgreSQL, in one
-- statement that is its own transaction (one round trip). It takes both
-- wallets' locks in the order given (ascending id), each waiting at most what
-- is left of p_lock_timeout_ms; refuses a sender without the money (WL001),
-- a receiver over the maximum balance (WL002), or a sender with holds, which
-- a transaction decides (WL003); moves the time on to each wallet's last
-- operation; and writes the transfer, its two legs and its event.
--
-- This file is the function as it stands; migrations install it (the latest
-- that changed it reads this file), and a test checks the database runs it.
CREATE OR REPLACE FUNCTION "wallet_transfer"(
    p_lock_timeout_ms integer,
    p_first_lock varchar, p_second_lock varchar,
    p_transfer_id varchar, p_from varchar, p_to varchar,
    p_amount_minor bigint, p_balance_max_minor bigint, p_currency varchar,
    p_details varchar, p_initiator varchar, p_idempotency_key varchar, p_created_at bigint,
    p_debit_id varchar, p_credit_id varchar,
    p_event_id varchar, p_event_wallet_ids text, p_event_body text)
  RETURNS TABLE (new_transfer_seq bigint, new_debit_seq bigint,
    from_wallet_seq bigint, from_wallet_created_at bigint, from_balance_after text, from_held text, moved_at bigint)
  LANGUAGE plpgsql AS $$
  DECLARE
    first_wallet wallets%ROWTYPE;
    second_wallet wallets%ROWTYPE;
    from_wallet wallets%ROWTYPE;
    to_wallet wallets%ROWTYPE;
    refused varchar;
    v_at bigint;
    started timestamptz := clock_timestamp();
  BEGIN
    IF p_from = p_to OR NOT (p_first_lock IN (p_from, p_to) AND p_second_lock IN (p_from, p_to)) THEN
      RAISE EXCEPTION 'wallet_transfer: locks % and % are not the wallets % and %',
        p_first_lock, p_second_lock, p_from, p_to;
    END IF;
    PERFORM set_config('lock_timeout', p_lock_timeout_ms || 'ms', true);
    -- A balance that breaks the rule when the statement starts is refused at once; otherwise
    -- the UPDATE waits for the wallet's lock and tests the rule again on the balance it finds.
    UPDATE wallets SET lock_version = lock_version + 1,
        last_operation_at = GREATEST(last_operation_at, p_created_at),
        balance_minor = CASE WHEN id = p_from THEN balance_minor - p_amount_minor
                             ELSE balance_minor + p_amount_minor END
      WHERE id = p_first_lock
        AND CASE WHEN id = p_from THEN balance_minor - held_minor >= p_amount_minor
                 ELSE balance_minor <= p_balance_max_minor - p_amount_minor END
      RETURNING * INTO first_wallet;
    IF NOT FOUND THEN
      refused := p_first_lock;
    ELSE
      PERFORM set_config('lock_timeout', greatest(1, p_lock_timeout_ms
          - floor(extract(epoch FROM clock_timestamp() - started) * 1000))::integer || 'ms', true);
      UPDATE wallets SET lock_version = lock_version + 1,
        last_operation_at = GREATEST(last_operation_at, p_created_at),
        balance_minor = CASE WHEN id = p_from THEN balance_minor - p_amount_minor
                             ELSE balance_minor + p_amount_minor END
      WHERE id = p_second_lock
        AND CASE WHEN id = p_from THEN balance_minor - held_minor >= p_amount_minor
                 ELSE balance_minor <= p_balance_max_minor - p_amount_minor END
      RETURNING * INTO second_wallet;
      IF NOT FOUND THEN refused := p_second_lock; END IF;
    END IF;
    IF refused IS NOT NULL THEN
      IF NOT EXISTS (SELECT 1 FROM wallets WHERE id = refused) THEN
        RAISE EXCEPTION 'wallet_transfer: wallet % to lock does not exist', refused;
      END IF;
      IF refused = p_from
          OR (refused = p_first_lock
              AND (SELECT balance_minor - held_minor FROM wallets WHERE id = p_from) < p_amount_minor) THEN
        IF (SELECT held_minor FROM wallets WHERE id = p_from) > 0 THEN
          RAISE EXCEPTION 'the sender holds funds: decide in a transaction' USING ERRCODE = 'WL003';
        END IF;
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
    v_at := GREATEST(first_wallet.last_operation_at, second_wallet.last_operation_at);
    IF v_at > p_created_at THEN
      UPDATE wallets SET last_operation_at = v_at WHERE id IN (p_from, p_to);
    END IF;
    INSERT INTO transfers (id, from_wallet_id, to_wallet_id, amount_minor, currency, details,
        initiator_user_id, idempotency_key, created_at)
      VALUES (p_transfer_id, p_from, p_to, p_amount_minor, p_currency, p_details,
        p_initiator, p_idempotency_key, v_at)
      RETURNING seq INTO new_transfer_seq;
    INSERT INTO operations (id, wallet_id, type, amount_minor, balance_after_minor, transfer_id,
        counterparty_wallet_id, reference, details, initiator_user_id, created_at)
      VALUES (p_debit_id, p_from, 'TRANSFER_OUT', p_amount_minor, from_wallet.balance_minor,
        p_transfer_id, p_to, NULL, p_details, p_initiator, v_at)
      RETURNING seq INTO new_debit_seq;
    INSERT INTO operations (id, wallet_id, type, amount_minor, balance_after_minor, transfer_id,
        counterparty_wallet_id, reference, details, initiator_user_id, created_at)
      VALUES (p_credit_id, p_to, 'TRANSFER_IN', p_amount_minor, to_wallet.balance_minor,
        p_transfer_id, p_from, NULL, p_details, p_initiator, v_at);
    INSERT INTO events (id, type, owner_user_id, wallet_ids, body, created_at, tx_order)
      VALUES (p_event_id, 'TRANSFER_CREATED', NULL, p_event_wallet_ids, CASE WHEN v_at = p_created_at THEN p_event_body
          ELSE replace(p_event_body, to_json(to_char((TIMESTAMPTZ 'epoch' + p_created_at * INTERVAL '1 millisecond') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text, to_json(to_char((TIMESTAMPTZ 'epoch' + v_at * INTERVAL '1 millisecond') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text) END,
        v_at,
        CAST(CAST(pg_current_xact_id() AS text) AS bigint));
    from_wallet_seq := from_wallet.seq;
    from_wallet_created_at := from_wallet.created_at;
    from_balance_after := CAST(from_wallet.balance_minor AS text);
    from_held := CAST(from_wallet.held_minor AS text);
    moved_at := v_at;
    RETURN NEXT;
  END $$