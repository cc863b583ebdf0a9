"""Orders move on Stripe's webhooks: paid, held by compliance or released, delivered, cancelled
and refunded. Money through the real stripe-python client against localstripe."""

import time

import pytest
import requests
from django.test import override_settings

from compliance.choices import CaseStatus
from marketplace.core.exceptions import InvalidTransition, PermissionDeniedError
from marketplace.payments import services
from marketplace.payments.clients import stripe_client
from marketplace.payments.models import Payment, Refund, StripeEvent
from marketplace.payments.tasks import order_clearance_changed
from marketplace.trading.models import Order, OrderEvent
from marketplace.trading.services.orders import order_cancel, order_confirm_delivery
from tests.factories import UserFactory
from tests.payments.support import D, intent_event, order_for, post_event, shipment_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_local")]


def _moves(order) -> list[tuple[str, str]]:
    return list(OrderEvent.objects.filter(order=order).values_list("from_status", "to_status"))


@pytest.fixture
def korean_buyer(db):
    return UserFactory(username="kr_buyer", organisation__country="KR", role="reuse_maker")


@override_settings(STRIPE_WEBHOOK_SECRET="whsec_test_secret")
def test_an_order_is_paid_through_the_webhook_and_a_domestic_one_is_released(
    client, seller, buyer, card
):
    order = order_for(seller, buyer, amount="300000")
    payment = services.order_pay(order=order, user=buyer, payment_method=card)
    # Paid at once: all of it arrived (localstripe's reply omits amount_received).
    assert (payment.amount, payment.status, payment.amount_received) == (
        D("300000"),
        "succeeded",
        D("300000"),
    )
    order.refresh_from_db()
    assert order.status == "created"  # the intent's answer is not proof; the webhook is

    response = post_event(client, intent_event("evt_paid_1", payment.stripe_intent_id))

    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}
    order.refresh_from_db()
    assert order.status == "released"
    assert _moves(order) == [("", "created"), ("created", "paid"), ("paid", "released")]
    assert services.order_collected(order) == D("300000")


@override_settings(STRIPE_WEBHOOK_SECRET="whsec_test_secret")
def test_a_replayed_webhook_changes_nothing(client, seller, buyer, card):
    order = order_for(seller, buyer, amount="300000")
    payment = services.order_pay(order=order, user=buyer, payment_method=card)
    event = intent_event("evt_paid_2", payment.stripe_intent_id)
    post_event(client, event)
    before = (_moves(order), list(Payment.objects.values_list("pk", "status", "amount_received")))

    response = post_event(client, event)

    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": True}
    after = (_moves(order), list(Payment.objects.values_list("pk", "status", "amount_received")))
    assert after == before
    assert StripeEvent.objects.filter(event_id="evt_paid_2").count() == 1


@override_settings(STRIPE_WEBHOOK_SECRET="whsec_test_secret")
def test_a_forged_signature_is_rejected_with_400_and_changes_nothing(client, seller, buyer, card):
    order = order_for(seller, buyer, amount="300000")
    payment = services.order_pay(order=order, user=buyer, payment_method=card)
    Payment.objects.filter(pk=payment.pk).update(status="processing")

    response = post_event(
        client, intent_event("evt_forged", payment.stripe_intent_id), secret="whsec_attacker"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_webhook"
    assert not StripeEvent.objects.exists()
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == ("created", "processing")
    assert _moves(order) == [("", "created")]


@override_settings(STRIPE_WEBHOOK_SECRET="whsec_test_secret")
def test_an_older_event_arriving_after_payment_does_not_unpay_the_order(
    client, seller, buyer, card
):
    order = order_for(seller, buyer, amount="300000")
    payment = services.order_pay(order=order, user=buyer, payment_method=card)
    paid = intent_event("evt_new", payment.stripe_intent_id, created=2_000_000_000)
    stale = {**paid, "id": "evt_old", "type": "payment_intent.processing", "created": 1_000}
    stale["data"] = {"object": {**paid["data"]["object"], "status": "processing"}}

    post_event(client, paid)
    post_event(client, stale)

    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, order.status) == ("succeeded", "released")


@override_settings(STRIPE_WEBHOOK_SECRET="whsec_test_secret")
def test_a_cross_border_order_waits_on_hold_until_its_case_is_approved(
    client, seller, korean_buyer, card
):
    order = order_for(seller, korean_buyer, amount="300000")
    assert order.cross_border
    case = shipment_case(order, status=CaseStatus.AWAITING_OFFICER)
    payment = services.order_pay(order=order, user=korean_buyer, payment_method=card)
    post_event(client, intent_event("evt_kr", payment.stripe_intent_id))
    order.refresh_from_db()
    assert order.status == "on_hold"

    # Compliance enqueues this when an officer decides; an undecided case keeps the hold.
    assert order_clearance_changed(order_id=order.pk) == "on_hold"
    case.status = CaseStatus.APPROVED
    case.save(update_fields=["status"])
    assert order_clearance_changed(order_id=order.pk) == "released"
    assert order_clearance_changed(order_id=order.pk) == "released"  # twice is harmless

    assert _moves(order) == [
        ("", "created"),
        ("created", "paid"),
        ("paid", "on_hold"),
        ("on_hold", "released"),
    ]


@override_settings(STRIPE_WEBHOOK_SECRET="whsec_test_secret")
def test_a_rejected_case_keeps_the_order_on_hold_with_the_reason(
    client, seller, korean_buyer, card
):
    order = order_for(seller, korean_buyer, amount="300000")
    case = shipment_case(order, status=CaseStatus.AWAITING_OFFICER)
    payment = services.order_pay(order=order, user=korean_buyer, payment_method=card)
    post_event(client, intent_event("evt_kr2", payment.stripe_intent_id))
    case.status, case.decision_reason = CaseStatus.REJECTED, "No import consent from KR."
    case.save(update_fields=["status", "decision_reason"])

    order_clearance_changed(order_id=order.pk)
    order_clearance_changed(order_id=order.pk)

    order.refresh_from_db()
    assert order.status == "on_hold"
    notes = OrderEvent.objects.filter(order=order, to_status="on_hold").values_list(
        "reason", flat=True
    )
    assert list(notes)[-1] == f"compliance case {case.pk} is rejected: No import consent from KR."
    assert len(notes) == 2  # the move to on_hold, and the rejection noted once


@override_settings(STRIPE_WEBHOOK_SECRET="whsec_test_secret")
def test_only_the_buyer_confirms_delivery_and_only_once_released(
    client, seller, buyer, outsider, card
):
    order = order_for(seller, buyer, amount="300000")
    with pytest.raises(InvalidTransition):
        order_confirm_delivery(order=order, user=buyer)  # not paid yet
    payment = services.order_pay(order=order, user=buyer, payment_method=card)
    post_event(client, intent_event("evt_d", payment.stripe_intent_id))
    with pytest.raises(PermissionDeniedError):
        order_confirm_delivery(order=order, user=seller)
    with pytest.raises(PermissionDeniedError):
        order_confirm_delivery(order=order, user=outsider)

    delivered = order_confirm_delivery(order=Order.objects.get(pk=order.pk), user=buyer)

    assert delivered.status == "delivered"
    assert delivered.delivery_confirmed_at is not None


@override_settings(STRIPE_WEBHOOK_SECRET="whsec_test_secret")
def test_cancelling_a_paid_order_refunds_it_in_full(
    client, seller, buyer, staff, card, django_capture_on_commit_callbacks
):
    order = order_for(seller, buyer, amount="300000")
    payment = services.order_pay(order=order, user=buyer, payment_method=card)
    post_event(client, intent_event("evt_c", payment.stripe_intent_id))

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=staff, reason="Seller cannot deliver.")

    refund = Refund.objects.get()
    assert (refund.payment_id, refund.amount, refund.status, refund.reason) == (
        payment.pk,
        D("300000"),
        "succeeded",
        "cancellation",
    )
    assert refund.stripe_refund_id.startswith("re_")
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert services.order_collected(order) == D("0")
    # Running the refund task again refunds nothing more.
    assert services.order_refund_all(order=order)[0].pk == refund.pk
    assert Refund.objects.count() == 1


def test_only_staff_cancel_orders(seller, buyer):
    order = order_for(seller, buyer, amount="300000")
    with pytest.raises(PermissionDeniedError):
        order_cancel(order=order, actor=buyer, reason="changed my mind")
    order.refresh_from_db()
    assert order.status == "created"


@pytest.mark.django_db(transaction=True)
def test_localstripe_delivers_the_signed_webhook_that_marks_the_order_paid(
    live_server, stripe_local, seller, buyer, card
):
    stripe_client.register_localstripe_webhook(url=f"{live_server.url}/stripe/webhook/")
    order = order_for(seller, buyer, amount="250000")

    payment = services.order_pay(order=order, user=buyer, payment_method=card)

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        order.refresh_from_db()
        if order.status == "released":
            break
        time.sleep(0.2)
    assert order.status == "released"
    assert StripeEvent.objects.filter(
        type="payment_intent.succeeded", payload__id=payment.stripe_intent_id
    ).exists()
    requests.delete(f"{stripe_local}/_config/data", timeout=5)


def test_paying_again_abandons_the_unfinished_intent_so_nobody_pays_twice(seller, buyer, card):
    order = order_for(seller, buyer, amount="300000")
    first = services.order_pay(order=order, user=buyer)  # for Stripe.js, never confirmed
    assert first.status == "requires_payment_method"

    second = services.order_pay(order=order, user=buyer, payment_method=card)

    first.refresh_from_db()
    assert first.status == "canceled"
    assert stripe_client.retrieve_intent(first.stripe_intent_id).status == "canceled"
    assert (second.status, second.amount) == ("succeeded", D("300000"))


@override_settings(STRIPE_WEBHOOK_SECRET="whsec_test_secret")
def test_money_arriving_after_a_cancellation_is_refunded(
    client, seller, buyer, staff, card, django_capture_on_commit_callbacks
):
    order = order_for(seller, buyer, amount="300000")
    payment = services.order_pay(order=order, user=buyer, payment_method=card)
    # Staff cancel while Stripe's success event is still on its way.
    order_cancel(order=order, actor=staff, reason="Duplicate listing.")

    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, intent_event("evt_late", payment.stripe_intent_id))

    order.refresh_from_db()
    assert order.status == "cancelled"
    refund = Refund.objects.get()
    assert (refund.payment_id, refund.amount, refund.status) == (
        payment.pk,
        D("300000"),
        "succeeded",
    )
