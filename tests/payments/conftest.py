"""Fixtures shared by the payments tests: the webhook secret and a black-mass tender order."""

from datetime import timedelta
from decimal import Decimal

import pytest

from marketplace.accounts.choices import Role
from marketplace.catalog.choices import SaleFormat
from marketplace.trading import services as trading_services
from marketplace.trading.models import Order, ReferencePrice
from tests.catalog.factories import ListingFactory
from tests.trading.sale_support import T0, bidder, minutes

D = Decimal


@pytest.fixture
def _webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"  # noqa: S105


@pytest.fixture
def recycler(db):
    return bidder("smelter", role=Role.RECYCLER, permit=True)


@pytest.fixture
def order(seller, recycler) -> Order:
    """10,000 kg wet at 4 % moisture = 9,600 kg dry; declared Ni 20 %, Co 6.5 %, Li 3.8 %.
    Won with payables Ni 80 %, Co 70 %, Li 30 % at Ni 2,000, Co 5,000, Li 9,000 JPY/kg."""
    for element, price in (("Ni", "2000"), ("Co", "5000"), ("Li", "9000")):
        ReferencePrice.objects.create(
            element=element,
            price_jpy_per_kg=D(price),
            effective_date=T0.date() - timedelta(days=3),
            source="test",
        )
    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        black_mass_listing=True,
        sale_format=SaleFormat.SEALED_TENDER,
        price=None,
    )
    sale = trading_services.sale_open(
        listing=listing, actor=seller, ends_at=T0 + minutes(60), now=T0
    )
    trading_services.tender_bid_submit(
        sale=sale,
        user=recycler,
        payables_pct={"Ni": D("80"), "Co": D("70"), "Li": D("30")},
        now=T0 + minutes(1),
    )
    trading_services.sale_close(sale=sale, now=T0 + minutes(60))
    return Order.objects.get(sale=sale)
