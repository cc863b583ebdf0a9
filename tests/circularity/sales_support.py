"""Completed sales for the outflow tests: an awarded sale and its order, at a given moment."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from marketplace.catalog.choices import ListingStatus, SaleFormat
from marketplace.trading.choices import OrderOrigin, OrderStatus, SaleStatus
from marketplace.trading.models import Order, ReferencePrice, Sale

D = Decimal


def tokyo(year: int, month: int, day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=ZoneInfo("Asia/Tokyo"))


def completed_sale(listing, buyer_organisation, *, at, amount="300000", status=None) -> Order:
    """The order of an awarded fixed-price sale of ``listing`` to ``buyer_organisation``."""
    sale = Sale.objects.create(
        listing=listing,
        seller_organisation=listing.seller,
        format=SaleFormat.FIXED_PRICE,
        status=SaleStatus.AWARDED,
        currency="JPY",
        buy_now_price=D(amount),
        starts_at=at - datetime.timedelta(days=2),
        ends_at=at + datetime.timedelta(days=5),
        original_ends_at=at + datetime.timedelta(days=5),
        soft_close_window_minutes=0,
        soft_close_max_extension_minutes=0,
        rules_version="test",
        created_at=at - datetime.timedelta(days=2),
        closed_at=at,
    )
    listing.status = ListingStatus.SOLD
    listing.save(update_fields=["status"])
    return Order.objects.create(
        sale=sale,
        listing=listing,
        buyer_organisation=buyer_organisation,
        seller_organisation=listing.seller,
        origin=OrderOrigin.BUY_NOW,
        amount=D(amount),
        currency="JPY",
        cross_border=buyer_organisation.country.code != listing.country.code,
        status=status or OrderStatus.CREATED,
        created_at=at,
    )


def reference_prices(on: datetime.date, **prices_jpy_per_kg: str) -> None:
    for element, price in prices_jpy_per_kg.items():
        ReferencePrice.objects.create(
            element=element,
            price_jpy_per_kg=D(price),
            effective_date=on,
            source="test reference price",
        )
