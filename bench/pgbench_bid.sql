-- The bid transaction as PostgreSQL alone runs it: the database's own limit for the bid path.
-- Same tables as the app (trading_sale, trading_bid) in the bench database:
-- lock the lot, read the leader, update the price, insert the bid, commit.
-- Variables (pgbench -D): sale_min, sale_max (one sale for the hot lot), organisation, user.
\set sale random(:sale_min, :sale_max)
BEGIN;
SELECT id, status, starts_at, ends_at, start_price, current_price, leading_bid_id
  FROM trading_sale WHERE id = :sale FOR UPDATE;
SELECT max_amount, bidder_organisation_id
  FROM trading_bid WHERE id = (SELECT leading_bid_id FROM trading_sale WHERE id = :sale);
UPDATE trading_sale
   SET current_price = COALESCE(current_price, start_price) + 1000,
       bid_count = bid_count + 1, version = version + 1
 WHERE id = :sale;
INSERT INTO trading_bid
       (sale_id, bidder_organisation_id, placed_by_id, amount, max_amount,
        is_automatic, is_max_raise, created_at)
SELECT id, :organisation, :user, current_price, current_price, false, false, now()
  FROM trading_sale WHERE id = :sale;
COMMIT;
