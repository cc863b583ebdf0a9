"""Redis stops while buyers bid and buy: every request succeeds, and the work they enqueued runs
once Redis is back (the transactional outbox keeps it meanwhile).

The app runs in its own gunicorn process with REDIS_URL pointing at a private Redis, so the
cache (throttles) and the Celery broker both lose it, as they would in production.
"""

import json
import urllib.request
import uuid
from datetime import timedelta
from urllib.error import HTTPError

import pytest
from django.utils import timezone

from compliance.choices import CaseStatus
from compliance.models import CaseCheck, ShipmentCase
from marketplace.accounts.services import api_token_create
from marketplace.core.models import OutboxTask
from marketplace.trading.models import Bid, Order
from tests.reliability.servers import PrivateRedis, run_in_app_environment, start_app
from tests.reliability.workers import start_worker, stop, wait_for
from tests.trading.sale_support import D, bidder, live_auction

pytestmark = [
    pytest.mark.needs_postgres,
    pytest.mark.needs_redis,
    pytest.mark.django_db(transaction=True),
]


def _auction(seller, *, buy_now: str):
    past_domestic_first = timezone.now() - timedelta(hours=25)
    return live_auction(seller, buy_now_price=D(buy_now), now=past_domestic_first)


def _post(base_url: str, path: str, key: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 (a local http:// URL)
        base_url + path,
        data=json.dumps(body or {}).encode(),
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except HTTPError as error:
        return error.code, {"body": error.read().decode()[:500]}


@pytest.fixture
def redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


def test_bids_and_orders_placed_while_redis_is_down_succeed_and_their_work_runs_later(
    seller, redis
):
    korean = bidder("seoul", country="KR", permit=True)
    alice = bidder("alice")
    for_sale = [_auction(seller, buy_now="300000") for _ in range(3)]
    bid_on = _auction(seller, buy_now="900000")
    korean_key = api_token_create(user=korean, name="outage test")[1]
    alice_key = api_token_create(user=alice, name="outage test")[1]
    OutboxTask.objects.all().delete()  # the close tasks of set-up: not what this test is about
    app, base_url = start_app(redis_url=redis.url)
    worker = None
    try:
        # When: Redis goes away, then bids and buy-now orders arrive over HTTP.
        redis.stop()
        bids = [
            _post(
                base_url, f"/api/v1/trading/sales/{bid_on.pk}/bids/", alice_key, {"max_amount": m}
            )
            for m in ("100000", "150000", "200000")
        ]
        orders = [
            _post(base_url, f"/api/v1/trading/sales/{sale.pk}/buy-now/", korean_key)
            for sale in for_sale
        ]

        # Then: every request was accepted, and the cross-border work waits in the outbox.
        assert [status for status, _ in bids] == [201, 201, 201], bids
        assert [status for status, _ in orders] == [201, 201, 201], orders
        order_ids = sorted(body["id"] for _, body in orders)
        waiting = OutboxTask.objects.filter(task_name="trading.open_shipment_case")
        assert sorted(row.kwargs["order_id"] for row in waiting) == order_ids
        assert all(row.attempts == 1 for row in waiting)
        # No bidder held a deposit on these lots (below the threshold): nothing to settle.
        assert not OutboxTask.objects.filter(task_name="payments.settle_deposits").exists()
        assert ShipmentCase.objects.count() == 0

        # When Redis is back: a worker runs, the sweeper sends what waited.
        redis.start()
        queue_free = f"celery-{uuid.uuid4().hex[:6]}"  # the worker also serves the default queue
        worker = start_worker(f"celery,{queue_free}", broker_url=redis.url)
        OutboxTask.objects.update(created_at=timezone.now() - timedelta(minutes=1))
        sent = run_in_app_environment(
            "from marketplace.core.outbox import dispatch_pending; print(dispatch_pending())",
            redis_url=redis.url,
        )
        assert sent == "3"  # three shipment cases to open

        # Then: each order got exactly one shipment case, and each case was checked once.
        def all_checked():
            cases = ShipmentCase.objects.filter(status=CaseStatus.AWAITING_OFFICER)
            return cases.count() == 3 and not OutboxTask.objects.exists()

        wait_for(all_checked, timeout=45, what="the shipment cases to be opened and checked")
    finally:
        if worker is not None:
            stop(worker)
        stop(app)

    assert sorted(Order.objects.values_list("pk", flat=True)) == order_ids
    assert ShipmentCase.objects.count() == 3
    for case in ShipmentCase.objects.all():
        assert CaseCheck.objects.filter(case=case).count() == 8
    assert Bid.objects.filter(sale=bid_on, is_automatic=False).count() == 3
    bid_on.refresh_from_db()
    assert (bid_on.current_price, bid_on.bid_count) == (D("100000.00"), 3)
