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


# --- Guards across tables: triggers (marketplace/core/triggers.py), installed by migrations.
# The suite builds its schema without migrations, so each test installs them inside its own
# transaction, which the test's rollback takes away again.


@pytest.fixture
def trading_guards():
    from django.db import connection

    from marketplace.trading.guards import GUARDS

    for guard in GUARDS:
        guard.install(connection)


@pytest.fixture
def payout_guard():
    from django.db import connection

    from marketplace.payments.guards import GUARDS

    for guard in GUARDS:
        guard.install(connection)


def _refusal(create) -> str | None:
    """The database's refusal of the row, or None if it was stored."""
    try:
        with transaction.atomic():
            create()
    except IntegrityError as error:
        return str(error)
    return None


def test_no_bid_is_stored_on_a_closed_auction_even_written_directly(
    trading_guards, awarded_auction
):
    winner = Bid.objects.filter(sale=awarded_auction).first().bidder_organisation
    late = {"bidder_organisation": winner, "amount": D("130000"), "max_amount": D("130000")}

    refusal = _refusal(lambda: Bid.objects.create(sale=awarded_auction, **late))
    assert "a bid needs an open sale" in (refusal or "")

    Sale.objects.filter(pk=awarded_auction.pk).update(status="open")
    assert _refusal(lambda: Bid.objects.create(sale=awarded_auction, **late)) is None


def test_no_sealed_bid_is_stored_on_a_closed_tender(trading_guards, seller):
    from marketplace.trading.models import TenderBid

    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        black_mass_listing=True,
        sale_format=SaleFormat.SEALED_TENDER,
        price=None,
    )
    tender = services.sale_open(
        listing=listing, actor=seller, ends_at=timezone.now() + timedelta(days=1)
    )
    services.sale_cancel(sale=tender, actor=seller, reason="lot withdrawn")
    recycler = bidder("smelter", permit=True)

    refusal = _refusal(
        lambda: TenderBid.objects.create(
            sale=tender,
            bidder_organisation=recycler.organisation,
            fixed_jpy_per_dry_tonne=D("500000"),
            submitted_at=timezone.now(),
        )
    )
    assert "a tender bid needs an open sale" in (refusal or "")


def test_a_cross_border_payout_needs_an_approved_case_in_the_database(payout_guard, seller):
    from compliance.choices import CaseStatus
    from marketplace.payments.models import Payout
    from tests.payments.support import order_for, shipment_case

    korean = bidder("seoul", country="KR")
    order = order_for(seller, korean, amount="1000000")
    case = shipment_case(order, status=CaseStatus.AWAITING_OFFICER)

    def pay_out():
        Payout.objects.create(
            order=order,
            seller_organisation=seller.organisation,
            gross=D("1000000"),
            fee=D("40000"),
            net=D("960000"),
            currency="JPY",
            fee_pct=D("4"),
            fee_rules_version="test",
            method="manual",
            status="recorded",
            cross_border=True,
            compliance_case=case,
            delivery_confirmed_at=timezone.now(),
        )

    refusal = _refusal(pay_out)
    assert "needs an approved compliance case" in (refusal or "")

    type(case).objects.filter(pk=case.pk).update(status=CaseStatus.APPROVED)
    assert _refusal(pay_out) is None
