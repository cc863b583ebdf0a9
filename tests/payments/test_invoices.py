"""Black-mass settlement with worked numbers: a provisional invoice at 90 % of the value on the
pre-shipment assay, then a final invoice on the exchanged assays (mean within the splitting
limit, umpire beyond it), the difference charged or refunded."""

from decimal import Decimal

import pytest

from marketplace.core.exceptions import ConflictError, PermissionDeniedError
from marketplace.payments import services
from marketplace.payments.models import Invoice, Refund
from marketplace.trading.models import Order
from marketplace.trading.services.orders import order_confirm_delivery
from tests.payments.support import intent_event, post_event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_local", "_webhook_secret")]
D = Decimal


def _pay(client, payment, event_id):
    assert post_event(client, intent_event(event_id, payment.stripe_intent_id)).status_code == 200


def _provisionally_paid(client, order, recycler, card) -> Invoice:
    payment = services.order_pay(order=order, user=recycler, payment_method=card)
    _pay(client, payment, f"evt_prov_{order.pk}")
    return Invoice.objects.get(order=order, kind="provisional")


def test_the_provisional_invoice_is_90_percent_of_the_pre_shipment_value(
    client, order, recycler, card
):
    # Ni 9,600 × 20 % × 80 % × 2,000 = 3,072,000; Co 9,600 × 6.5 % × 70 % × 5,000 = 2,184,000;
    # Li 9,600 × 3.8 % × 30 % × 9,000 = 984,960. Lot value 6,240,960 JPY (the tender's value).
    assert order.amount == D("6240960")

    payment = services.order_pay(order=order, user=recycler, payment_method=card)

    provisional = Invoice.objects.get(order=order, kind="provisional")
    assert provisional.lot_value_jpy == 6240960
    # 6,240,960 × 90 % = 5,616,864 JPY: what the buyer pays now.
    assert (provisional.share_pct, provisional.amount_due_jpy) == (D("90.00"), 5616864)
    assert payment.amount == D("5616864")
    assert {line["element"]: line["value_jpy"] for line in provisional.lines} == {
        "Ni": "3072000",
        "Co": "2184000",
        "Li": "984960",
        "Mn": "0",
    }
    assert provisional.dry_kg == D("9600")
    _pay(client, payment, "evt_prov")
    order.refresh_from_db()
    assert order.status == "released"
    assert services.settlement_state(order) == "provisional"


def test_final_invoice_within_the_splitting_limit_uses_the_mean_and_charges_the_difference(
    client, order, seller, recycler, staff, card
):
    _provisionally_paid(client, order, recycler, card)
    services.assay_record(
        order=order,
        user=seller,
        party="seller",
        assay_pct={"Ni": "20.10", "Co": "6.40", "Li": "3.80"},
        laboratory="Kitakyushu Assay Lab",
    )
    assert services.settlement_state(order) == "provisional"
    # Differences Ni 0.20 ≤ 0.30, Co 0.10 ≤ 0.15, Li 0.10 ≤ 0.10: all means.
    services.assay_record(
        order=order,
        user=recycler,
        party="buyer",
        assay_pct={"Ni": "19.90", "Co": "6.30", "Li": "3.70"},
        laboratory="Buyer Lab",
    )

    final = Invoice.objects.get(order=order, kind="final")
    assert final.assay_pct == {"Co": "6.35", "Li": "3.75", "Ni": "20.00"}
    assert {el: row["method"] for el, row in final.assay_basis["elements"].items()} == {
        "Co": "mean",
        "Li": "mean",
        "Ni": "mean",
    }
    # Ni 3,072,000 + Co 9,600 × 6.35 % × 70 % × 5,000 = 2,133,600
    # + Li 9,600 × 3.75 % × 30 % × 9,000 = 972,000 → 6,177,600 JPY;
    # less the provisional 5,616,864 → 560,736 JPY still due.
    assert (final.lot_value_jpy, final.invoiced_before_jpy, final.amount_due_jpy) == (
        6177600,
        5616864,
        560736,
    )
    assert services.settlement_state(order) == "final"

    balance = services.invoice_pay(invoice=final, user=recycler, payment_method=card)
    _pay(client, balance, "evt_balance")
    order_confirm_delivery(order=Order.objects.get(pk=order.pk), user=recycler)
    payout = services.payout_release(order=order, actor=staff)
    # Collected 6,177,600; black-mass fee 2 % = 123,552; seller gets 6,054,048 JPY.
    assert (payout.gross, payout.fee, payout.net) == (D("6177600"), D("123552"), D("6054048"))


def test_beyond_the_splitting_limit_the_umpire_decides_and_the_overpayment_is_refunded(
    client, order, seller, recycler, staff, card, django_capture_on_commit_callbacks
):
    _provisionally_paid(client, order, recycler, card)
    services.assay_record(
        order=order,
        user=seller,
        party="seller",
        assay_pct={"Ni": "17.00", "Co": "6.40", "Li": "3.80"},
        laboratory="Kitakyushu Assay Lab",
    )
    # Ni differs by 2.00 > 0.30: no final invoice until the umpire reports.
    services.assay_record(
        order=order,
        user=recycler,
        party="buyer",
        assay_pct={"Ni": "15.00", "Co": "6.30", "Li": "3.70"},
        laboratory="Buyer Lab",
    )
    assert services.settlement_state(order) == "umpire"
    assert not Invoice.objects.filter(kind="final").exists()
    with pytest.raises(PermissionDeniedError):
        services.assay_record(
            order=order, user=seller, party="umpire", assay_pct={"Ni": "17"}, laboratory="Mine"
        )

    with django_capture_on_commit_callbacks(execute=True):
        services.assay_record(
            order=order,
            user=staff,
            party="umpire",
            assay_pct={"Ni": "15.20"},
            laboratory="Umpire Laboratories Ltd",
        )

    final = Invoice.objects.get(order=order, kind="final")
    assert final.assay_pct == {"Co": "6.35", "Li": "3.75", "Ni": "15.20"}
    assert final.assay_basis["elements"]["Ni"] == {
        "seller_pct": "17.00",
        "buyer_pct": "15.00",
        "difference_pct": "2.00",
        "splitting_limit_pct": "0.30",
        "method": "umpire",
        "umpire_pct": "15.20",
        "final_pct": "15.20",
    }
    # Ni 9,600 × 15.2 % × 80 % × 2,000 = 2,334,720 + Co 2,133,600 + Li 972,000 = 5,440,320 JPY;
    # the provisional invoice took 5,616,864, so 176,544 JPY goes back to the buyer.
    assert (final.lot_value_jpy, final.amount_due_jpy) == (5440320, -176544)
    refund = Refund.objects.get(reason="settlement")
    assert (refund.amount, refund.status) == (D("176544"), "succeeded")
    assert services.order_collected(order) == D("5440320")

    order_confirm_delivery(order=Order.objects.get(pk=order.pk), user=recycler)
    payout = services.payout_release(order=order, actor=staff)
    # 5,440,320 × 2 % = 108,806.4 → 108,806 JPY fee; the seller gets 5,331,514 JPY.
    assert (payout.fee, payout.net) == (D("108806"), D("5331514"))


def test_no_payout_while_the_final_settlement_is_open(client, order, recycler, staff, card):
    _provisionally_paid(client, order, recycler, card)
    order_confirm_delivery(order=Order.objects.get(pk=order.pk), user=recycler)

    with pytest.raises(services.PayoutNotAllowed, match="final assay invoice"):
        services.payout_release(order=order, actor=staff)


def test_each_party_records_only_its_own_assay_once(client, order, seller, recycler, card):
    _provisionally_paid(client, order, recycler, card)
    with pytest.raises(PermissionDeniedError):
        services.assay_record(
            order=order, user=seller, party="buyer", assay_pct={"Ni": "20"}, laboratory="X"
        )
    services.assay_record(
        order=order, user=seller, party="seller", assay_pct={"Ni": "20"}, laboratory="X"
    )
    with pytest.raises(ConflictError):
        services.assay_record(
            order=order, user=seller, party="seller", assay_pct={"Ni": "21"}, laboratory="X"
        )


def test_final_assay_rule_is_per_element():
    decided = services.final_assay(
        seller_pct={"Ni": D("20.00"), "Co": D("6.00")},
        buyer_pct={"Ni": D("19.71"), "Co": D("6.16")},
        umpire_pct=None,
    )
    # Ni 0.29 ≤ 0.30 → mean 19.855; Co 0.16 > 0.15 → the umpire, not given yet.
    assert decided.assay_pct == {"Ni": D("19.855")}
    assert decided.umpire_elements == ("Co",)


def test_the_invoice_page_and_pdf_show_the_lines_to_the_parties_only(
    client, order, recycler, outsider, card
):
    provisional = _provisionally_paid(client, order, recycler, card)

    client.force_login(recycler)
    page = client.get(f"/payments/invoices/{provisional.pk}/")
    pdf = client.get(f"/payments/invoices/{provisional.pk}/pdf/")
    client.force_login(outsider)
    hidden = client.get(f"/payments/invoices/{provisional.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert f"INV-{order.pk:06d}-P" in html
    assert "5,616,864 JPY" in html  # amount due
    assert "3,072,000.00" in html  # the Ni line
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert hidden.status_code == 404
    client.force_login(recycler)
    order_page = client.get(f"/trading/orders/{order.pk}/").content.decode()
    assert f"INV-{order.pk:06d}-P" in order_page
    assert "Provisionally invoiced" in order_page  # the settlement state
