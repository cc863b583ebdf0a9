"""Sealed tenders: hidden until the close, ranked at the close on the snapshot, ties earlier."""

from datetime import timedelta

import pytest

from marketplace.accounts.choices import Role
from marketplace.catalog.choices import ListingStatus, SaleFormat
from marketplace.core.exceptions import DomainError
from marketplace.trading import services
from marketplace.trading.choices import OrderOrigin, SaleStatus
from marketplace.trading.models import Order, ReferencePrice, TenderBid, TenderClose
from tests.catalog.factories import ListingFactory
from tests.trading.sale_support import T0, D, bidder, minutes

pytestmark = pytest.mark.django_db


@pytest.fixture
def prices():
    day = T0.date() - timedelta(days=3)
    for element, price in (("Ni", "2000"), ("Co", "5000"), ("Li", "9000")):
        ReferencePrice.objects.create(
            element=element, price_jpy_per_kg=D(price), effective_date=day, source="test"
        )


def open_tender(seller, *, reserve=None):
    # 10,000 kg wet at 4 % moisture = 9,600 kg dry; Ni 20 %, Co 6.5 %, Mn 6 %, Li 3.8 %.
    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        black_mass_listing=True,
        sale_format=SaleFormat.SEALED_TENDER,
        price=None,
    )
    return services.sale_open(
        listing=listing,
        actor=seller,
        ends_at=T0 + minutes(60),
        reserve_price=D(reserve) if reserve else None,
        now=T0,
    )


def recycler(name):
    return bidder(name, role=Role.RECYCLER, permit=True)


def test_close_ranks_by_value_ties_to_the_earlier_bid_and_stores_the_snapshot(seller, prices):
    sale = open_tender(seller)
    alice, bob, carol = recycler("alice"), recycler("bob"), recycler("carol")
    # Payables: 9,600 × 20 % × 80 % × 2,000 + 9,600 × 6.5 % × 70 % × 5,000 = 5,256,000 JPY.
    payables = services.tender_bid_submit(
        sale=sale,
        user=alice,
        payables_pct={"Ni": D("80"), "Co": D("70")},
        now=T0 + minutes(1),
    )
    # 9.6 dry tonnes × 500,000 = 4,800,000 JPY.
    services.tender_bid_submit(
        sale=sale, user=bob, fixed_jpy_per_dry_tonne=D("500000"), now=T0 + minutes(2)
    )
    # 9.6 × 547,500 = 5,256,000 JPY: equal to Alice's, but later.
    services.tender_bid_submit(
        sale=sale, user=carol, fixed_jpy_per_dry_tonne=D("547500"), now=T0 + minutes(3)
    )

    services.sale_close(sale=sale, now=T0 + minutes(60))

    ranking = list(
        TenderBid.objects.order_by("rank").values_list(
            "bidder_organisation__legal_name", "rank", "value_jpy"
        )
    )
    assert ranking == [
        ("Alice K.K.", 1, 5256000),
        ("Carol K.K.", 2, 5256000),
        ("Bob K.K.", 3, 4800000),
    ]
    close = TenderClose.objects.get(sale=sale)
    assert close.reference_prices["prices"]["Ni"]["price_jpy_per_kg"] == "2000.00"
    assert close.lot["moisture_pct"] == "4.00"
    assert [row["tender_bid_id"] for row in close.results["ranking"]][0] == payables.pk
    order = Order.objects.get()
    assert (order.buyer_organisation, order.amount, order.origin) == (
        alice.organisation,
        D("5256000"),
        OrderOrigin.TENDER,
    )
    sale.refresh_from_db()
    assert sale.status == SaleStatus.AWARDED
    assert sale.listing.status == ListingStatus.SOLD


def test_reserve_not_reached_ends_the_tender_without_a_sale(seller, prices):
    sale = open_tender(seller, reserve="5000000")
    services.tender_bid_submit(
        sale=sale, user=recycler("bob"), fixed_jpy_per_dry_tonne=D("500000"), now=T0
    )

    services.sale_close(sale=sale, now=T0 + minutes(60))

    sale.refresh_from_db()
    assert sale.status == SaleStatus.NO_SALE
    assert Order.objects.count() == 0
    assert TenderBid.objects.get().rank == 1


def test_one_live_bid_per_organisation_withdraw_to_bid_again(seller, prices):
    sale = open_tender(seller)
    alice = recycler("alice")
    first = services.tender_bid_submit(
        sale=sale, user=alice, fixed_jpy_per_dry_tonne=D("500000"), now=T0
    )

    with pytest.raises(DomainError) as caught:
        services.tender_bid_submit(
            sale=sale, user=alice, fixed_jpy_per_dry_tonne=D("600000"), now=T0 + minutes(1)
        )
    assert caught.value.code == "conflict"
    assert TenderBid.objects.count() == 1

    services.tender_bid_withdraw(tender_bid=first, user=alice, now=T0 + minutes(2))
    services.tender_bid_submit(
        sale=sale, user=alice, fixed_jpy_per_dry_tonne=D("600000"), now=T0 + minutes(3)
    )
    assert TenderBid.objects.filter(withdrawn_at__isnull=True).get().fixed_jpy_per_dry_tonne == D(
        "600000"
    )


def test_a_bid_is_fixed_or_payables_not_both(seller, prices):
    sale = open_tender(seller)

    with pytest.raises(DomainError):
        services.tender_bid_submit(
            sale=sale,
            user=recycler("alice"),
            fixed_jpy_per_dry_tonne=D("500000"),
            payables_pct={"Ni": D("80")},
            now=T0,
        )

    assert TenderBid.objects.count() == 0


def test_payable_above_100_percent_names_the_field(seller, prices):
    sale = open_tender(seller)

    with pytest.raises(DomainError) as caught:
        services.tender_bid_submit(
            sale=sale, user=recycler("alice"), payables_pct={"Ni": D("120")}, now=T0
        )

    assert list(caught.value.fields) == ["payables_pct.Ni"]
    assert TenderBid.objects.count() == 0


def test_no_withdrawal_after_the_close(seller, prices):
    sale = open_tender(seller)
    alice = recycler("alice")
    bid = services.tender_bid_submit(
        sale=sale, user=alice, fixed_jpy_per_dry_tonne=D("500000"), now=T0
    )

    with pytest.raises(DomainError) as caught:
        services.tender_bid_withdraw(tender_bid=bid, user=alice, now=T0 + minutes(60))

    assert caught.value.code == "sale_closed"
    bid.refresh_from_db()
    assert bid.withdrawn_at is None


def test_pack_tender_takes_fixed_prices_per_tonne_of_pack_mass(seller, prices):
    # The factory pack weighs 303 kg: 0.303 t × 100,000 JPY = 30,300 JPY.
    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        sale_format=SaleFormat.SEALED_TENDER,
        price=None,
    )
    sale = services.sale_open(listing=listing, actor=seller, ends_at=T0 + minutes(60), now=T0)
    alice = bidder("alice")

    with pytest.raises(DomainError) as caught:
        services.tender_bid_submit(sale=sale, user=alice, payables_pct={"Ni": D("80")}, now=T0)
    assert list(caught.value.fields) == ["payables_pct"]
    services.tender_bid_submit(
        sale=sale, user=alice, fixed_jpy_per_dry_tonne=D("100000"), now=T0 + minutes(1)
    )
    services.sale_close(sale=sale, now=T0 + minutes(60))

    assert Order.objects.get().amount == D("30300")
