"""The bid path computes the new price and leader from the leading bid (and, when the leader
raises, the runner-up) instead of every stored bid: it must agree with the full recomputation
after every bid, whatever the order, ties, raises and reserve."""

import random

import pytest

from marketplace.trading import services
from marketplace.trading.exceptions import BidTooLow
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
