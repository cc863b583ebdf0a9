"""A worker SIGKILLed mid auction close: the task comes back and the award happens once.

Two places to die: inside the close's transaction (PostgreSQL rolls the award back, the
redelivered task makes it), and after the commit but before the acknowledgement (the
redelivered task finds the sale closed and does nothing). Either way: one order, one "closed"
event. Redelivery comes from acks_late (settings) plus Redis's visibility timeout, shortened
here so the test does not wait the production hour.
"""

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from marketplace.catalog.choices import SaleFormat
from marketplace.trading import services, tasks
from marketplace.trading.choices import SaleStatus
from marketplace.trading.models import Order, Sale, SaleEvent
from tests.catalog.factories import ListingFactory
from tests.reliability.workers import kill_hard, start_worker, stop, wait_for
from tests.trading.sale_support import D, bidder

pytestmark = [
    pytest.mark.needs_postgres,
    pytest.mark.needs_redis,
    pytest.mark.django_db(transaction=True),
]

INSIDE_THE_TRANSACTION = "marketplace.trading.services.sales:_close_auction"
AFTER_THE_COMMIT = "marketplace.trading.services:sale_close"


def _due_auction_with_a_bid(seller) -> Sale:
    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        sale_format=SaleFormat.ENGLISH_AUCTION,
        price=D("100000"),
    )
    ends_at = timezone.now() - timedelta(minutes=1)
    opened = ends_at - timedelta(hours=1)
    sale = services.sale_open(listing=listing, actor=seller, ends_at=ends_at, now=opened)
    services.bid_place(sale=sale, user=bidder("alice"), max_amount=D("150000"), now=opened)
    return sale


@pytest.mark.parametrize("killed_at", [INSIDE_THE_TRANSACTION, AFTER_THE_COMMIT])
def test_a_killed_close_is_redelivered_and_awards_exactly_once(seller, tmp_path: Path, killed_at):
    sale = _due_auction_with_a_bid(seller)
    queue = f"kill-{uuid.uuid4().hex[:8]}"
    mark, calls = tmp_path / "paused", tmp_path / "calls"
    call_log = str(calls)
    first = start_worker(queue, PAUSE_AFTER=killed_at, PAUSE_MARK=str(mark), CALL_LOG=call_log)
    second = None
    try:
        tasks.close_sale.apply_async(args=(sale.pk,), queue=queue)
        wait_for(mark.exists, timeout=45, what="the first worker to reach the pause")
        kill_hard(first)
        orders_after_kill = Order.objects.filter(sale=sale).count()

        second = start_worker(queue, VISIBILITY_TIMEOUT_S="2", CALL_LOG=call_log)
        wait_for(
            lambda: calls.exists() and len(calls.read_text().splitlines()) == 2,
            timeout=45,
            what="the task to be redelivered to the second worker",
        )
        wait_for(lambda: Order.objects.filter(sale=sale).exists(), timeout=10, what="the order")
    finally:
        stop(first)
        if second is not None:
            stop(second)

    expected_before = 0 if killed_at == INSIDE_THE_TRANSACTION else 1
    assert orders_after_kill == expected_before
    (first_pid, first_task), (second_pid, second_task) = (
        line.split() for line in calls.read_text().splitlines()
    )
    assert (first_pid, second_pid) == (str(first.pid), str(second.pid))
    assert first_task == second_task  # the same message, redelivered
    order = Order.objects.get(sale=sale)
    assert (order.amount, order.buyer_organisation.legal_name) == (D("100000.00"), "Alice K.K.")
    sale.refresh_from_db()
    assert sale.status == SaleStatus.AWARDED
    assert SaleEvent.objects.filter(sale=sale, kind="closed").count() == 1
