"""Payouts: only after compliance approval and the buyer's delivery confirmation, fee per
listing type from fees.yaml; a Stripe transfer where the seller has a connected account."""

import functools
import json
from urllib.parse import parse_qs, urlparse

import pytest
import stripe
from django.db import IntegrityError, transaction
from django.utils import timezone

from compliance.choices import CaseStatus
from marketplace.core.exceptions import ConflictError, PermissionDeniedError
from marketplace.payments import services
from marketplace.payments.clients import stripe_client
from marketplace.payments.models import Payout, SellerPayoutAccount
from marketplace.trading.models import Order
from marketplace.trading.services.orders import order_confirm_delivery
from tests.factories import UserFactory
from tests.payments.support import D, intent_event, order_for, post_event, shipment_case

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("stripe_local"),
    pytest.mark.usefixtures("_webhook_secret"),
]


@pytest.fixture
def _webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"  # noqa: S105


def _paid(client, order, buyer, card, event_id):
    payment = services.order_pay(order=order, user=buyer, payment_method=card)
    post_event(client, intent_event(event_id, payment.stripe_intent_id))
    order.refresh_from_db()
    return order


@pytest.fixture
def korean_buyer(db):
    return UserFactory(username="kr_buyer", organisation__country="KR", role="reuse_maker")


def test_no_payout_before_compliance_approval_even_when_called_directly(
    client, seller, korean_buyer, staff, card
):
    order = order_for(seller, korean_buyer, amount="2000000")
    case = shipment_case(order, status=CaseStatus.AWAITING_OFFICER)
    order = _paid(client, order, korean_buyer, card, "evt_p1")
    assert order.status == "on_hold"
    # Even an order forced past the hold (a bug, a hand edit) is not paid out unapproved.
    Order.objects.filter(pk=order.pk).update(
        status="delivered", delivery_confirmed_at=timezone.now()
    )

    with pytest.raises(services.PayoutNotAllowed, match="compliance shipment case is approved"):
        services.payout_release(order=order, actor=staff)

    assert not Payout.objects.exists()
    order.refresh_from_db()
    assert order.status == "delivered"
    # And the table itself refuses a cross-border payout that names no approved case.
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.create(
            order=order,
            seller_organisation=order.seller_organisation,
            gross=D("2000000"),
            fee=D("80000"),
            net=D("1920000"),
            currency="JPY",
            fee_pct=D("4"),
            fee_rules_version="x",
            method="manual",
            status="recorded",
            cross_border=True,
            compliance_case=None,
            delivery_confirmed_at=timezone.now(),
        )
    assert case.status == CaseStatus.AWAITING_OFFICER


def test_no_payout_before_the_buyer_confirms_delivery(client, seller, buyer, staff, card):
    order = _paid(client, order_for(seller, buyer, amount="2000000"), buyer, card, "evt_p2")
    assert order.status == "released"

    with pytest.raises(services.PayoutNotAllowed, match="confirms delivery"):
        services.payout_release(order=order, actor=staff)

    assert not Payout.objects.exists()


def test_after_approval_and_delivery_the_seller_is_paid_less_the_fee(
    client, seller, korean_buyer, staff, card
):
    order = order_for(seller, korean_buyer, amount="2000000")
    case = shipment_case(order, status=CaseStatus.APPROVED)
    order = _paid(client, order, korean_buyer, card, "evt_p3")
    assert order.status == "released"
    order_confirm_delivery(order=order, user=korean_buyer)

    payout = services.payout_release(order=order, actor=staff)

    # Battery pack: 4.0 % fee (fees.yaml). 2,000,000 × 4 % = 80,000; net 1,920,000 JPY.
    assert (payout.gross, payout.fee, payout.net, payout.fee_pct) == (
        D("2000000"),
        D("80000"),
        D("1920000"),
        D("4.0"),
    )
    # localstripe has no Connect transfers: the payout is recorded for a bank transfer.
    assert (payout.method, payout.status, payout.stripe_transfer_id) == ("manual", "recorded", None)
    assert payout.compliance_case_id == case.pk
    order.refresh_from_db()
    assert order.status == "settled"
    with pytest.raises(ConflictError):
        services.payout_release(order=order, actor=staff)
    assert Payout.objects.count() == 1


def test_the_fee_rounds_to_whole_yen(client, seller, buyer, staff, card):
    # 1,234,567 × 4 % = 49,382.68 → 49,383 JPY fee; net 1,185,184 JPY.
    order = _paid(client, order_for(seller, buyer, amount="1234567"), buyer, card, "evt_p4")
    order_confirm_delivery(order=order, user=buyer)

    payout = services.payout_release(order=order, actor=staff)

    assert (payout.fee, payout.net) == (D("49383"), D("1185184"))


def test_only_staff_release_payouts(client, seller, buyer, card):
    order = _paid(client, order_for(seller, buyer, amount="300000"), buyer, card, "evt_p5")
    order_confirm_delivery(order=order, user=buyer)
    with pytest.raises(PermissionDeniedError):
        services.payout_release(order=order, actor=seller)
    assert not Payout.objects.exists()


class RecordingHttpClient(stripe.HTTPClient):
    """Stands in for Stripe's servers: records each request and answers like the Transfers API.

    localstripe has no /v1/transfers, so this path is checked against the request the real
    stripe-python client sends."""

    name = "recording"

    def __init__(self):
        super().__init__()
        self.requests = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.requests.append({"method": method, "url": url, "headers": headers, "body": post_data})
        body = {"id": "tr_test_123", "object": "transfer", "amount": 1920000, "currency": "jpy"}
        return json.dumps(body), 200, {"request-id": "req_test"}

    def close(self):
        pass


def test_with_real_stripe_and_a_connected_account_the_payout_is_a_transfer(
    client, seller, buyer, staff, card, monkeypatch, settings
):
    order = _paid(client, order_for(seller, buyer, amount="2000000"), buyer, card, "evt_p6")
    order_confirm_delivery(order=order, user=buyer)
    SellerPayoutAccount.objects.create(
        organisation=seller.organisation, stripe_account_id="acct_seller_1"
    )
    recorder = RecordingHttpClient()
    settings.STRIPE_SECRET_KEY = "sk_test_real_key_shape"  # noqa: S105
    # The same stripe-python client the module builds for a real key, with our transport.
    monkeypatch.setattr(
        stripe_client,
        "_client",
        functools.cache(
            lambda: stripe.StripeClient("sk_test_real_key_shape", http_client=recorder)
        ),
    )

    payout = services.payout_release(order=order, actor=staff)

    assert (payout.method, payout.status, payout.stripe_transfer_id) == (
        "stripe_transfer",
        "transferred",
        "tr_test_123",
    )
    (sent,) = recorder.requests
    assert sent["method"] == "post"
    assert urlparse(sent["url"]).path == "/v1/transfers"
    assert parse_qs(sent["body"]) == {
        "amount": ["1920000"],
        "currency": ["jpy"],
        "destination": ["acct_seller_1"],
        "transfer_group": [f"order-{order.pk}"],
        "metadata[payout_id]": [str(payout.pk)],
        "metadata[order_id]": [str(order.pk)],
    }
    assert sent["headers"]["Idempotency-Key"] == f"payout-{payout.pk}-transfer"
