"""Payments through Stripe: open, capture, cancel and refund one PaymentIntent.

Each function records our row first and keys the Stripe call by it (the idempotency key), so a
retry after a lost response finds the same intent or refund instead of moving money twice.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import Organisation, User
from marketplace.core.exceptions import DomainError
from marketplace.payments.choices import FINAL_STATUSES, PaymentStatus, RefundStatus
from marketplace.payments.clients import stripe_client
from marketplace.payments.models import Payment, Refund
from marketplace.payments.money import from_minor_units, to_minor_units


def payment_open(
    *,
    payer: User,
    purpose: str,
    reference: str,
    amount: Decimal,
    currency: str,
    manual_capture: bool,
    payment_method: str | None = None,
    sale=None,
    order=None,
    invoice=None,
    organisation: Organisation | None = None,
) -> Payment:
    """Record the payment first, then create its PaymentIntent keyed by our row.

    With a payment method the intent is confirmed at once (server-side, as in tests and
    localstripe); without one it waits for Stripe.js to confirm it with the returned
    ``client_secret`` (set on the returned object, never stored).
    """
    if amount <= 0:
        raise DomainError(_("A payment must be for a positive amount."), fields={"amount": ["> 0"]})
    payment = Payment.objects.create(
        payer=payer,
        purpose=purpose,
        reference=reference,
        amount=amount,
        currency=currency,
        manual_capture=manual_capture,
        sale=sale,
        order=order,
        invoice=invoice,
        organisation=organisation,
        payment_method_id=payment_method or "",
    )
    intent = stripe_client.create_intent(
        amount_minor=to_minor_units(amount, currency),
        currency=currency,
        idempotency_key=f"payment-{payment.pk}-create",
        manual_capture=manual_capture,
        metadata={"payment_id": str(payment.pk), "purpose": purpose, "reference": reference},
        payment_method=payment_method,
    )
    updates: dict = {"stripe_intent_id": intent.id, "status": intent.status}
    if intent.status == PaymentStatus.REQUIRES_CAPTURE:
        updates["authorised_at"] = timezone.now()
    if intent.status == PaymentStatus.SUCCEEDED:
        # Paid at once (no manual capture): all of it arrived. localstripe omits
        # amount_received; without the fallback the payment would read "paid, 0" until the
        # webhook, and a payout released in that gap would leave it out.
        updates["amount_received"] = (
            from_minor_units(intent.amount_received_minor, currency) or amount
        )
    Payment.objects.filter(pk=payment.pk).update(**updates)
    payment.refresh_from_db()
    payment.client_secret = intent.client_secret
    return payment


def payment_capture(*, payment: Payment, amount: Decimal | None = None) -> Payment:
    """Capture an authorised payment, all of it or ``amount`` (Stripe captures once)."""
    if payment.status != PaymentStatus.REQUIRES_CAPTURE:
        raise DomainError(_("Only an authorised payment can be captured."))
    minor = to_minor_units(amount, payment.currency) if amount is not None else None
    intent = stripe_client.capture_intent(
        intent_id=payment.stripe_intent_id,
        amount_minor=minor,
        idempotency_key=f"payment-{payment.pk}-capture",
    )
    received = from_minor_units(intent.amount_received_minor, payment.currency) or (
        amount if amount is not None else payment.amount
    )
    Payment.objects.filter(pk=payment.pk).update(status=intent.status, amount_received=received)
    payment.refresh_from_db()
    return payment


def payment_cancel(*, payment: Payment) -> Payment:
    """Release an authorisation or abandon an unpaid intent. Cancelling twice is a no-op."""
    if payment.status in FINAL_STATUSES or not payment.stripe_intent_id:
        return payment
    intent = stripe_client.cancel_intent(
        intent_id=payment.stripe_intent_id, idempotency_key=f"payment-{payment.pk}-cancel"
    )
    Payment.objects.filter(pk=payment.pk).update(status=intent.status)
    payment.refresh_from_db()
    return payment


def payment_refund(
    *, payment: Payment, amount: Decimal, reason: str, actor: User | None = None
) -> Refund:
    """Refund ``amount`` of a received payment, once per payment and reason.

    The Refund row is written (and committed) before Stripe is called: a retry finds it and
    re-sends with the same idempotency key; a Stripe refusal is kept on the row as FAILED.
    """
    if payment.status != PaymentStatus.SUCCEEDED or payment.order_id is None:
        raise DomainError(_("Only a received order payment can be refunded."))
    refund = Refund.objects.filter(payment=payment, reason=reason).first()
    if refund is None:
        refunded = sum(
            (r.amount for r in payment.refunds.exclude(status=RefundStatus.FAILED)), Decimal(0)
        )
        if amount <= 0 or amount > payment.amount_received - refunded:
            raise DomainError(
                _("A refund must be above zero and at most what is left of the payment."),
                fields={"amount": [str(payment.amount_received - refunded)]},
            )
        try:
            with transaction.atomic():
                refund = Refund.objects.create(
                    payment=payment,
                    order_id=payment.order_id,
                    reason=reason,
                    amount=amount,
                    currency=payment.currency,
                    requested_by=actor,
                )
        except IntegrityError:  # a concurrent run created it: retry that one
            refund = Refund.objects.get(payment=payment, reason=reason)
    if refund.status == RefundStatus.SUCCEEDED or refund.stripe_refund_id:
        return refund  # done, or sent and awaiting Stripe's refund.updated
    try:
        refund_id, stripe_status = stripe_client.refund(
            intent_id=payment.stripe_intent_id,
            amount_minor=to_minor_units(refund.amount, refund.currency),
            idempotency_key=f"refund-{refund.pk}",
        )
    except stripe_client.PaymentProviderUnavailable:
        raise  # transient: the task retries with the same row and key
    except stripe_client.PaymentProviderError as error:
        Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.FAILED, error=error.message)
        refund.refresh_from_db()
        return refund
    status = {"succeeded": RefundStatus.SUCCEEDED, "failed": RefundStatus.FAILED}.get(
        stripe_status, RefundStatus.PENDING
    )
    Refund.objects.filter(pk=refund.pk).update(status=status, stripe_refund_id=refund_id, error="")
    refund.refresh_from_db()
    return refund
