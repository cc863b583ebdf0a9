"""Paying an order: what is due, what has arrived, the move to PAID, refunds on cancellation.

An order is due its award amount; a black-mass order settled on assays is due its provisional
invoice first (invoices.py) and the final balance later. A captured deposit of the winner counts
towards the order. When what has arrived covers what is due, the order moves to PAID in the
same transaction as the payment record that completed it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.exceptions import (
    ConflictError,
    DomainError,
    InvalidTransition,
    PermissionDeniedError,
)
from marketplace.payments.choices import (
    FINAL_STATUSES,
    LIVE_STATUSES,
    InvoiceKind,
    PaymentPurpose,
    PaymentStatus,
    RefundReason,
    RefundStatus,
)
from marketplace.payments.models import Invoice, Payment, Refund
from marketplace.payments.services.payments import payment_cancel, payment_open, payment_refund
from marketplace.trading.choices import OrderStatus
from marketplace.trading.models import Order
from marketplace.trading.services.orders import order_mark_paid

# Payments that pay the order itself (an invoice balance is settled separately).
_ORDER_PURPOSES = (PaymentPurpose.ORDER, PaymentPurpose.DEPOSIT)


def order_amount_due(order: Order) -> Decimal:
    """What the buyer must pay before the order counts as paid."""
    provisional = Invoice.objects.filter(order=order, kind=InvoiceKind.PROVISIONAL).first()
    if provisional is not None:
        return Decimal(provisional.amount_due_jpy)
    return order.amount


def order_amount_paid(order: Order) -> Decimal:
    """Received towards the order (order payments and the applied deposit), before refunds."""
    total = Payment.objects.filter(
        order=order, purpose__in=_ORDER_PURPOSES, status=PaymentStatus.SUCCEEDED
    ).aggregate(total=Sum("amount_received"))["total"]
    return total or Decimal(0)


def order_collected(order: Order) -> Decimal:
    """Everything the platform holds for the order: all received payments less refunds."""
    received = Payment.objects.filter(order=order, status=PaymentStatus.SUCCEEDED).aggregate(
        total=Sum("amount_received")
    )["total"] or Decimal(0)
    refunded = Refund.objects.filter(order=order, status=RefundStatus.SUCCEEDED).aggregate(
        total=Sum("amount")
    )["total"] or Decimal(0)
    return received - refunded


def order_payment_recorded(*, order: Order, reason: str) -> Order:
    """Move the order to PAID if what has arrived covers what is due. Idempotent."""
    if order.status != OrderStatus.CREATED:
        return order
    if order_amount_paid(order) < order_amount_due(order):
        return order
    return order_mark_paid(order=order, reason=reason)


def ensure_buyer(*, user: User, order: Order) -> None:
    if not user.is_authenticated or user.organisation_id != order.buyer_organisation_id:
        raise PermissionDeniedError(_("Only the buying organisation can pay this order."))


def order_pay(*, order: Order, user: User, payment_method: str | None = None) -> Payment:
    """Open the PaymentIntent for what is left to pay (a captured deposit counts).

    Returns the Payment with ``client_secret`` for Stripe.js; with a payment method it is
    confirmed at once. The order moves to PAID when Stripe's webhook reports the money
    (``payment_intent.succeeded``), not when this returns.
    """
    from marketplace.payments.services.invoices import (
        invoice_issue_provisional,
        order_settles_on_assay,
    )

    ensure_buyer(user=user, order=order)
    if order.status != OrderStatus.CREATED:
        raise InvalidTransition(_("This order is not awaiting payment."))
    if order_settles_on_assay(order):
        invoice_issue_provisional(order=order, actor=None)
    # One open intent per order: a second one could also be paid and charge the buyer twice.
    # One already with Stripe (processing) must finish first; one never completed (no card,
    # a declined card) is abandoned for the new attempt.
    for earlier in Payment.objects.filter(order=order, purpose=PaymentPurpose.ORDER).exclude(
        status__in=FINAL_STATUSES
    ):
        if earlier.status == PaymentStatus.PROCESSING:
            raise ConflictError(_("A payment of this order is being processed; wait for it."))
        payment_cancel(payment=earlier)
    remaining = order_amount_due(order) - order_amount_paid(order)
    if remaining <= 0:
        raise DomainError(_("Nothing is left to pay on this order."))
    return payment_open(
        payer=user,
        purpose=PaymentPurpose.ORDER,
        reference=f"order:{order.pk}",
        amount=remaining,
        currency=order.currency,
        manual_capture=False,
        payment_method=payment_method,
        order=order,
        organisation=order.buyer_organisation,
    )


def order_refund_all(*, order: Order, actor: User | None = None) -> list[Refund]:
    """A cancelled order: refund every received payment in full and abandon live intents.

    The target of `payments.refund_order`; safe to run again (one refund per payment).
    """
    order.refresh_from_db()
    if order.status != OrderStatus.CANCELLED:
        raise InvalidTransition(_("Only a cancelled order is refunded in full."))
    for live in Payment.objects.filter(order=order, status__in=LIVE_STATUSES):
        payment_cancel(payment=live)
    refunds = []
    for payment in Payment.objects.filter(order=order, status=PaymentStatus.SUCCEEDED):
        # A settlement refund already given back part of it; the rest goes back now.
        other = (
            Refund.objects.filter(payment=payment)
            .exclude(reason=RefundReason.CANCELLATION)
            .exclude(status=RefundStatus.FAILED)
        )
        left = payment.amount_received - sum((r.amount for r in other), Decimal(0))
        if left > 0:
            refunds.append(
                payment_refund(
                    payment=payment, amount=left, reason=RefundReason.CANCELLATION, actor=actor
                )
            )
    return refunds
