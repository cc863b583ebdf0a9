"""trading.close_sale and trading.sweep_due_sales: thin, idempotent, safe to run twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.catalog.choices import SaleFormat
from marketplace.trading import services, tasks
from marketplace.trading.choices import SaleStatus
from marketplace.trading.models import Order, SaleEvent
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


def test_close_task_also_closes_the_other_due_sales_but_not_an_extended_one(seller):
    now = timezone.now()
    own = _auction_ending(seller, now - timedelta(minutes=1))
    other = _auction_ending(seller, now - timedelta(minutes=2), name="bob")
    extended = _auction_ending(seller, now + timedelta(minutes=10), name="carol")

    assert tasks.close_sale.delay(own.pk).get() == SaleStatus.AWARDED

    for sale in (own, other, extended):
        sale.refresh_from_db()
    assert (own.status, other.status, extended.status) == (
        SaleStatus.AWARDED,
        SaleStatus.AWARDED,
        SaleStatus.OPEN,
    )
    assert Order.objects.filter(sale__in=[own, other]).count() == 2
    assert not Order.objects.filter(sale=extended).exists()
    batch_events = SaleEvent.objects.filter(sale=other).order_by("pk")
    assert [(e.kind, e.from_status, e.to_status) for e in batch_events][-2:] == [
        ("closed", "open", "closed"),
        ("awarded", "closed", "awarded"),
    ]
    assert tasks.close_sale.delay(other.pk).get() == "not open"  # its own task: nothing left


def test_an_award_close_takes_fourteen_statements(seller, django_assert_num_queries):
    sale = _auction_ending(seller, timezone.now() - timedelta(minutes=1))

    # BEGIN, the lock-read of the sale with its lot and leader, the outcome's UPDATE (the
    # claim with it), the deposits check, both events, the order and its event, the listing's
    # move (savepoint, lock, update, event, release), the guarantees, COMMIT. Nothing after
    # the commit: without deposits there is nothing to settle, so no outbox row to send.
    with django_assert_num_queries(14):
        services.sale_close(sale=sale)

    sale.refresh_from_db()
    assert sale.status == SaleStatus.AWARDED


def test_a_close_task_for_a_closed_sale_with_nothing_due_takes_two_statements(
    seller, django_assert_num_queries
):
    sale = _auction_ending(seller, timezone.now() - timedelta(minutes=1))
    services.sale_close(sale=sale)

    # After a storm most close tasks find their sale closed by another task's batch: the
    # sale's read and the look for due sales, nothing more.
    with django_assert_num_queries(2):
        assert tasks.close_sale.delay(sale.pk).get() == "not open"
