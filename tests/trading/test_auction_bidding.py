"""English auction: proxy bidding with exact prices, increments, soft close, reserve, buy-now."""

import pytest

from marketplace.catalog.choices import ListingStatus
from marketplace.core.exceptions import DomainError
from marketplace.trading import services
from marketplace.trading.choices import OrderOrigin, SaleStatus
from marketplace.trading.models import Bid, Order, SaleEvent
from marketplace.trading.rules import get_rules
from tests.trading.sale_support import T0, D, bidder, minutes, open_auction

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("price", "step"),
    [
        ("0", "1000"),
        ("99999", "1000"),
        ("100000", "5000"),
        ("999999", "5000"),
        ("1000000", "10000"),
        ("5000000", "50000"),
        ("20000000", "100000"),
    ],
)
def test_increment_table_steps_by_price(price, step):
    assert get_rules().increment(currency="JPY", price=D(price)) == D(step)


def test_first_bid_leads_at_the_start_price(seller):
    sale = open_auction(seller, start="100000")
    alice = bidder("alice")

    bid = services.bid_place(sale=sale, user=alice, max_amount=D("150000"), now=T0 + minutes(1))

    sale.refresh_from_db()
    assert (sale.current_price, sale.leading_bid, sale.bid_count) == (D("100000"), bid, 1)
    assert bid.amount == D("100000")


def test_proxy_bids_only_as_far_as_needed(seller):
    sale = open_auction(seller, start="100000")
    alice, bob, carol = bidder("alice"), bidder("bob"), bidder("carol")

    services.bid_place(sale=sale, user=alice, max_amount=D("150000"), now=T0 + minutes(1))
    bob_bid = services.bid_place(sale=sale, user=bob, max_amount=D("120000"), now=T0 + minutes(2))
    sale.refresh_from_db()
    # Bob is outbid at once: price = 120,000 + 5,000 (increment at 120,000), Alice leads.
    assert sale.current_price == D("125000")
    assert sale.leading_bid.bidder_organisation == alice.organisation
    assert bob_bid.amount == D("120000")
    automatic = Bid.objects.get(is_automatic=True)
    assert (automatic.bidder_organisation, automatic.amount) == (alice.organisation, D("125000"))

    services.bid_place(sale=sale, user=carol, max_amount=D("200000"), now=T0 + minutes(3))
    sale.refresh_from_db()
    # Carol leads at Alice's maximum plus one increment.
    assert sale.current_price == D("155000")
    assert sale.leading_bid.bidder_organisation == carol.organisation
    assert sale.bid_count == 3


def test_price_is_capped_at_the_leaders_maximum(seller):
    sale = open_auction(seller, start="100000")
    alice, bob = bidder("alice"), bidder("bob")
    services.bid_place(sale=sale, user=alice, max_amount=D("150000"), now=T0 + minutes(1))

    services.bid_place(sale=sale, user=bob, max_amount=D("148000"), now=T0 + minutes(2))

    sale.refresh_from_db()
    assert sale.current_price == D("150000")  # 148,000 + 5,000 capped at Alice's 150,000
    assert sale.leading_bid.bidder_organisation == alice.organisation


def test_equal_maxima_go_to_the_earlier_bidder(seller):
    sale = open_auction(seller, start="100000")
    alice, bob = bidder("alice"), bidder("bob")
    services.bid_place(sale=sale, user=alice, max_amount=D("150000"), now=T0 + minutes(1))

    services.bid_place(sale=sale, user=bob, max_amount=D("150000"), now=T0 + minutes(2))

    sale.refresh_from_db()
    assert sale.current_price == D("150000")
    assert sale.leading_bid.bidder_organisation == alice.organisation


def test_bid_below_the_minimum_is_refused_and_nothing_changes(seller):
    sale = open_auction(seller, start="100000")
    alice, bob = bidder("alice"), bidder("bob")
    services.bid_place(sale=sale, user=alice, max_amount=D("150000"), now=T0 + minutes(1))
    services.bid_place(sale=sale, user=bob, max_amount=D("120000"), now=T0 + minutes(2))

    with pytest.raises(DomainError) as caught:
        # Current 125,000: the next bid must reach 130,000.
        services.bid_place(sale=sale, user=bob, max_amount=D("129000"), now=T0 + minutes(3))

    assert caught.value.code == "bid_too_low"
    assert "130,000" in caught.value.message
    sale.refresh_from_db()
    assert (sale.current_price, sale.bid_count, Bid.objects.count()) == (D("125000"), 2, 3)


def test_first_bid_below_the_start_price_is_refused(seller):
    sale = open_auction(seller, start="100000")

    with pytest.raises(DomainError) as caught:
        services.bid_place(sale=sale, user=bidder("alice"), max_amount=D("99000"), now=T0)

    assert caught.value.code == "bid_too_low"
    assert Bid.objects.count() == 0


def test_leader_raising_the_maximum_keeps_the_price(seller):
    sale = open_auction(seller, start="100000")
    alice, bob = bidder("alice"), bidder("bob")
    services.bid_place(sale=sale, user=alice, max_amount=D("150000"), now=T0 + minutes(1))
    services.bid_place(sale=sale, user=bob, max_amount=D("120000"), now=T0 + minutes(2))

    raise_bid = services.bid_place(
        sale=sale, user=alice, max_amount=D("300000"), now=T0 + minutes(3)
    )

    sale.refresh_from_db()
    assert (sale.current_price, sale.leading_bid) == (D("125000"), raise_bid)
    assert raise_bid.is_max_raise is True


def test_yen_bids_are_whole_numbers(seller):
    sale = open_auction(seller, start="100000")

    with pytest.raises(DomainError) as caught:
        services.bid_place(sale=sale, user=bidder("alice"), max_amount=D("100000.5"), now=T0)

    assert "max_amount" in caught.value.fields
    assert Bid.objects.count() == 0


def test_bid_in_the_last_minutes_extends_the_end(seller):
    sale = open_auction(seller, hours=1)  # ends T0 + 60 min, 5-minute window, 60-minute cap
    end = T0 + minutes(60)

    services.bid_place(
        sale=sale, user=bidder("alice"), max_amount=D("100000"), now=end - minutes(5)
    )

    sale.refresh_from_db()
    assert sale.ends_at == end + minutes(5)
    assert sale.original_ends_at == end
    assert SaleEvent.objects.filter(sale=sale, kind="extended").count() == 1


def test_bid_before_the_window_does_not_extend(seller):
    sale = open_auction(seller, hours=1)
    end = T0 + minutes(60)

    services.bid_place(
        sale=sale,
        user=bidder("alice"),
        max_amount=D("100000"),
        now=end
        - minutes(
            5,
        )
        - minutes(0.01),
    )

    sale.refresh_from_db()
    assert sale.ends_at == end
    assert not SaleEvent.objects.filter(sale=sale, kind="extended").exists()


def test_extensions_stop_at_the_cap(seller):
    sale = open_auction(seller, hours=1)
    end = T0 + minutes(60)
    alice, bob = bidder("alice"), bidder("bob")
    amount = D("100000")
    # Bid one minute before each (extended) end: 12 extensions of 5 minutes reach the 60-minute cap.
    for round_number in range(14):
        sale.refresh_from_db()
        user = alice if round_number % 2 == 0 else bob
        services.bid_place(sale=sale, user=user, max_amount=amount, now=sale.ends_at - minutes(1))
        sale.refresh_from_db()
        amount = sale.current_price + D("5000")

    assert sale.ends_at == end + minutes(60)


def test_reserve_not_met_ends_without_a_sale(seller):
    sale = open_auction(seller, start="100000", reserve="500000", hours=1)
    services.bid_place(sale=sale, user=bidder("alice"), max_amount=D("400000"), now=T0)
    sale.refresh_from_db()
    assert sale.reserve_met is False

    services.sale_close(sale=sale, now=T0 + minutes(60))

    sale.refresh_from_db()
    assert sale.status == SaleStatus.NO_SALE
    assert Order.objects.count() == 0
    assert sale.listing.status == ListingStatus.PUBLISHED


def test_a_maximum_reaching_the_reserve_lifts_the_price_to_it(seller):
    sale = open_auction(seller, start="100000", reserve="500000", hours=1)

    services.bid_place(sale=sale, user=bidder("alice"), max_amount=D("600000"), now=T0)

    sale.refresh_from_db()
    assert (sale.current_price, sale.reserve_met) == (D("500000"), True)


def test_close_awards_the_leader_at_the_current_price(seller):
    sale = open_auction(seller, start="100000", reserve="120000", hours=1)
    alice, bob = bidder("alice"), bidder("bob", country="KR")
    services.bid_place(sale=sale, user=alice, max_amount=D("150000"), now=T0 + minutes(1))
    # Bob bids from Korea inside the 24-hour domestic-first window of packs: refused.
    with pytest.raises(DomainError):
        services.bid_place(sale=sale, user=bob, max_amount=D("140000"), now=T0 + minutes(2))

    services.sale_close(sale=sale, now=T0 + minutes(60))

    sale.refresh_from_db()
    order = Order.objects.get()
    assert sale.status == SaleStatus.AWARDED
    assert (order.buyer_organisation, order.amount, order.origin) == (
        alice.organisation,
        D("120000"),
        OrderOrigin.AUCTION,
    )
    assert order.cross_border is False
    assert order.listing.status == ListingStatus.SOLD
    assert list(sale.events.values_list("kind", flat=True)) == ["opened", "closed", "awarded"]


def test_close_before_the_end_does_nothing(seller):
    sale = open_auction(seller, hours=1)

    services.sale_close(sale=sale, now=T0 + minutes(59))

    sale.refresh_from_db()
    assert sale.status == SaleStatus.OPEN
    assert list(sale.events.values_list("kind", flat=True)) == ["opened"]


def test_bids_after_the_end_are_refused(seller):
    sale = open_auction(seller, hours=1)

    with pytest.raises(DomainError) as caught:
        services.bid_place(
            sale=sale, user=bidder("alice"), max_amount=D("100000"), now=T0 + minutes(60)
        )

    assert caught.value.code == "sale_closed"
    assert Bid.objects.count() == 0


def test_buy_now_awards_before_the_first_bid(seller):
    sale = open_auction(seller, start="100000", buy_now="300000")
    alice = bidder("alice")

    order = services.sale_buy_now(sale=sale, user=alice, now=T0 + minutes(1))

    sale.refresh_from_db()
    assert (sale.status, order.amount, order.origin) == (
        SaleStatus.AWARDED,
        D("300000"),
        OrderOrigin.BUY_NOW,
    )
    assert order.listing.status == ListingStatus.SOLD


def test_buy_now_ends_with_the_first_bid(seller):
    sale = open_auction(seller, start="100000", buy_now="300000")
    services.bid_place(sale=sale, user=bidder("alice"), max_amount=D("100000"), now=T0)

    with pytest.raises(DomainError) as caught:
        services.sale_buy_now(sale=sale, user=bidder("bob"), now=T0 + minutes(1))

    assert caught.value.code == "not_available"
    sale.refresh_from_db()
    assert sale.status == SaleStatus.OPEN
    assert Order.objects.count() == 0


def test_scheduled_close_and_sweeper_award_exactly_once(seller):
    sale = open_auction(seller, hours=1)
    services.bid_place(sale=sale, user=bidder("alice"), max_amount=D("100000"), now=T0)
    end = T0 + minutes(60)

    services.sale_close(sale=sale, now=end)
    closed_by_sweeper = services.sales_close_due(now=end + minutes(1))
    services.sale_close(sale=sale, now=end + minutes(2))

    assert closed_by_sweeper == []
    assert Order.objects.count() == 1
    assert SaleEvent.objects.filter(sale=sale, kind="awarded").count() == 1


def test_sweeper_closes_overdue_sales_in_bounded_batches(seller):
    sales = [open_auction(seller, hours=1) for _ in range(3)]

    first = services.sales_close_due(now=T0 + minutes(61), limit=2)
    second = services.sales_close_due(now=T0 + minutes(61), limit=2)

    assert first == [sales[0].pk, sales[1].pk]
    assert second == [sales[2].pk]
    assert {s.status for s in type(sales[0]).objects.all()} == {SaleStatus.NO_SALE}


def test_opening_schedules_the_close_one_hop_ahead_at_most(
    seller, django_capture_on_commit_callbacks
):
    from unittest import mock

    from marketplace.core.models import OutboxTask

    # Redis redelivers an unacknowledged task after its visibility timeout, so a close due in
    # two hours is first scheduled 50 minutes ahead; the task then re-schedules itself.
    clock = mock.patch("marketplace.trading.services.sales.timezone.now", return_value=T0)
    with clock, django_capture_on_commit_callbacks() as callbacks:
        sale = open_auction(seller, hours=2)

    scheduled = OutboxTask.objects.get()
    assert len(callbacks) == 1
    assert (scheduled.task_name, scheduled.kwargs, scheduled.eta) == (
        "trading.close_sale",
        {"sale_id": sale.pk},
        T0 + minutes(50),
    )


def test_cross_border_award_opens_a_shipment_case(seller, django_capture_on_commit_callbacks):
    from compliance.models import ShipmentCase

    sale = open_auction(seller, hours=48)
    korean = bidder("seoul", country="KR")
    services.bid_place(sale=sale, user=korean, max_amount=D("150000"), now=T0 + minutes(24 * 60))

    with django_capture_on_commit_callbacks(execute=True):
        services.sale_close(sale=sale, now=T0 + minutes(48 * 60))

    order = Order.objects.get()
    case = ShipmentCase.objects.get()
    assert order.cross_border is True
    assert (case.listing, case.buyer_organisation, case.destination, case.order_reference) == (
        sale.listing,
        korean.organisation,
        "KR",
        f"order {order.pk}",
    )


def test_domestic_award_opens_no_shipment_case(seller, django_capture_on_commit_callbacks):
    from compliance.models import ShipmentCase

    sale = open_auction(seller, hours=1)
    services.bid_place(sale=sale, user=bidder("alice"), max_amount=D("150000"), now=T0)

    with django_capture_on_commit_callbacks(execute=True):
        services.sale_close(sale=sale, now=T0 + minutes(60))

    assert Order.objects.get().cross_border is False
    assert ShipmentCase.objects.count() == 0
