"""Closing storm: thousands of auctions end in the same minute; real Celery workers close them.

The auctions were seeded open with a distant end. The storm moves every end into the last
minute (end and original end together, as a sale opened to end then would have them) and
queues the close task each sale_open would have scheduled for that end (trading.close_sale,
what sale_schedule_close sends). In production those tasks wait in the queue long before the
minute comes, so the workers stop consuming while they are queued (not timed) and the clock
runs from the moment they resume until the database shows every sale closed and every order
created.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from marketplace.celery import app
from marketplace.trading.choices import SaleStatus

POLL_S = 0.25
QUEUE = "celery"  # the default queue close_sale goes to
FINISHED = [SaleStatus.AWARDED.value, SaleStatus.NO_SALE.value]


@dataclass
class StormRun:
    """``seconds`` is NaN when the storm did not finish within the time limit: a missed
    target, not an error. ``errors`` are correctness failures only (a sale awarded without its
    order, an order too many)."""

    auctions: int
    seconds: float = float("nan")
    observed_seconds: float = float("nan")
    enqueue_seconds: float = float("nan")
    closed: int = 0
    awarded: int = 0
    orders: int = 0
    expected_orders: int = 0
    completed: bool = False
    errors: list[str] = field(default_factory=list)
    timeline: list[tuple[float, int]] = field(default_factory=list)

    @property
    def closes_per_s(self) -> float:
        return self.closed / self.observed_seconds if self.observed_seconds else 0.0


def make_due(sale_ids: list[int]) -> None:
    """Every end inside the minute that just passed (a few seconds ago at the latest)."""
    now = timezone.now()
    rng = random.Random("bench-storm-ends")
    minute = now.replace(second=0, microsecond=0)
    if now - minute < timedelta(seconds=15):
        minute -= timedelta(minutes=1)
    latest = min(now - timedelta(seconds=2), minute + timedelta(seconds=59))
    span = (latest - minute).total_seconds()
    ends = {sale_id: minute + timedelta(seconds=rng.uniform(0, span)) for sale_id in sale_ids}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE trading_sale AS s SET ends_at = v.ends_at, original_ends_at = v.ends_at "
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, ends_at) WHERE s.id = v.id",
            [list(ends), list(ends.values())],
        )
        # In production these ends were written when the sales opened, days before, and
        # autovacuum has analysed the table since; here they moved a second ago. Without
        # fresh statistics the planner believes no sale is due and picks the due sales through
        # the ends_at index, reading past every closed sale, instead of (status, ends_at).
        cursor.execute("ANALYZE trading_sale")


def _count(sale_ids: list[int]) -> tuple[int, int, int]:
    """(sales closed, of which awarded, orders) among ``sale_ids``.

    The poll runs every quarter second on the machine whose workers it measures, so it must
    cost little. The seed creates the storm's sales in one run, so their ids are usually one
    range: two short index range scans. Otherwise both tables are read through their unique
    index on the ids (10,000 probes, ~50 ms). (A status condition in the WHERE made the planner
    scan the status index instead and test every row against the whole array: ~0.4 s per poll
    by the end of the storm, most of a core of this 2-core machine.)
    """
    low, high = min(sale_ids), max(sale_ids)
    if high - low + 1 == len(set(sale_ids)):
        where, params = "BETWEEN %s AND %s", [low, high]
    else:
        where, params = "= ANY(%s)", [sale_ids]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE status = ANY(%s)),"  # noqa: S608 - `where` is one of two constants
            " count(*) FILTER (WHERE status = 'awarded'),"
            f" (SELECT count(*) FROM trading_order WHERE sale_id {where})"
            f" FROM trading_sale WHERE id {where}",
            [FINISHED, *params, *params],
        )
        closed, awarded, orders = cursor.fetchone()
    return closed, awarded, orders


def _consumers(action: str, workers: list[str]) -> None:
    replies = getattr(app.control, action)(QUEUE, destination=workers, reply=True, timeout=5)
    if len(replies or []) != len(workers):
        raise RuntimeError(f"{action}: {len(replies or [])} of {len(workers)} workers answered")


def run_storm(
    *, sale_ids: list[int], expected_orders: int, timeout_s: float, workers: list[str]
) -> StormRun:
    from marketplace.trading.tasks import close_sale

    run = StormRun(auctions=len(sale_ids), expected_orders=expected_orders)
    _consumers("cancel_consumer", workers)
    queued = time.monotonic()
    with app.producer_or_acquire() as producer:
        for sale_id in sale_ids:
            close_sale.apply_async(args=[sale_id], producer=producer)
    run.enqueue_seconds = time.monotonic() - queued
    make_due(sale_ids)
    started = time.monotonic()
    _consumers("add_consumer", workers)
    deadline = started + timeout_s
    while True:
        closed, _awarded, orders = _count(sale_ids)
        elapsed = time.monotonic() - started
        if not run.timeline or run.timeline[-1][1] != closed:
            run.timeline.append((round(elapsed, 2), closed))
        if closed == len(sale_ids) and orders >= expected_orders:
            run.seconds = elapsed
            run.completed = True
            break
        if time.monotonic() >= deadline:
            break
        time.sleep(POLL_S)
    run.observed_seconds = time.monotonic() - started
    run.closed, run.awarded, run.orders = _count(sale_ids)
    # Each close commits the award and its order together: the two counts always agree.
    if run.orders != run.awarded:
        run.errors.append(f"storm: {run.awarded} sales awarded but {run.orders} orders")
    if run.completed and run.orders != expected_orders:
        run.errors.append(f"storm: {run.orders} orders, {expected_orders} expected")
    return run
