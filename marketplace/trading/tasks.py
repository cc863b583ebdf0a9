"""Celery entry points: load by id, call one service. Both are safe to run twice."""

from celery import shared_task
from django.utils import timezone

from compliance.exceptions import RulesUnavailable
from marketplace.trading import services
from marketplace.trading.choices import SaleStatus
from marketplace.trading.models import Order, Sale
from marketplace.trading.services.sales import order_open_shipment_case

SWEEP_BATCH = 100
# Sales a close task closes beyond its own: five transactions, about half a second of work.
CLOSE_BATCH = 50


@shared_task(name="trading.close_sale", bind=True, ignore_result=True)
def close_sale(self, sale_id: int) -> str:
    """Close a sale at its end, then the other sales already due (at most CLOSE_BATCH).

    The soft close may have moved the end since this was scheduled: an early run re-schedules
    itself for the current end (the sweeper is the backstop). When many sales end in the same
    minute, each of their tasks would pay the broker's round trips for one close; instead the
    first tasks close the due sales in batches (ten per transaction, skipping the ones another
    worker holds) and the later ones find their sale closed.
    """
    sale = Sale.objects.filter(pk=sale_id).first()
    if sale is None or sale.status != SaleStatus.OPEN:
        outcome = "not open"
    elif sale.ends_at > timezone.now():
        # An eager run (tests, CELERY_TASK_ALWAYS_EAGER) cannot wait for an eta: it would
        # re-run at once, forever. The sweeper closes such sales.
        if not self.request.is_eager:
            services.sale_schedule_close(sale=sale)
        return "not due"
    else:
        outcome = services.sale_close(sale=sale).status
    services.sales_close_due(limit=CLOSE_BATCH, skip_locked=True)
    return outcome


@shared_task(name="trading.sweep_due_sales", bind=True, ignore_result=True)
def sweep_due_sales(self, batch_size: int = SWEEP_BATCH) -> int:
    """Close overdue sales and expire overdue offers, a bounded batch at a time; a full batch
    queues another sweep at once."""
    closed = services.sales_close_due(limit=batch_size)
    expired = services.offers_expire_due(limit=batch_size)
    if (len(closed) >= batch_size or expired >= batch_size) and not self.request.is_eager:
        sweep_due_sales.apply_async(kwargs={"batch_size": batch_size})
    return len(closed)


@shared_task(name="trading.open_shipment_case", bind=True, max_retries=5, ignore_result=True)
def open_shipment_case(self, order_id: int) -> int:
    """After a cross-border award: open the compliance shipment case of the order."""
    order = Order.objects.select_related("listing", "buyer_organisation").get(pk=order_id)
    try:
        return order_open_shipment_case(order=order).pk
    except RulesUnavailable as exc:
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
