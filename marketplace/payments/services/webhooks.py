"""Stripe webhooks: verify, store each event once, apply it in the same transaction.

Events can arrive twice or out of order. The StripeEvent row (unique event id) and the
handler's writes commit together, so a replay finds the row and changes nothing; an older
event never overwrites the effect of a newer one. Handlers only write rows: anything slow goes
through the outbox, so Stripe gets its answer quickly.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from marketplace.core import outbox
from marketplace.payments.choices import (
    FINAL_STATUSES,
    PaymentPurpose,
    PaymentStatus,
    RefundStatus,
)
from marketplace.payments.clients import stripe_client
from marketplace.payments.models import Payment, Refund, StripeEvent
from marketplace.payments.money import from_minor_units
from marketplace.payments.services.settlement import order_payment_recorded
from marketplace.trading.choices import OrderStatus


def _apply_intent_status(intent: dict, event_created: int) -> None:
    """Move our Payment to the intent's status unless a newer event already did; a payment
    that completes an order moves the order to PAID in the same transaction."""
    payment = Payment.objects.select_for_update().filter(stripe_intent_id=intent["id"]).first()
    if payment is None:
        return  # not ours (another integration on the same Stripe account)
    if payment.status in FINAL_STATUSES and intent["status"] not in FINAL_STATUSES:
        return
    if event_created < payment.status_event_created:
        return
    updates: dict = {"status": intent["status"], "status_event_created": event_created}
    if intent["status"] == PaymentStatus.REQUIRES_CAPTURE and payment.authorised_at is None:
        updates["authorised_at"] = timezone.now()
    if intent["status"] == PaymentStatus.SUCCEEDED:
        received_minor = intent.get("amount_received")
        updates["amount_received"] = (
            from_minor_units(int(received_minor), payment.currency)
            if received_minor
            else payment.amount_received or payment.amount
        )
    Payment.objects.filter(pk=payment.pk).update(**updates)
    if intent["status"] != PaymentStatus.SUCCEEDED or payment.order_id is None:
        return
    order = payment.order
    if order.status == OrderStatus.CANCELLED:
        # Paid after the cancellation (a confirmation already under way): give it back.
        outbox.enqueue("payments.refund_order", order_id=order.pk)
    elif payment.purpose in (PaymentPurpose.ORDER, PaymentPurpose.DEPOSIT):
        order_payment_recorded(order=order, reason=f"payment {payment.pk} received")


def _apply_refund_status(refund: dict, event_created: int) -> None:
    """A refund Stripe reported pending has succeeded or failed (real Stripe; localstripe
    answers refunds at once)."""
    status = {"succeeded": RefundStatus.SUCCEEDED, "failed": RefundStatus.FAILED}.get(
        refund.get("status")
    )
    if status is not None:
        Refund.objects.filter(stripe_refund_id=refund["id"], status=RefundStatus.PENDING).update(
            status=status, error=refund.get("failure_reason") or ""
        )


WEBHOOK_HANDLERS = {
    "payment_intent.succeeded": _apply_intent_status,
    "payment_intent.canceled": _apply_intent_status,
    "payment_intent.amount_capturable_updated": _apply_intent_status,
    "payment_intent.payment_failed": _apply_intent_status,
    "payment_intent.processing": _apply_intent_status,
    "refund.updated": _apply_refund_status,
}


def webhook_receive(*, payload: bytes, signature_header: str | None) -> bool:
    """Verify, store once and apply. Returns False for a duplicate delivery."""
    event = stripe_client.verify_webhook(payload=payload, signature_header=signature_header)
    with transaction.atomic():
        _, created = StripeEvent.objects.get_or_create(
            event_id=event.id,
            defaults={"type": event.type, "stripe_created": event.created, "payload": event.object},
        )
        if created and (handler := WEBHOOK_HANDLERS.get(event.type)):
            handler(event.object, event.created)
    return created
