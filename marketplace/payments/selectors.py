"""Reads of the payments app; the permission-aware ones end in _for_user.

Another organisation's order or invoice is "not found" (Http404), never "forbidden".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from marketplace.payments.choices import AssayParty, PaymentPurpose, PaymentStatus
from marketplace.payments.models import AssayResult, Invoice, Payment, Payout, Refund
from marketplace.payments.services.invoices import user_may_see_order_money
from marketplace.trading.models import Order


def order_get_for_user(*, user, pk: int) -> Order:
    """An order its buyer, its seller, compliance officers or staff may see."""
    order = (
        Order.objects.select_related("listing", "buyer_organisation", "seller_organisation", "sale")
        .filter(pk=pk)
        .first()
    )
    if order is None or not user_may_see_order_money(user=user, order=order):
        raise Http404
    return order


def invoice_get_for_user(*, user, pk: int) -> Invoice:
    invoice = (
        Invoice.objects.select_related(
            "order__listing", "order__buyer_organisation", "order__seller_organisation"
        )
        .filter(pk=pk)
        .first()
    )
    if invoice is None or not user_may_see_order_money(user=user, order=invoice.order):
        raise Http404
    return invoice


def invoices_of(order: Order) -> QuerySet[Invoice]:
    return Invoice.objects.filter(order=order).order_by("issued_at", "pk")


def assays_of(order: Order) -> dict[str, AssayResult]:
    return {row.party: row for row in AssayResult.objects.filter(order=order)}


@dataclass(frozen=True)
class MoneyEvent:
    """One line of an order's money timeline. ``amount`` is signed from the buyer's side:
    positive reached the platform, negative went back or out."""

    at: datetime
    kind: str
    label: str
    amount: Decimal | None
    currency: str
    status: str
    reference: str = ""


def order_money_timeline(order: Order) -> list[MoneyEvent]:
    """Deposit holds and captures, payments, refunds, invoices, the fee and the payout, in time
    order, with the order's own status moves."""
    events: list[MoneyEvent] = []
    payments = Payment.objects.filter(Q(order=order) | Q(invoice__order=order)).distinct()
    for payment in payments.order_by("created_at", "pk"):
        if payment.purpose == PaymentPurpose.DEPOSIT:
            label = _("Deposit captured and applied to the order")
        elif payment.purpose == PaymentPurpose.INVOICE:
            label = _("Final invoice balance paid")
        else:
            label = _("Order payment")
        received = payment.status == PaymentStatus.SUCCEEDED
        events.append(
            MoneyEvent(
                at=payment.updated_at if received else payment.created_at,
                kind=f"payment_{payment.purpose}",
                label=label,
                amount=payment.amount_received if received else payment.amount,
                currency=payment.currency,
                status=payment.get_status_display(),
                reference=payment.stripe_intent_id or "",
            )
        )
    for refund in Refund.objects.filter(order=order).order_by("created_at", "pk"):
        events.append(
            MoneyEvent(
                at=refund.created_at,
                kind="refund",
                label=_("Refund: %(reason)s") % {"reason": refund.get_reason_display()},
                amount=-refund.amount,
                currency=refund.currency,
                status=refund.get_status_display(),
                reference=refund.stripe_refund_id or "",
            )
        )
    for invoice in invoices_of(order):
        events.append(
            MoneyEvent(
                at=invoice.issued_at,
                kind=f"invoice_{invoice.kind}",
                label=_("%(kind)s %(number)s issued")
                % {"kind": invoice.get_kind_display(), "number": invoice.number},
                amount=Decimal(invoice.amount_due_jpy),
                currency=invoice.currency,
                status="",
                reference=invoice.number,
            )
        )
    payout = Payout.objects.filter(order=order).first()
    if payout is not None:
        events.append(
            MoneyEvent(
                at=payout.created_at,
                kind="fee",
                label=_("Platform fee (%(pct)s %%)") % {"pct": payout.fee_pct.normalize()},
                amount=payout.fee,
                currency=payout.currency,
                status="",
            )
        )
        events.append(
            MoneyEvent(
                at=payout.created_at,
                kind="payout",
                label=_("Payout to the seller: %(method)s")
                % {"method": payout.get_method_display()},
                amount=-payout.net,
                currency=payout.currency,
                status=payout.get_status_display(),
                reference=payout.stripe_transfer_id or "",
            )
        )
    for event in order.events.all():
        events.append(
            MoneyEvent(
                at=event.created_at,
                kind="order_status",
                label=_("Order: %(status)s") % {"status": event.get_to_status_display()},
                amount=None,
                currency=order.currency,
                status=event.reason_display,
            )
        )
    deposits = Payment.objects.filter(
        purpose=PaymentPurpose.DEPOSIT,
        sale_id=order.sale_id,
        organisation_id=order.buyer_organisation_id,
        order__isnull=True,
    )
    for deposit in deposits:
        events.append(
            MoneyEvent(
                at=deposit.created_at,
                kind="deposit_hold",
                label=_("Deposit hold (not captured)"),
                amount=None,
                currency=deposit.currency,
                status=deposit.get_deposit_outcome_display() or deposit.get_status_display(),
                reference=deposit.stripe_intent_id or "",
            )
        )
    return sorted(events, key=lambda event: event.at)


def payouts_for_staff() -> QuerySet[Payout]:
    return Payout.objects.select_related("order__listing", "seller_organisation").order_by(
        "-created_at", "-pk"
    )


def orders_awaiting_payout() -> QuerySet[Order]:
    return (
        Order.objects.filter(status="delivered", payout__isnull=True)
        .select_related("listing", "seller_organisation", "buyer_organisation")
        .order_by("delivery_confirmed_at", "pk")
    )


def refunds_for_staff() -> QuerySet[Refund]:
    return Refund.objects.select_related("order__listing", "payment").order_by("-created_at", "-pk")


ASSAY_PARTIES = tuple(AssayParty.values)
