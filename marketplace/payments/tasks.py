"""Celery entry points: load by id, call one service. Each is safe to run twice."""

from celery import shared_task

from marketplace.payments import services
from marketplace.payments.clients.stripe_client import PaymentProviderUnavailable
from marketplace.payments.models import Invoice
from marketplace.trading.models import Order, Sale
from marketplace.trading.services.orders import order_evaluate_clearance

SWEEP_BATCH = 100


def _backoff(retries: int) -> int:
    return 30 * 2**retries


@shared_task(name="payments.order_clearance_changed", ignore_result=True)
def order_clearance_changed(order_id: int) -> str:
    """Compliance decided the order's shipment case: release the order or keep it on hold."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        return "no such order"
    return order_evaluate_clearance(order=order).status


@shared_task(name="payments.settle_deposits", bind=True, max_retries=8, ignore_result=True)
def settle_deposits(self, sale_id: int) -> dict:
    """After a sale is decided: capture the winner's deposit, release the others."""
    try:
        return services.deposits_settle(sale=Sale.objects.get(pk=sale_id))
    except PaymentProviderUnavailable as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc


@shared_task(name="payments.renew_deposits", bind=True, ignore_result=True)
def renew_deposits(self, batch_size: int = SWEEP_BATCH) -> dict:
    """Beat: renew card holds before they lapse (~7 days); a full batch re-queues itself."""
    counts = services.deposits_renew_due(limit=batch_size)
    if sum(counts.values()) >= batch_size and not self.request.is_eager:
        renew_deposits.apply_async(kwargs={"batch_size": batch_size})
    return counts


@shared_task(name="payments.refund_order", bind=True, max_retries=8, ignore_result=True)
def refund_order(self, order_id: int) -> int:
    """A cancelled order: refund what was paid, abandon live intents."""
    try:
        return len(services.order_refund_all(order=Order.objects.get(pk=order_id)))
    except PaymentProviderUnavailable as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc


@shared_task(name="payments.refund_invoice_balance", bind=True, max_retries=8, ignore_result=True)
def refund_invoice_balance(self, invoice_id: int) -> int:
    """A final invoice below the provisional one: refund the difference."""
    try:
        return len(services.invoice_refund_balance(invoice=Invoice.objects.get(pk=invoice_id)))
    except PaymentProviderUnavailable as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
