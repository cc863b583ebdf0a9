"""The two front doors over the payment services: /api/v1/payments/… and the HTML pages."""

import pytest

from marketplace.payments.clients import stripe_client
from marketplace.payments.models import Payment, Payout
from marketplace.trading.services.orders import order_confirm_delivery
from tests.payments.support import D, intent_event, order_for, post_event
from tests.trading.sale_support import bidder, open_auction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_local", "_webhook_secret")]


@pytest.fixture
def _webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"  # noqa: S105


def test_api_authorises_a_deposit_with_a_payment_method(api_client, seller, card):
    sale = open_auction(seller, start="2000000")
    alice = bidder("alice")
    api_client.force_authenticate(alice)

    response = api_client.post(
        f"/api/v1/payments/sales/{sale.pk}/deposit/", {"payment_method": card}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["purpose"], body["amount"], body["status"]) == (
        "deposit",
        "200000.00",
        "requires_capture",
    )
    assert Payment.objects.get().organisation == alice.organisation


def test_api_refuses_a_malformed_payment_method_with_a_field_message(api_client, seller):
    sale = open_auction(seller, start="2000000")
    api_client.force_authenticate(bidder("alice"))

    response = api_client.post(
        f"/api/v1/payments/sales/{sale.pk}/deposit/", {"payment_method": "4242"}, format="json"
    )

    assert response.status_code == 400
    assert "payment_method" in response.json()["error"]["fields"]
    assert not Payment.objects.exists()


def test_api_pays_an_order_and_shows_its_money_timeline(api_client, client, seller, buyer, card):
    order = order_for(seller, buyer, amount="300000")
    api_client.force_authenticate(buyer)

    paid = api_client.post(f"/api/v1/payments/orders/{order.pk}/pay/", {}, format="json")

    assert paid.status_code == 201
    body = paid.json()
    assert (body["amount"], body["status"]) == ("300000.00", "requires_payment_method")
    assert body["client_secret"].startswith(body["stripe_intent_id"])
    # Confirm with a card as Stripe.js would (localstripe: attach, then confirm), then
    # Stripe's webhook reports it.
    intents = stripe_client._client().v1.payment_intents
    intents.update(body["stripe_intent_id"], params={"payment_method": card})
    intents.confirm(body["stripe_intent_id"])
    post_event(client, intent_event("evt_api", body["stripe_intent_id"]))

    money = api_client.get(f"/api/v1/payments/orders/{order.pk}/money/").json()
    assert (money["status"], money["amount_paid"], money["collected"]) == (
        "released",
        "300000.00",
        "300000.00",
    )
    kinds = [event["kind"] for event in money["timeline"]]
    assert kinds.count("order_status") == 3
    assert "payment_order" in kinds

    confirmed = api_client.post(f"/api/v1/payments/orders/{order.pk}/confirm-delivery/")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "delivered"


def test_api_hides_other_organisations_orders(api_client, seller, buyer, outsider):
    order = order_for(seller, buyer, amount="300000")
    api_client.force_authenticate(outsider)

    assert api_client.get(f"/api/v1/payments/orders/{order.pk}/money/").status_code == 404
    assert api_client.post(f"/api/v1/payments/orders/{order.pk}/pay/").status_code == 404
    assert not Payment.objects.exists()


def test_api_refuses_delivery_confirmation_before_release(api_client, seller, buyer):
    order = order_for(seller, buyer, amount="300000")
    api_client.force_authenticate(buyer)

    response = api_client.post(f"/api/v1/payments/orders/{order.pk}/confirm-delivery/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


def test_order_page_shows_the_timeline_to_the_parties_only(client, seller, buyer, outsider, card):
    order = order_for(seller, buyer, amount="300000")
    client.force_login(buyer)
    client.post(f"/payments/orders/{order.pk}/pay/", {"payment_method": card})
    payment = Payment.objects.get()
    post_event(client, intent_event("evt_page", payment.stripe_intent_id))

    page = client.get(f"/trading/orders/{order.pk}/")
    client.force_login(outsider)
    hidden = client.get(f"/trading/orders/{order.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Money timeline" in html
    assert "Released for shipment" in html
    assert payment.stripe_intent_id in html
    assert hidden.status_code == 404


def test_staff_release_a_payout_from_the_payouts_page(client, seller, buyer, staff, card):
    order = order_for(seller, buyer, amount="300000")
    client.force_login(buyer)
    client.post(f"/payments/orders/{order.pk}/pay/", {"use_test_card": "on"})
    post_event(client, intent_event("evt_staff", Payment.objects.get().stripe_intent_id))
    order_confirm_delivery(order=order, user=buyer)
    client.force_login(seller)
    assert client.get("/payments/staff/payouts/").status_code == 403

    client.force_login(staff)
    listed = client.get("/payments/staff/payouts/")
    released = client.post("/payments/staff/payouts/", {"order": order.pk}, follow=True)

    assert f"#{order.pk}" in listed.content.decode()
    payout = Payout.objects.get()
    # Battery pack 4 %: 300,000 − 12,000 = 288,000 JPY.
    assert (payout.fee, payout.net) == (D("12000"), D("288000"))
    assert "Payout of 288,000 JPY recorded" in released.content.decode()
    assert client.get("/payments/staff/refunds/").status_code == 200


def test_deposit_form_authorises_with_the_test_card_on_localstripe(client, seller):
    sale = open_auction(seller, start="2000000")
    alice = bidder("alice")
    client.force_login(alice)

    form = client.get(f"/payments/sales/{sale.pk}/deposit/")
    done = client.post(f"/payments/sales/{sale.pk}/deposit/", {"use_test_card": "on"})

    assert "200,000 JPY" in form.content.decode()
    assert done.status_code == 302
    assert Payment.objects.get().status == "requires_capture"


def test_staff_cancel_a_paid_order_from_its_page_and_see_the_refund(
    client, seller, buyer, staff, card, django_capture_on_commit_callbacks
):
    order = order_for(seller, buyer, amount="300000")
    client.force_login(buyer)
    client.post(f"/payments/orders/{order.pk}/pay/", {"payment_method": card})
    post_event(client, intent_event("evt_cancel", Payment.objects.get().stripe_intent_id))
    assert client.post(f"/payments/orders/{order.pk}/cancel/", {"reason": "x"}).status_code == 403

    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/payments/orders/{order.pk}/cancel/", {"reason": "Lot damaged in storage."})

    order.refresh_from_db()
    assert order.status == "cancelled"
    refunds = client.get("/payments/staff/refunds/").content.decode()
    assert "300,000 JPY" in refunds
    page = client.get(f"/trading/orders/{order.pk}/").content.decode()
    assert "Refund: Order cancelled" in page
