"""Payments through the real stripe-python client against localstripe."""

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
import requests
from django.test import override_settings

from marketplace.core.exceptions import DomainError
from marketplace.payments import services
from marketplace.payments.clients import stripe_client
from marketplace.payments.models import Payment, StripeEvent
from marketplace.payments.money import to_minor_units

SECRET = "whsec_test_secret"


def _signed(event: dict, secret: str = SECRET, timestamp: int | None = None) -> tuple[bytes, str]:
    payload = json.dumps(event).encode()
    timestamp = timestamp or int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return payload, f"t={timestamp},v1={digest.hexdigest()}"


def _intent_event(event_id: str, intent_id: str, status: str, created: int) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": "payment_intent."
        + ("succeeded" if status == "succeeded" else "amount_capturable_updated"),
        "created": created,
        "data": {"object": {"id": intent_id, "object": "payment_intent", "status": status}},
    }


def _authorise(buyer, card, reference: str, amount: str):
    """A bidder deposit: authorised on the card, not yet captured."""
    return services.payment_open(
        payer=buyer,
        purpose="deposit",
        reference=reference,
        amount=Decimal(amount),
        currency="JPY",
        manual_capture=True,
        payment_method=card,
    )


def test_yen_has_no_minor_unit_and_dollars_have_cents():
    assert to_minor_units(Decimal("500000"), "JPY") == 500000
    assert to_minor_units(Decimal("12.34"), "USD") == 1234
    with pytest.raises(DomainError):
        to_minor_units(Decimal("0.5"), "JPY")


@pytest.mark.django_db
def test_a_deposit_is_authorised_then_partly_captured(buyer, card):
    deposit = _authorise(buyer, card, "listing:1", "500000")
    assert deposit.status == "requires_capture"

    captured = services.payment_capture(payment=deposit, amount=Decimal("300000"))

    assert captured.status == "succeeded"
    assert stripe_client.retrieve_intent(deposit.stripe_intent_id).status == "succeeded"


@pytest.mark.django_db
def test_a_losing_bidders_deposit_is_released_and_releasing_twice_is_harmless(buyer, card):
    deposit = _authorise(buyer, card, "listing:2", "100000")

    services.payment_cancel(payment=deposit)
    again = services.payment_cancel(payment=deposit)

    assert again.status == "canceled"
    assert stripe_client.retrieve_intent(deposit.stripe_intent_id).status == "canceled"


@pytest.mark.django_db
def test_capturing_a_released_deposit_is_refused(buyer, card):
    deposit = _authorise(buyer, card, "listing:3", "1000")
    services.payment_cancel(payment=deposit)

    with pytest.raises(DomainError, match="Only an authorised payment can be captured"):
        services.payment_capture(payment=deposit)


@pytest.mark.django_db
@override_settings(STRIPE_WEBHOOK_SECRET=SECRET)
def test_webhook_with_a_bad_signature_is_refused_and_nothing_is_stored(client, buyer):
    payload, _ = _signed(_intent_event("evt_1", "pi_1", "succeeded", 100))
    _, forged = _signed(_intent_event("evt_1", "pi_1", "succeeded", 100), secret="whsec_wrong")

    response = client.post(
        "/stripe/webhook/", payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=forged
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_webhook"
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
@override_settings(STRIPE_WEBHOOK_SECRET=SECRET)
def test_duplicate_and_out_of_order_events_leave_the_newest_state(client, buyer):
    payment = Payment.objects.create(
        payer=buyer,
        purpose="deposit",
        reference="listing:4",
        amount=Decimal("1000"),
        currency="JPY",
        manual_capture=True,
        stripe_intent_id="pi_42",
        status="requires_capture",
    )
    newer = _intent_event("evt_new", "pi_42", "succeeded", created=200)
    older = _intent_event("evt_old", "pi_42", "requires_capture", created=100)

    for event in (newer, newer, older):
        payload, signature = _signed(event)
        response = client.post(
            "/stripe/webhook/",
            payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )
        assert response.status_code == 200

    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert sorted(StripeEvent.objects.values_list("event_id", flat=True)) == ["evt_new", "evt_old"]


@pytest.mark.django_db(transaction=True)
def test_localstripe_delivers_a_signed_webhook_that_updates_the_payment(
    live_server, stripe_local, buyer, card
):
    stripe_client.register_localstripe_webhook(url=f"{live_server.url}/stripe/webhook/")
    payment = services.payment_open(
        payer=buyer,
        purpose="order",
        reference="order:1",
        amount=Decimal("250000"),
        currency="JPY",
        manual_capture=False,
        payment_method=card,
    )

    deadline = time.monotonic() + 15
    while (
        time.monotonic() < deadline
        and not StripeEvent.objects.filter(
            type="payment_intent.succeeded", payload__id=payment.stripe_intent_id
        ).exists()
    ):
        time.sleep(0.2)

    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert StripeEvent.objects.filter(payload__id=payment.stripe_intent_id).exists()
    requests.delete(f"{stripe_local}/_config/data", timeout=5)
