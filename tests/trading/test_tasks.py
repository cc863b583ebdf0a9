"""trading.close_sale and trading.sweep_due_sales: thin, idempotent, safe to run twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.catalog.choices import SaleFormat
from marketplace.trading import services, tasks
from marketplace.trading.choices import SaleStatus
from marketplace.trading.models import Order
from tests.catalog.factories import ListingFactory
from tests.trading.sale_support import D, bidder

pytestmark = pytest.mark.django_db


def _auction_ending(seller, ends_at, name="alice"):
    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        sale_format=SaleFormat.ENGLISH_AUCTION,
        price=D("100000"),
    )
    opened = ends_at - timedelta(hours=1)
    sale = services.sale_open(listing=listing, actor=seller, ends_at=ends_at, now=opened)
    services.bid_place(sale=sale, user=bidder(name), max_amount=D("100000"), now=opened)
    return sale


def test_close_task_awards_a_due_sale_and_a_second_run_does_nothing(seller):
    sale = _auction_ending(seller, timezone.now() - timedelta(minutes=1))

    first = tasks.close_sale.delay(sale.pk).get()
    second = tasks.close_sale.delay(sale.pk).get()

    assert (first, second) == (SaleStatus.AWARDED, "not open")
    assert Order.objects.filter(sale=sale).count() == 1


def test_close_task_leaves_a_sale_the_soft_close_extended(seller):
    sale = _auction_ending(seller, timezone.now() + timedelta(minutes=10))

    assert tasks.close_sale.delay(sale.pk).get() == "not due"

    sale.refresh_from_db()
    assert sale.status == SaleStatus.OPEN


def test_sweeper_task_closes_overdue_sales(seller):
    due = _auction_ending(seller, timezone.now() - timedelta(minutes=5))
    later = _auction_ending(seller, timezone.now() + timedelta(hours=1), name="bob")

    assert tasks.sweep_due_sales.delay().get() == 1

    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == (SaleStatus.AWARDED, SaleStatus.OPEN)
