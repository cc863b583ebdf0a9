"""`reconcile_money`: orders, payments, refunds, payouts and invoices balance to the yen, and a
figure changed behind the services' back is named, with a non-zero exit."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from marketplace.payments import services
from marketplace.payments.models import Invoice, Payout
from marketplace.payments.services.reconciliation import money_reconcile
from marketplace.trading.models import Order
from marketplace.trading.services.orders import order_confirm_delivery
from tests.payments.support import intent_event, order_for, post_event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_local", "_webhook_secret")]


def _paid_out(client, seller, buyer, staff, card) -> Payout:
    """A domestic pack bought for 1,234,567 JPY, paid, delivered and paid out (4 % fee)."""
    bought = order_for(seller, buyer, amount="1234567")
    payment = services.order_pay(order=bought, user=buyer, payment_method=card)
    post_event(client, intent_event("evt_rec_paid", payment.stripe_intent_id))
    bought.refresh_from_db()
    order_confirm_delivery(order=bought, user=buyer)
    return services.payout_release(order=bought, actor=staff)


def run_command() -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("reconcile_money", stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def test_a_paid_out_order_balances_to_the_yen(client, seller, buyer, staff, card):
    payout = _paid_out(client, seller, buyer, staff, card)
    # 1,234,567 × 4 % = 49,382.68 → 49,383 JPY fee; 1,185,184 JPY to the seller.
    assert (payout.gross, payout.fee, payout.net) == (1234567, 49383, 1185184)

    result = money_reconcile()

    assert result.discrepancies == []
    assert (result.orders, result.payments, result.payouts) == (1, 1, 1)
    assert run_command() == (
        0,
        "money reconciles: 1 orders, 1 payments, 0 refunds, 1 payouts, 0 invoices\n",
    )


def test_a_payout_changed_behind_the_services_back_is_named(client, seller, buyer, staff, card):
    payout = _paid_out(client, seller, buyer, staff, card)
    # One yen more to the seller; net = gross − fee still holds, so the database allows it.
    Payout.objects.filter(pk=payout.pk).update(gross=F("gross") + 1, net=F("net") + 1)

    problems = [str(problem) for problem in money_reconcile().discrepancies]

    assert problems == [
        f"payout {payout.pk} (order {payout.order_id}): gross 1234568, "
        "but the platform holds 1234567"
    ]
    code, output = run_command()
    assert code == 1
    assert "1 discrepancies in 1 orders" in output


def test_an_order_marked_paid_without_the_money_is_named(seller, buyer):
    unpaid = order_for(seller, buyer, amount="500000")
    Order.objects.filter(pk=unpaid.pk).update(status="paid")

    problems = [str(problem) for problem in money_reconcile().discrepancies]

    assert problems == [f"order {unpaid.pk}: marked paid, but only 0 of 500000 JPY was received"]


def test_a_provisional_invoice_balances_and_a_changed_share_is_named(client, order, recycler, card):
    payment = services.order_pay(order=order, user=recycler, payment_method=card)
    post_event(client, intent_event("evt_rec_prov", payment.stripe_intent_id))
    assert money_reconcile().discrepancies == []

    invoice = Invoice.objects.get(order=order, kind="provisional")
    Invoice.objects.filter(pk=invoice.pk).update(amount_due_jpy=F("amount_due_jpy") + 1)

    problems = [str(problem) for problem in money_reconcile().discrepancies]
    # 6,240,960 × 90 % = 5,616,864 JPY, not 5,616,865; and the order now looks underpaid.
    assert problems == [
        f"order {order.pk}: marked released, but only 5616864 of 5616865 JPY was received",
        f"invoice {invoice.number}: 5616865 JPY due, but 90 % of 6240960 is 5616864",
    ]
