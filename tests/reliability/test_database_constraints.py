"""The database itself refuses impossible states, even when Python checks are bypassed.

Each case writes around the services with a queryset `update()` (as a buggy migration, a shell
session or a future code path might) and expects the database to say no.
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from marketplace.catalog.choices import SaleFormat
from marketplace.catalog.models import BatteryPack, BlackMassLot, Listing
from marketplace.trading import services
from marketplace.trading.models import Bid, Order, Sale
from tests.catalog.factories import BatteryPackFactory, BlackMassLotFactory, ListingFactory
from tests.trading.sale_support import D, bidder

pytestmark = pytest.mark.django_db


def _refused(queryset, **values) -> bool:
    try:
        with transaction.atomic():
            queryset.update(**values)
    except IntegrityError:
        return True
    return False


@pytest.fixture
def awarded_auction(seller):
    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        sale_format=SaleFormat.ENGLISH_AUCTION,
        price=D("100000"),
    )
    ends_at = timezone.now() - timedelta(minutes=1)
    opened = ends_at - timedelta(hours=1)
    sale = services.sale_open(listing=listing, actor=seller, ends_at=ends_at, now=opened)
    services.bid_place(sale=sale, user=bidder("alice"), max_amount=D("120000"), now=opened)
    services.sale_close(sale=sale)
    return Sale.objects.get(pk=sale.pk)


@pytest.mark.parametrize(
    "field", ["start_price", "reserve_price", "current_price", "buy_now_price"]
)
def test_a_sale_price_cannot_be_negative(awarded_auction, field):
    assert _refused(Sale.objects.filter(pk=awarded_auction.pk), **{field: D("-1")})


def test_a_bid_must_be_positive_and_within_its_maximum(awarded_auction):
    bid = Bid.objects.get(sale=awarded_auction, is_automatic=False)

    assert _refused(Bid.objects.filter(pk=bid.pk), amount=D("0"))
    assert _refused(Bid.objects.filter(pk=bid.pk), amount=D("120000.01"))
    assert not _refused(Bid.objects.filter(pk=bid.pk), amount=D("120000"))


def test_an_order_amount_cannot_be_negative_and_a_sale_has_one_order(awarded_auction):
    order = Order.objects.get(sale=awarded_auction)

    assert _refused(Order.objects.filter(pk=order.pk), amount=D("-0.01"))
    second = Order(
        sale=awarded_auction,
        listing=order.listing,
        buyer_organisation=order.buyer_organisation,
        seller_organisation=order.seller_organisation,
        origin=order.origin,
        amount=D("1"),
        currency=order.currency,
        cross_border=False,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    assert Order.objects.filter(sale=awarded_auction).count() == 1


def test_a_listing_price_and_pack_figures_cannot_leave_their_range(awarded_auction, seller):
    pack = BatteryPackFactory(owner=seller.organisation)
    packs = BatteryPack.objects.filter(pk=pack.pk)

    assert _refused(Listing.objects.filter(pk=awarded_auction.listing_id), price=D("-5"))
    assert _refused(packs, rated_capacity_kwh=D("-0.01"))
    assert _refused(packs, soh_pct=D("100.01"))
    assert not _refused(packs, soh_pct=D("100"))


def test_a_black_mass_lot_weight_and_moisture_stay_physical(seller):
    lot = BlackMassLotFactory(owner=seller.organisation)
    lots = BlackMassLot.objects.filter(pk=lot.pk)

    assert _refused(lots, wet_weight_kg=D("-1"))
    assert _refused(lots, moisture_pct=D("100.5"))
    assert not _refused(lots, moisture_pct=D("100"))
