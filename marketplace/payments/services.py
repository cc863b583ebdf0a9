"""Payments through Stripe: open, capture, cancel, refund, and apply webhook events."""

from decimal import Decimal

from django.db import transaction

from marketplace.accounts.models import User
from marketplace.core.exceptions import DomainError
from marketplace.payments.choices import FINAL_STATUSES, PaymentStatus
from marketplace.payments.clients import stripe_client
from marketplace.payments.models import Payment, StripeEvent
from marketplace.payments.money import to_minor_units


def payment_open(
    *,
    payer: User,
    purpose: str,
    reference: str,
    amount: Decimal,
    currency: str,
    manual_capture: bool,
    payment_method: str | None = None,
) -> Payment:
    """Record the payment first, then create its PaymentIntent keyed by our row.

    The idempotency key is our primary key, so a retry after a lost response gets the same
    intent from Stripe rather than a second charge.
    """
    if amount <= 0:
        raise DomainError("A payment must be for a positive amount.", fields={"amount": ["> 0"]})
    payment = Payment.objects.create(
        payer=payer,
        purpose=purpose,
        reference=reference,
        amount=amount,
        currency=currency,
        manual_capture=manual_capture,
    )
    intent = stripe_client.create_intent(
        amount_minor=to_minor_units(amount, currency),
        currency=currency,
        idempotency_key=f"payment-{payment.pk}-create",
        manual_capture=manual_capture,
        metadata={"payment_id": str(payment.pk), "purpose": purpose, "reference": reference},
        payment_method=payment_method,
    )
    Payment.objects.filter(pk=payment.pk).update(stripe_intent_id=intent.id, status=intent.status)
    payment.refresh_from_db()
    return payment


def payment_capture(*, payment: Payment, amount: Decimal | None = None) -> Payment:
    if payment.status != PaymentStatus.REQUIRES_CAPTURE:
        raise DomainError("Only an authorised payment can be captured.")
    minor = to_minor_units(amount, payment.currency) if amount is not None else None
    intent = stripe_client.capture_intent(
        intent_id=payment.stripe_intent_id,
        amount_minor=minor,
        idempotency_key=f"payment-{payment.pk}-capture",
    )
    Payment.objects.filter(pk=payment.pk).update(status=intent.status)
    payment.refresh_from_db()
    return payment


def payment_cancel(*, payment: Payment) -> Payment:
    if payment.status in FINAL_STATUSES:
        return payment  # releasing twice is a no-op, not an error
    intent = stripe_client.cancel_intent(
        intent_id=payment.stripe_intent_id, idempotency_key=f"payment-{payment.pk}-cancel"
    )
    Payment.objects.filter(pk=payment.pk).update(status=intent.status)
    payment.refresh_from_db()
    return payment


# --- Webhooks -------------------------------------------------------------------------


def _apply_intent_status(intent: dict, event_created: int) -> None:
    """Move our Payment to the intent's status unless a newer event already did.

    Events can arrive twice or out of order. A final status (paid, cancelled) is kept; an
    older event never overwrites a newer one.
    """
    payment = Payment.objects.select_for_update().filter(stripe_intent_id=intent["id"]).first()
    if payment is None:
        return  # not ours (another integration on the same Stripe account)
    if payment.status in FINAL_STATUSES and intent["status"] not in FINAL_STATUSES:
        return
    if event_created < payment.status_event_created:
        return
    Payment.objects.filter(pk=payment.pk).update(
        status=intent["status"], status_event_created=event_created
    )


WEBHOOK_HANDLERS = {
    "payment_intent.succeeded": _apply_intent_status,
    "payment_intent.canceled": _apply_intent_status,
    "payment_intent.amount_capturable_updated": _apply_intent_status,
    "payment_intent.payment_failed": _apply_intent_status,
    "payment_intent.processing": _apply_intent_status,
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
