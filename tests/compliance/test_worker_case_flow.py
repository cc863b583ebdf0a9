"""A real Celery worker, through Redis, runs the shipment case of a cross-border order.

Buy now (test process) → the outbox sends trading.open_shipment_case → the worker opens the
case → its outbox sends compliance.run_case_checks → the worker runs the checks → an officer
decides (test process) → the outbox sends payments.order_clearance_changed(order_id).

The order is paid first (the service the payment webhook calls): the platform holds the money
and, being cross-border, the order waits on hold. The worker then runs
payments.order_clearance_changed: approval releases the order for shipment, a rejection keeps
it on hold.
"""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings

from compliance.choices import CaseStatus, CheckOutcome
from compliance.models import ShipmentCase
from compliance.services import cases
from compliance.services.gates import shipment_cleared
from marketplace.celery import app as celery_app
from marketplace.core import outbox
from marketplace.core.models import OutboxTask
from marketplace.trading import services as trading
from marketplace.trading.choices import OrderStatus
from marketplace.trading.models import Order
from marketplace.trading.services import orders
from tests.catalog.factories import ListingFactory
from tests.core.test_worker_integration import ROOT, _test_database_url
from tests.trading.sale_support import T0, bidder, minutes

pytestmark = [
    pytest.mark.needs_postgres,
    pytest.mark.needs_redis,
    pytest.mark.django_db(transaction=True),
]

CLEARANCE_TASK = "payments.order_clearance_changed"


@pytest.fixture
def worker():
    """`celery worker` on the default queue of this run's own Redis database: the outbox
    sends without naming a queue, so the worker takes what the application enqueues."""
    celery_app.control.purge()  # nothing left over from an earlier run
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "REDIS_URL": settings.REDIS_URL}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "marketplace",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    yield process
    process.terminate()
    process.wait(timeout=30)
    celery_app.control.purge()


@pytest.fixture
def sent_tasks(monkeypatch):
    """Every task the outbox hands to the broker from this process, in order."""
    sent: list[tuple[str, dict]] = []
    original = outbox._send

    def spy(task_name: str, kwargs: dict, eta) -> None:
        original(task_name, kwargs, eta)
        sent.append((task_name, kwargs))

    monkeypatch.setattr(outbox, "_send", spy)
    return sent


def wait_for(predicate: Callable[[], object], *, timeout: float = 120, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def buy_across_the_border(seller, buyer_name: str) -> Order:
    """A Korean buyer buys a used EV from Japan at its fixed price: a cross-border order."""
    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        vehicle_listing=True,
        price=Decimal("1500000"),
        title=f"Leaf for {buyer_name}",
    )
    sale = trading.sale_open(listing=listing, actor=seller, ends_at=T0 + timedelta(days=30), now=T0)
    korean = bidder(buyer_name, country="KR")
    order = trading.sale_buy_now(sale=sale, user=korean, now=T0 + minutes(5))
    assert order.cross_border is True
    return order


def case_checked_by_the_worker(order: Order) -> ShipmentCase:
    case = wait_for(
        lambda: (
            ShipmentCase.objects.filter(order_id=order.pk)
            .exclude(status__in=[CaseStatus.OPENED, CaseStatus.CHECKING])
            .first()
        ),
        what=f"the worker to open and check the case of order {order.pk}",
    )
    # Nothing ran in this process (tasks are not eager here): the worker emptied the outbox.
    assert OutboxTask.objects.count() == 0
    return case


def pay(order: Order) -> None:
    orders.order_mark_paid(order=order, reason="payment_intent.succeeded (test)")
    order.refresh_from_db()
    assert order.status == OrderStatus.ON_HOLD  # cross-border: held until the case is approved


def _assert_order_released(order: Order) -> None:
    """The worker ran payments.order_clearance_changed and released the order."""
    wait_for(
        lambda: Order.objects.get(pk=order.pk).status == OrderStatus.RELEASED,
        what=f"the worker to release order {order.pk}",
    )
    assert (
        shipment_cleared(listing=order.listing, buyer_organisation=order.buyer_organisation) is True
    )


def _assert_order_on_hold(order: Order) -> None:
    assert (
        shipment_cleared(listing=order.listing, buyer_organisation=order.buyer_organisation)
        is False
    )
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ON_HOLD


def _make_approvable(case: ShipmentCase, officer) -> list[int]:
    for consent in case.consents.all():
        cases.consent_record(consent=consent, actor=officer, status="granted")
    for document in case.documents.all():
        cases.document_mark(document=document, actor=officer, received=True)
    return [check.pk for check in case.checks.filter(outcome=CheckOutcome.REVIEW)]


def test_the_worker_opens_and_checks_the_case_and_approval_releases_the_order(
    worker, sent_tasks, seller, officer
):
    order = buy_across_the_border(seller, "seoul")
    pay(order)

    case = case_checked_by_the_worker(order)

    assert case.status == CaseStatus.AWAITING_OFFICER
    assert (case.order_reference, case.destination.code) == (f"order {order.pk}", "KR")
    assert case.risk_level == "standard"
    assert case.checks.count() == 8
    assert case.events.filter(kind="check_result").count() == 8
    assert ("trading.open_shipment_case", {"order_id": order.pk}) in sent_tasks
    _assert_order_on_hold(order)

    review = _make_approvable(case, officer)
    cases.case_approve(
        case=case,
        actor=officer,
        reason="Product export, papers in order",
        acknowledge_check_ids=review,
    )

    assert sent_tasks[-1] == (CLEARANCE_TASK, {"order_id": order.pk})
    assert OutboxTask.objects.filter(task_name=CLEARANCE_TASK).count() == 0  # dispatched
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    _assert_order_released(order)


def test_a_rejected_case_keeps_the_order_on_hold(worker, sent_tasks, seller, officer):
    order = buy_across_the_border(seller, "busan")
    pay(order)
    case = case_checked_by_the_worker(order)

    cases.case_reject(case=case, actor=officer, reason="Buyer's import licence has lapsed")

    assert sent_tasks[-1] == (CLEARANCE_TASK, {"order_id": order.pk})
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED
    # The worker has run the clearance task once the outbox is empty; the order stays held.
    wait_for(
        lambda: not OutboxTask.objects.filter(task_name=CLEARANCE_TASK).exists(),
        what="the clearance task to be sent",
    )
    wait_for(
        lambda: Order.objects.get(pk=order.pk).events.filter(reason__icontains="reject").exists(),
        what="the worker to record the rejection on the order",
    )
    _assert_order_on_hold(order)
