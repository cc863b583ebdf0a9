"""The bid path computes the new price and leader from the leading bid (and, when the leader
raises, the runner-up) instead of every stored bid: it must agree with the full recomputation
after every bid, whatever the order, ties, raises and reserve."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.trading import services
from marketplace.trading.exceptions import BidTooLow, SaleClosed
from marketplace.trading.models import Bid, Sale
from marketplace.trading.services.sales import auction_state_of
from tests.trading.sale_support import T0, D, bidder, minutes, open_auction

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("seed", "reserve"), [(1, None), (2, "180000"), (3, "400000")])
def test_each_bid_leaves_the_state_a_full_recomputation_gives(seller, seed, reserve):
    sale = open_auction(seller, start="100000", reserve=reserve)
    bidders = [bidder(f"bidder{n}") for n in range(5)]
    rng = random.Random(seed)
    accepted = refused = 0
    for step in range(40):
        user = rng.choice(bidders)
        sale.refresh_from_db()
        floor = sale.current_price or sale.start_price
        # Maxima around the price, some equal to a standing one (ties), some below (refused).
        amount = floor + D(rng.choice([-5000, 0, 1000, 5000, 5000, 20000, 60000]))
        try:
            services.bid_place(sale=sale, user=user, max_amount=amount, now=T0 + minutes(step))
        except BidTooLow:
            refused += 1
            continue
        accepted += 1
        stored = Sale.objects.get(pk=sale.pk)
        expected = auction_state_of(stored)
        assert stored.current_price == expected.current_price
        assert stored.leading_bid_id == expected.leader.bid.pk
        assert stored.bid_count == Bid.objects.filter(sale=sale, is_automatic=False).count()
        # The caller's object shows the same state without a re-read.
        assert (sale.current_price, sale.leading_bid_id, sale.bid_count, sale.version) == (
            stored.current_price,
            stored.leading_bid_id,
            stored.bid_count,
            stored.version,
        )
    assert accepted > 10
    assert refused > 0


def test_a_leader_raising_their_maximum_lifts_the_price_to_the_runner_up_plus_increment(seller):
    sale = open_auction(seller, start="90000")
    alice, bob = bidder("alice"), bidder("bob")
    services.bid_place(sale=sale, user=bob, max_amount=D("99000"), now=T0 + minutes(1))
    services.bid_place(sale=sale, user=alice, max_amount=D("99500"), now=T0 + minutes(2))
    assert sale.current_price == D("99500")  # min(alice's 99,500, bob's 99,000 + 1,000)

    services.bid_place(sale=sale, user=alice, max_amount=D("200000"), now=T0 + minutes(3))

    sale.refresh_from_db()
    assert sale.current_price == D("100000")  # bob's 99,000 + 1,000 now fits under the maximum
    assert sale.leading_bid.bidder_organisation == alice.organisation


def _as_the_view_reads(sale: Sale) -> Sale:
    return Sale.objects.select_related("listing", "leading_bid").get(pk=sale.pk)


@pytest.mark.parametrize(("seed", "reserve"), [(4, None), (5, "180000")])
def test_bids_computed_on_stale_reads_still_leave_the_full_recomputations_state(
    seller, seed, reserve
):
    """Each bidder bids on the row as they read it some bids ago (what a request sees when
    others commit between its read and its write): every outcome equals the full
    recomputation, and no bid row is lost or written twice."""
    sale = open_auction(seller, start="100000", reserve=reserve)
    bidders = [bidder(f"stale{n}") for n in range(4)]
    reads = {user.pk: _as_the_view_reads(sale) for user in bidders}
    rng = random.Random(seed)
    accepted = 0
    for step in range(40):
        user = rng.choice(bidders)
        stale = reads[user.pk]
        fresh = Sale.objects.get(pk=sale.pk)
        floor = fresh.current_price or fresh.start_price
        amount = floor + D(rng.choice([-5000, 1000, 5000, 20000, 60000]))
        try:
            services.bid_place(sale=stale, user=user, max_amount=amount, now=T0 + minutes(step))
        except BidTooLow:
            pass
        else:
            accepted += 1
            stored = Sale.objects.get(pk=sale.pk)
            expected = auction_state_of(stored)
            assert stored.current_price == expected.current_price
            assert stored.leading_bid_id == expected.leader.bid.pk
            assert (stale.current_price, stale.version) == (stored.current_price, stored.version)
        if rng.random() < 0.5:
            reads[user.pk] = _as_the_view_reads(sale)
    assert accepted > 10
    assert Sale.objects.get(pk=sale.pk).bid_count == accepted
    assert Bid.objects.filter(sale=sale, is_automatic=False).count() == accepted


def test_a_bid_on_a_row_read_before_the_sale_closed_is_refused_and_not_stored(seller):
    sale = open_auction(seller, start="100000")
    alice = bidder("alice")
    read_before = _as_the_view_reads(sale)
    Sale.objects.filter(pk=sale.pk).update(status="closed")
    with pytest.raises(SaleClosed):
        services.bid_place(sale=read_before, user=alice, max_amount=D("150000"), now=T0)
    assert not Bid.objects.filter(sale=sale).exists()


@pytest.mark.parametrize(
    ("start", "reserve", "first_max", "second_max", "price"),
    [
        # the leader's maximum sits exactly on a step boundary: the step above it applies
        ("90000", None, "100000", "150000", "105000"),
        ("900000", None, "1000000", "2000000", "1010000"),
        # one yen under the reserve is lifted to the reserve once a maximum reaches it
        ("100000", "180000", "174999", "200000", "180000"),
        # the first bid meeting the reserve pays the reserve, not the start price
        ("100000", "150000", None, "160000", "150000"),
        # a new maximum just above the leader's pays its own maximum, not more
        ("100000", None, "120000", "121000", "121000"),
    ],
)
def test_worked_prices_at_the_rules_edges(seller, start, reserve, first_max, second_max, price):
    sale = open_auction(seller, start=start, reserve=reserve)
    alice, bob = bidder("alice"), bidder("bob")
    if first_max:
        services.bid_place(
            sale=_as_the_view_reads(sale), user=alice, max_amount=D(first_max), now=T0
        )
    services.bid_place(sale=_as_the_view_reads(sale), user=bob, max_amount=D(second_max), now=T0)
    stored = Sale.objects.select_related("leading_bid").get(pk=sale.pk)
    assert stored.current_price == D(price)
    assert stored.leading_bid.bidder_organisation == bob.organisation
    assert stored.current_price == auction_state_of(stored).current_price


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-call bid is PostgreSQL's"
)


def _locked_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and "FOR UPDATE" in q["sql"]]


def _function_calls(queries) -> list[str]:
    return [q["sql"] for q in queries if "trading_bid_place(" in q["sql"]]


@on_postgresql
def test_a_new_leader_is_one_call_of_the_database_function_without_a_lock_held_here(seller):
    sale = open_auction(seller, start="100000")
    alice, bob = bidder("alice"), bidder("bob")
    services.bid_place(sale=_as_the_view_reads(sale), user=bob, max_amount=D("120000"), now=T0)
    current = _as_the_view_reads(sale)
    with CaptureQueriesContext(connection) as queries:
        services.bid_place(sale=current, user=alice, max_amount=D("150000"), now=T0)
    assert len(_function_calls(queries)) == 1
    assert _locked_reads(queries) == []
    assert not any(q["sql"] in ("BEGIN", "COMMIT") for q in queries)
    stored = Sale.objects.select_related("leading_bid").get(pk=sale.pk)
    # bob's 120,000 + the 5,000 increment at 120,000
    assert stored.current_price == D("125000")
    assert stored.leading_bid.bidder_organisation == alice.organisation
    assert stored.leading_bid.placed_by == alice
    assert (current.current_price, current.bid_count, current.version) == (
        stored.current_price,
        stored.bid_count,
        stored.version,
    )


@on_postgresql
def test_a_bid_on_a_row_read_before_another_bid_is_priced_from_the_row_as_it_is_now(seller):
    sale = open_auction(seller, start="100000")
    alice, bob = bidder("alice"), bidder("bob")
    read_by_alice = _as_the_view_reads(sale)
    services.bid_place(sale=_as_the_view_reads(sale), user=bob, max_amount=D("120000"), now=T0)
    services.bid_place(sale=read_by_alice, user=alice, max_amount=D("150000"), now=T0)
    stored = Sale.objects.get(pk=sale.pk)
    assert stored.current_price == D("125000")  # not the start price alice's read showed
    assert stored.bid_count == 2
    assert read_by_alice.bid_count == 2


@on_postgresql
def test_a_bid_now_below_the_minimum_is_refused_by_the_function_with_the_minimum(seller):
    sale = open_auction(seller, start="100000")
    alice, bob, carol = bidder("alice"), bidder("bob"), bidder("carol")
    read_by_carol = _as_the_view_reads(sale)
    services.bid_place(sale=_as_the_view_reads(sale), user=bob, max_amount=D("120000"), now=T0)
    services.bid_place(sale=_as_the_view_reads(sale), user=alice, max_amount=D("200000"), now=T0)
    # price 125,000 now: the minimum is 130,000; carol's read still showed 100,000
    with CaptureQueriesContext(connection) as queries, pytest.raises(BidTooLow) as refused:
        services.bid_place(sale=read_by_carol, user=carol, max_amount=D("128000"), now=T0)
    assert len(_function_calls(queries)) == 1
    assert "130,000" in refused.value.fields["max_amount"][0]
    assert Sale.objects.get(pk=sale.pk).bid_count == 2


@on_postgresql
def test_a_standing_proxy_answers_inside_the_same_call(seller):
    sale = open_auction(seller, start="100000")
    alice, bob = bidder("alice"), bidder("bob")
    services.bid_place(sale=_as_the_view_reads(sale), user=alice, max_amount=D("200000"), now=T0)
    read = _as_the_view_reads(sale)
    with CaptureQueriesContext(connection) as queries:
        bid = services.bid_place(sale=read, user=bob, max_amount=D("150000"), now=T0)
    assert len(_function_calls(queries)) == 1
    assert _locked_reads(queries) == []
    rows = list(
        Bid.objects.filter(sale=sale)
        .order_by("pk")
        .values_list("bidder_organisation", "amount", "max_amount", "is_automatic")
    )
    # bob's bid at its spent maximum, then alice's proxy at 150,000 + 5,000
    assert rows[1:] == [
        (bob.organisation_id, D("150000"), D("150000"), False),
        (alice.organisation_id, D("155000"), None, True),
    ]
    assert bid.amount == D("150000")
    stored = Sale.objects.get(pk=sale.pk)
    assert (stored.current_price, stored.bid_count) == (D("155000"), 2)
    assert stored.leading_bid.bidder_organisation == alice.organisation
    assert stored.current_price == auction_state_of(stored).current_price
    assert (read.current_price, read.leading_bid_id) == (D("155000"), stored.leading_bid_id)


@on_postgresql
def test_the_leader_raising_their_maximum_is_one_call_priced_from_the_runner_up(seller):
    sale = open_auction(seller, start="100000")
    alice, bob = bidder("alice"), bidder("bob")
    services.bid_place(sale=_as_the_view_reads(sale), user=bob, max_amount=D("120000"), now=T0)
    services.bid_place(sale=_as_the_view_reads(sale), user=alice, max_amount=D("122000"), now=T0)
    with CaptureQueriesContext(connection) as queries:
        bid = services.bid_place(
            sale=_as_the_view_reads(sale), user=alice, max_amount=D("300000"), now=T0
        )
    assert len(_function_calls(queries)) == 1
    assert _locked_reads(queries) == []
    assert bid.is_max_raise
    stored = Sale.objects.get(pk=sale.pk)
    # bob's 120,000 + 5,000 (it was capped at alice's old maximum of 122,000)
    assert stored.current_price == D("125000")
    assert stored.leading_bid_id == bid.pk
    assert stored.current_price == auction_state_of(stored).current_price


@on_postgresql
def test_a_leader_not_raising_is_refused_by_the_service_in_its_own_words(seller):
    sale = open_auction(seller, start="100000")
    alice = bidder("alice")
    services.bid_place(sale=_as_the_view_reads(sale), user=alice, max_amount=D("200000"), now=T0)
    stale = Sale.objects.select_related("listing").get(pk=sale.pk)
    stale.leading_bid = None  # a read from before alice led: the service's early check passes
    stale.bid_count, stale.current_price = 0, None
    with CaptureQueriesContext(connection) as queries, pytest.raises(BidTooLow) as refused:
        services.bid_place(sale=stale, user=alice, max_amount=D("150000"), now=T0)
    assert len(_function_calls(queries)) == 1
    assert len(_locked_reads(queries)) == 1
    assert "raise it above your maximum" in refused.value.message
    assert Sale.objects.get(pk=sale.pk).bid_count == 1


@on_postgresql
def test_a_bid_in_the_soft_close_window_extends_the_end_through_the_service(seller):
    sale = open_auction(seller, start="100000")
    alice = bidder("alice")
    late = sale.ends_at - minutes(1)
    with CaptureQueriesContext(connection) as queries:
        services.bid_place(
            sale=_as_the_view_reads(sale), user=alice, max_amount=D("150000"), now=late
        )
    assert len(_locked_reads(queries)) == 1
    stored = Sale.objects.get(pk=sale.pk)
    assert stored.ends_at > sale.ends_at
    assert stored.events.filter(kind="extended").exists()
