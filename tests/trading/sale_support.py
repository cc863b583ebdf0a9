"""Shared set-up for the sale tests: a fixed clock, listings on sale, bidders."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from marketplace.accounts.choices import Role
from marketplace.catalog.choices import SaleFormat
from marketplace.trading import services
from tests.catalog.factories import ListingFactory
from tests.factories import PermitFactory, UserFactory

# Tomorrow on the hour: in the future, so a close task run eagerly on commit (transactional
# tests) finds the sale not yet due, as the real scheduler would.
T0 = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
D = Decimal


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def bidder(name: str, *, country: str = "JP", role: str = Role.REUSE_MAKER, permit=False):
    user = UserFactory(
        username=name,
        role=role,
        organisation__legal_name=f"{name.title()} K.K.",
        organisation__country=country,
    )
    if permit:
        PermitFactory(organisation=user.organisation)
    return user


def open_auction(seller, *, start="100000", reserve=None, buy_now=None, hours=24, **extra):
    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        sale_format=SaleFormat.ENGLISH_AUCTION,
        price=D(start),
    )
    return services.sale_open(
        listing=listing,
        actor=seller,
        ends_at=T0 + timedelta(hours=hours),
        reserve_price=D(reserve) if reserve else None,
        buy_now_price=D(buy_now) if buy_now else None,
        now=T0,
        **extra,
    )


def live_auction(seller, *, listing: dict | None = None, **sale):
    """An English auction of a new 100,000-JPY lot, open now for two days (the API and the
    pages bid on the real clock); ``listing``: factory traits or fields of the lot."""
    lot = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        sale_format=SaleFormat.ENGLISH_AUCTION,
        price=D("100000"),
        **(listing or {}),
    )
    return services.sale_open(
        listing=lot, actor=seller, ends_at=timezone.now() + timedelta(days=2), **sale
    )
