"""The only module that imports `stripe`.

With STRIPE_SECRET_KEY set, it talks to Stripe. Without it, it talks to a local
localstripe server (LOCALSTRIPE_URL) through the same client, so the code paths are the
same in tests, in `make run` and in production.
"""

from dataclasses import dataclass
from functools import cache

import stripe
from django.conf import settings

from marketplace.core.exceptions import DomainError

LOCALSTRIPE_KEY = "sk_test_localstripe"  # noqa: S105 - localstripe accepts any sk_test_ key


class PaymentProviderError(DomainError):
    """Stripe refused or could not be reached; the message is safe to show."""

    code = "payment_provider_error"
    status = 402


class PaymentProviderUnavailable(PaymentProviderError):
    """A transient failure: network or Stripe's own 5xx. Tasks retry these."""

    code = "payment_provider_unavailable"
    status = 503


class InvalidWebhook(DomainError):
    code = "invalid_webhook"
    status = 400


@dataclass(frozen=True)
class Intent:
    """What we keep of a PaymentIntent; Stripe objects never leave this module."""

    id: str
    status: str
    amount_minor: int
    amount_received_minor: int
    currency: str
    capture_method: str
    client_secret: str | None
    metadata: dict


def uses_localstripe() -> bool:
    return not settings.STRIPE_SECRET_KEY


def publishable_key() -> str:
    """For Stripe.js in the browser; empty on localstripe (no browser confirmation there)."""
    return "" if uses_localstripe() else settings.STRIPE_PUBLISHABLE_KEY


@cache
def _client() -> stripe.StripeClient:
    if uses_localstripe():
        return stripe.StripeClient(
            LOCALSTRIPE_KEY,
            base_addresses={"api": settings.LOCALSTRIPE_URL},
            max_network_retries=2,
        )
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2)


def _intent(obj) -> Intent:
    data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    return Intent(
        id=data["id"],
        status=data["status"],
        amount_minor=int(data["amount"]),
        amount_received_minor=int(data.get("amount_received") or 0),
        currency=str(data["currency"]).upper(),
        capture_method=data.get("capture_method") or "automatic",
        client_secret=data.get("client_secret"),
        metadata=dict(data.get("metadata") or {}),
    )


def _call(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except (stripe.APIConnectionError, stripe.RateLimitError) as error:
        raise PaymentProviderUnavailable(str(error.user_message or error)) from error
    except stripe.APIError as error:
        raise PaymentProviderUnavailable(str(error.user_message or error)) from error
    except stripe.StripeError as error:
        raise PaymentProviderError(str(error.user_message or error)) from error


def create_card_payment_method(*, number: str, exp_month: int, exp_year: int, cvc: str) -> str:
    """Only for localstripe and tests: real card data never reaches our server with Stripe."""
    if not uses_localstripe():
        raise PaymentProviderError("Card details are collected by Stripe.js, not by the server.")
    card = {"number": number, "exp_month": exp_month, "exp_year": exp_year, "cvc": cvc}
    method = _call(_client().v1.payment_methods.create, params={"type": "card", "card": card})
    return method.id


def create_intent(
    *,
    amount_minor: int,
    currency: str,
    idempotency_key: str,
    manual_capture: bool,
    metadata: dict[str, str],
    payment_method: str | None = None,
) -> Intent:
    params: dict = {
        "amount": amount_minor,
        "currency": currency.lower(),
        "capture_method": "manual" if manual_capture else "automatic",
        "metadata": metadata,
    }
    if payment_method:
        params.update(payment_method=payment_method, confirm=True)
    created = _call(
        _client().v1.payment_intents.create,
        params=params,
        options={"idempotency_key": idempotency_key},
    )
    return _intent(created)


def retrieve_intent(intent_id: str) -> Intent:
    return _intent(_call(_client().v1.payment_intents.retrieve, intent_id))


def capture_intent(*, intent_id: str, amount_minor: int | None, idempotency_key: str) -> Intent:
    params = {"amount_to_capture": amount_minor} if amount_minor is not None else {}
    captured = _call(
        _client().v1.payment_intents.capture,
        intent_id,
        params=params,
        options={"idempotency_key": idempotency_key},
    )
    return _intent(captured)


def cancel_intent(*, intent_id: str, idempotency_key: str) -> Intent:
    cancelled = _call(
        _client().v1.payment_intents.cancel,
        intent_id,
        options={"idempotency_key": idempotency_key},
    )
    return _intent(cancelled)


def refund(*, intent_id: str, amount_minor: int | None, idempotency_key: str) -> tuple[str, str]:
    """Refund (part of) a paid intent; returns the refund's id and status (``succeeded``,
    ``pending`` until the card network confirms, or ``failed``)."""
    params: dict = {"payment_intent": intent_id}
    if amount_minor is not None:
        params["amount"] = amount_minor
    created = _call(
        _client().v1.refunds.create, params=params, options={"idempotency_key": idempotency_key}
    )
    return created.id, str(getattr(created, "status", None) or "succeeded")


def create_transfer(
    *,
    amount_minor: int,
    currency: str,
    destination: str,
    transfer_group: str,
    idempotency_key: str,
    metadata: dict[str, str],
) -> str:
    """Move a seller's payout to their connected account (separate charges and transfers).

    localstripe has no Connect transfers: callers check `supports_transfers()` first and record
    the payout as paid outside Stripe instead (docs/payments.md, "What localstripe lacks").
    """
    created = _call(
        _client().v1.transfers.create,
        params={
            "amount": amount_minor,
            "currency": currency.lower(),
            "destination": destination,
            "transfer_group": transfer_group,
            "metadata": metadata,
        },
        options={"idempotency_key": idempotency_key},
    )
    return created.id


def supports_transfers() -> bool:
    return not uses_localstripe()


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    created: int
    object: dict


def verify_webhook(*, payload: bytes, signature_header: str | None) -> WebhookEvent:
    """Check Stripe's signature (and its timestamp tolerance) and return the event."""
    try:
        event = stripe.Webhook.construct_event(
            payload, signature_header or "", settings.STRIPE_WEBHOOK_SECRET
        )
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise InvalidWebhook("The webhook signature or payload is invalid.") from error
    data = event.to_dict()
    return WebhookEvent(
        id=data["id"],
        type=data["type"],
        created=int(data["created"]),
        object=data["data"]["object"],
    )


def register_localstripe_webhook(*, url: str) -> None:
    """localstripe delivers signed webhooks only to URLs registered with it."""
    import requests

    response = requests.post(
        f"{settings.LOCALSTRIPE_URL}/_config/webhooks/marketplace",
        data={"url": url, "secret": settings.STRIPE_WEBHOOK_SECRET},
        timeout=5,
    )
    response.raise_for_status()
