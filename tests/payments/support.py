"""Set-up shared by the payments tests: signed webhooks, orders in each state, worked lots."""

import hashlib
import hmac
import json
import time
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from compliance.models import ShipmentCase
from marketplace.catalog.choices import SaleFormat
from marketplace.payments.clients import stripe_client
from marketplace.trading import services as trading_services
from marketplace.trading.choices import OrderOrigin, SaleStatus
from marketplace.trading.models import Order, Sale
from marketplace.trading.services.sales import award
from tests.catalog.factories import ListingFactory
from tests.trading.sale_support import T0

SECRET = "whsec_test_secret"
D = Decimal


def signed(event: dict, secret: str = SECRET) -> tuple[bytes, str]:
    payload = json.dumps(event).encode()
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return payload, f"t={timestamp},v1={digest.hexdigest()}"


def intent_event(event_id: str, intent_id: str, *, created: int | None = None) -> dict:
    """A `payment_intent.<status>` event carrying the intent as localstripe holds it now."""
    intent = stripe_client.retrieve_intent(intent_id)
    kind = {"requires_capture": "amount_capturable_updated"}.get(intent.status, intent.status)
    return {
        "id": event_id,
        "object": "event",
        "type": f"payment_intent.{kind}",
        "created": created or int(time.time()),
        "data": {
            "object": {
                "id": intent.id,
                "object": "payment_intent",
                "status": intent.status,
                "amount": intent.amount_minor,
                "amount_received": intent.amount_received_minor,
                "currency": intent.currency.lower(),
            }
        },
    }


def post_event(client, event: dict, secret: str = SECRET):
    payload, signature = signed(event, secret)
    return client.post(
        "/stripe/webhook/",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )


def order_for(seller, buyer, *, amount: str = "2000000", **listing) -> Order:
    """An awarded fixed-price sale (bought now at ``amount``), without running its hooks."""
    item = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        sale_format=SaleFormat.FIXED_PRICE,
        price=D(amount),
        **listing,
    )
    sale = trading_services.sale_open(
        listing=item, actor=seller, ends_at=T0 + timedelta(days=2), now=T0
    )
    with transaction.atomic():
        locked = Sale.objects.select_for_update().select_related("listing").get(pk=sale.pk)
        return award(
            sale=locked,
            from_status=SaleStatus.OPEN,
            buyer_organisation=buyer.organisation,
            amount=D(amount),
            origin=OrderOrigin.BUY_NOW,
            actor=buyer,
            now=timezone.now(),
        )


def shipment_case(order: Order, *, status: str, reason: str = "") -> ShipmentCase:
    """The order's compliance case, opened by compliance itself, then put in ``status``
    (the officer's decision is compliance's business; payments only reads the outcome)."""
    from marketplace.trading.services.sales import order_open_shipment_case

    case = order_open_shipment_case(order=order)
    ShipmentCase.objects.filter(pk=case.pk).update(status=status, decision_reason=reason)
    case.refresh_from_db()
    return case
