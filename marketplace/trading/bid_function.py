"""A bid on PostgreSQL as one statement: the database function trading_bid_place().

A hot auction serialises on its row lock. Held across round trips to a Python process, the
lock lasts as long as that process takes to get the CPU and the GIL back, three times per bid;
inside one function call it lasts a few microseconds plus the commit. The function applies the
proxy rule of trading/auction.py to the locked row: a new leader, the leader raising their
maximum (the runner-up read by the same index the service uses), or a standing proxy answering
at once (the bid and the proxy's automatic answer). It answers 'python' for what it leaves to
the service's locked path (marketplace/trading/services/bidding.py): a bid in the soft-close
window (an event and a new close task), a sale whose gate fields changed since the service
checked them, a sale without its leader recorded, and a refusal the service words itself.
The increment table comes from market_rules.yaml as arguments; tests/trading/test_bid_state.py
checks every outcome against the full recomputation (trading.auction.auction_state).

The deposit the lot asks of a bidder (payments.services.deposits.deposit_required_amount, from
fees.yaml) comes as an argument too; under the row lock the function looks for the bidder's
live deposit as ``ensure_deposit`` does (authorised, at least that amount) and answers
'deposit_required' without one, which the service turns into ensure_deposit's refusal. One
read fewer per bid than checking it from Python before the call.

Migration trading 0007 installs this text; earlier texts stay frozen in their migrations.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

from marketplace.core.postgresql.schema import execute_on_postgresql

CREATE = """
CREATE OR REPLACE FUNCTION trading_bid_increment(price numeric, froms numeric[], steps numeric[])
RETURNS numeric LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    step numeric := steps[1];
BEGIN
    -- the row with the largest `from` at or below the price (MarketRules.increment)
    FOR i IN 1 .. array_length(froms, 1) LOOP
        IF price >= froms[i] THEN step := steps[i]; END IF;
    END LOOP;
    RETURN step;
END;
$$;

CREATE OR REPLACE FUNCTION trading_bid_place(
    p_sale bigint, p_status text, p_listing bigint, p_starts timestamptz, p_ends timestamptz,
    p_domestic_until timestamptz, p_bidder bigint, p_user bigint, p_max numeric,
    p_now timestamptz, p_increment_from numeric[], p_increment_step numeric[],
    p_deposit numeric
) RETURNS TABLE (outcome text, bid_id bigint, price numeric, minimum numeric,
                 bid_count integer, version integer, leading_bid_id bigint, is_max_raise boolean)
LANGUAGE plpgsql AS $$
DECLARE
    s trading_sale%ROWTYPE;
    leader_bidder bigint;
    leader_max numeric;
    runner_up_max numeric;
    lowest numeric;
    new_price numeric;
    winner_max numeric;
    wins boolean;
    raising boolean := false;
    new_bid bigint;
    new_leader bigint;
    new_count integer;
    new_version integer;
    deposit_status text;
    deposit_amount numeric;
BEGIN
    SELECT * INTO s FROM trading_sale WHERE id = p_sale FOR UPDATE;
    IF NOT FOUND OR s.status <> p_status OR s.listing_id <> p_listing
       OR s.starts_at <> p_starts OR s.ends_at <> p_ends
       OR s.domestic_first_until IS DISTINCT FROM p_domestic_until
       OR s.start_price IS NULL
       -- soft close: a bid in the window extends the end (an event and a new close task)
       OR (s.soft_close_window_minutes > 0
           AND p_now >= s.ends_at - make_interval(mins => s.soft_close_window_minutes)) THEN
        RETURN QUERY SELECT 'python', NULL::bigint, NULL::numeric, NULL::numeric,
                            NULL::integer, NULL::integer, NULL::bigint, NULL::boolean;
        RETURN;
    END IF;
    IF p_deposit > 0 THEN
        -- ensure_deposit: the bidder's live deposit (at most one, a unique index) is
        -- authorised for at least the amount the lot asks
        SELECT d.status, d.amount INTO deposit_status, deposit_amount
        FROM payments_payment AS d
        WHERE d.purpose = 'deposit' AND d.sale_id = p_sale AND d.organisation_id = p_bidder
          AND d.deposit_outcome = '';
        IF deposit_status IS DISTINCT FROM 'requires_capture' OR deposit_amount < p_deposit THEN
            RETURN QUERY SELECT 'deposit_required', NULL::bigint, NULL::numeric, NULL::numeric,
                                NULL::integer, NULL::integer, NULL::bigint, NULL::boolean;
            RETURN;
        END IF;
    END IF;
    IF s.leading_bid_id IS NULL THEN
        IF s.bid_count > 0 OR s.current_price IS NOT NULL THEN
            -- a sale without its leader recorded: recomputed from every bid in Python
            RETURN QUERY SELECT 'python', NULL::bigint, NULL::numeric, NULL::numeric,
                                NULL::integer, NULL::integer, NULL::bigint, NULL::boolean;
            RETURN;
        END IF;
        IF p_max < s.start_price THEN
            RETURN QUERY SELECT 'too_low', NULL::bigint, NULL::numeric, s.start_price,
                                NULL::integer, NULL::integer, NULL::bigint, NULL::boolean;
            RETURN;
        END IF;
        wins := true;
        new_price := s.start_price;  -- a single bidder pays the start price
    ELSE
        SELECT b.bidder_organisation_id, b.max_amount INTO leader_bidder, leader_max
        FROM trading_bid AS b WHERE b.id = s.leading_bid_id;
        IF s.current_price IS NULL OR (leader_bidder = p_bidder AND p_max <= leader_max) THEN
            -- a leader not raising their maximum: the service words the refusal
            RETURN QUERY SELECT 'python', NULL::bigint, NULL::numeric, NULL::numeric,
                                NULL::integer, NULL::integer, NULL::bigint, NULL::boolean;
            RETURN;
        END IF;
        IF leader_bidder = p_bidder THEN
            -- the leader raises: the price follows the best other maximum
            raising := true;
            wins := true;
            SELECT b.max_amount INTO runner_up_max FROM trading_bid AS b
            WHERE b.sale_id = p_sale AND NOT b.is_automatic AND b.bidder_organisation_id <> p_bidder
            ORDER BY b.max_amount DESC, b.created_at, b.id LIMIT 1;
            IF runner_up_max IS NULL THEN
                new_price := s.start_price;
            ELSE
                new_price := LEAST(p_max, runner_up_max
                    + trading_bid_increment(runner_up_max, p_increment_from, p_increment_step));
            END IF;
        ELSE
            -- at least the current price plus the increment at it (trading.auction.minimum_bid)
            lowest := s.current_price
                + trading_bid_increment(s.current_price, p_increment_from, p_increment_step);
            IF p_max < lowest THEN
                RETURN QUERY SELECT 'too_low', NULL::bigint, NULL::numeric, lowest,
                                    NULL::integer, NULL::integer, NULL::bigint, NULL::boolean;
                RETURN;
            END IF;
            IF p_max <= leader_max THEN
                -- the standing proxy (earlier on a tie) answers up to the new maximum + a step
                wins := false;
                new_price := LEAST(leader_max,
                    p_max + trading_bid_increment(p_max, p_increment_from, p_increment_step));
            ELSE
                wins := true;
                new_price := LEAST(p_max, leader_max
                    + trading_bid_increment(leader_max, p_increment_from, p_increment_step));
            END IF;
        END IF;
    END IF;
    winner_max := CASE WHEN wins THEN p_max ELSE leader_max END;
    IF s.reserve_price IS NOT NULL AND winner_max >= s.reserve_price
       AND new_price < s.reserve_price THEN
        new_price := s.reserve_price;
    END IF;
    new_price := GREATEST(new_price, s.start_price);
    -- Outbid at once, the bid shows at its maximum (it is spent) and the proxy's automatic
    -- answer at the new price, inserted after it.
    INSERT INTO trading_bid (sale_id, bidder_organisation_id, placed_by_id, amount, max_amount,
                             is_automatic, is_max_raise, created_at)
    VALUES (p_sale, p_bidder, p_user, CASE WHEN wins THEN new_price ELSE p_max END, p_max,
            false, raising, p_now)
    RETURNING id INTO new_bid;
    IF wins THEN
        new_leader := new_bid;
    ELSE
        new_leader := s.leading_bid_id;
        INSERT INTO trading_bid (sale_id, bidder_organisation_id, placed_by_id, amount,
                                 max_amount, is_automatic, is_max_raise, created_at)
        VALUES (p_sale, leader_bidder, NULL, new_price, NULL, true, false, p_now);
    END IF;
    UPDATE trading_sale
    SET current_price = new_price, leading_bid_id = new_leader,
        bid_count = trading_sale.bid_count + 1, version = trading_sale.version + 1
    WHERE id = p_sale
    RETURNING trading_sale.bid_count, trading_sale.version INTO new_count, new_version;
    RETURN QUERY SELECT 'placed', new_bid, new_price, NULL::numeric, new_count, new_version,
                        new_leader, raising;
END;
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS trading_bid_place(bigint, text, bigint, timestamptz, timestamptz,
    timestamptz, bigint, bigint, numeric, timestamptz, numeric[], numeric[], numeric);
DROP FUNCTION IF EXISTS trading_bid_increment(numeric, numeric[], numeric[]);
"""


def install(connection: BaseDatabaseWrapper) -> None:
    """Create or replace the function (PostgreSQL; other databases take the locked path)."""
    execute_on_postgresql(connection, CREATE)


def drop(connection: BaseDatabaseWrapper) -> None:
    execute_on_postgresql(connection, DROP)
