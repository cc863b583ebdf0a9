"""Do the money records agree with each other, to the yen?

Recomputed here from the raw rows (payments, refunds, payouts, invoices), not by calling the
services that wrote them: a check that reuses the code it checks would agree with any bug.
Read-only; `python manage.py reconcile_money` prints the result.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from compliance.choices import CaseStatus
from marketplace.payments.choices import (
    DepositOutcome,
    InvoiceKind,
    PaymentPurpose,
    PaymentStatus,
    RefundStatus,
)
from marketplace.payments.models import Invoice, Payment, Payout, Refund
from marketplace.payments.rules import quantize_money
from marketplace.trading.choices import OrderStatus
from marketplace.trading.models import Order
from marketplace.trading.pricing import round_yen

ZERO = Decimal(0)
HUNDRED = Decimal(100)

# Orders whose buyer has paid what was due (the platform holds it or has paid it out).
_PAID_STATUSES = frozenset(
    {
        OrderStatus.PAID,
        OrderStatus.ON_HOLD,
        OrderStatus.RELEASED,
        OrderStatus.DELIVERED,
        OrderStatus.SETTLED,
    }
)


@dataclass(frozen=True)
class Discrepancy:
    subject: str  # e.g. "order 12", "payment 40", "invoice BM-2026-0003"
    problem: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.problem}"


@dataclass
class Reconciliation:
    orders: int = 0
    payments: int = 0
    refunds: int = 0
    payouts: int = 0
    invoices: int = 0
    discrepancies: list[Discrepancy] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.discrepancies

    def summary(self) -> str:
        return (
            f"{self.orders} orders, {self.payments} payments, {self.refunds} refunds, "
            f"{self.payouts} payouts, {self.invoices} invoices"
        )


def _m(amount) -> str:
    """An amount as plain digits, the same on every database (no trailing zeros)."""
    return f"{Decimal(amount).normalize():f}"


def _sums(queryset, key: str, value: str) -> dict[int, Decimal]:
    rows = queryset.values(key).annotate(total=Sum(value)).values_list(key, "total")
    return {pk: total or ZERO for pk, total in rows}


def money_reconcile() -> Reconciliation:
    result = Reconciliation()
    problems = result.discrepancies

    # --- Payments and refunds, one by one ------------------------------------------------
    refunded_by_payment = _sums(
        Refund.objects.filter(status=RefundStatus.SUCCEEDED), "payment_id", "amount"
    )
    for payment in Payment.objects.only(
        "pk", "purpose", "status", "amount", "amount_received", "deposit_outcome"
    ).iterator():
        result.payments += 1
        subject = f"payment {payment.pk}"
        if payment.status == PaymentStatus.SUCCEEDED and payment.amount_received <= 0:
            problems.append(Discrepancy(subject, "paid, but nothing recorded as received"))
        if payment.status != PaymentStatus.SUCCEEDED and payment.amount_received != 0:
            problems.append(
                Discrepancy(
                    subject,
                    f"{_m(payment.amount_received)} recorded as received, but its status is "
                    f"{payment.status}",
                )
            )
        if payment.amount_received > payment.amount:
            problems.append(Discrepancy(subject, "received more than was asked"))
        refunded = refunded_by_payment.get(payment.pk, ZERO)
        if refunded > payment.amount_received:
            problems.append(
                Discrepancy(
                    subject, f"refunded {_m(refunded)} of {_m(payment.amount_received)} received"
                )
            )
        if (
            payment.purpose == PaymentPurpose.DEPOSIT
            and payment.deposit_outcome == DepositOutcome.RELEASED
            and payment.amount_received != 0
        ):
            problems.append(Discrepancy(subject, "a released deposit kept money"))
    result.refunds = Refund.objects.count()

    # --- Orders: what came in, what went back, what was paid out -------------------------
    succeeded = Payment.objects.filter(status=PaymentStatus.SUCCEEDED, order__isnull=False)
    received = _sums(succeeded, "order_id", "amount_received")
    towards_order = _sums(
        succeeded.filter(purpose__in=[PaymentPurpose.ORDER, PaymentPurpose.DEPOSIT]),
        "order_id",
        "amount_received",
    )
    refunds = Refund.objects.filter(order__isnull=False)
    refunded = _sums(refunds.filter(status=RefundStatus.SUCCEEDED), "order_id", "amount")
    refund_pending = _sums(refunds.filter(status=RefundStatus.PENDING), "order_id", "amount")
    invoices_by_order: dict[int, dict[str, Invoice]] = defaultdict(dict)
    for invoice in Invoice.objects.all():
        invoices_by_order[invoice.order_id][invoice.kind] = invoice
    payouts = {payout.order_id: payout for payout in Payout.objects.all()}
    approved_cases = set(
        Payout.objects.filter(compliance_case__status=CaseStatus.APPROVED).values_list(
            "pk", flat=True
        )
    )

    for order in Order.objects.only("pk", "status", "amount", "currency", "cross_border"):
        result.orders += 1
        subject = f"order {order.pk}"
        held = received.get(order.pk, ZERO) - refunded.get(order.pk, ZERO)
        invoices = invoices_by_order.get(order.pk, {})
        provisional = invoices.get(InvoiceKind.PROVISIONAL)
        due = Decimal(provisional.amount_due_jpy) if provisional else order.amount
        payout = payouts.pop(order.pk, None)

        if held < 0:
            problems.append(Discrepancy(subject, f"refunded {_m(-held)} more than was received"))
        if order.status in _PAID_STATUSES and towards_order.get(order.pk, ZERO) < due:
            problems.append(
                Discrepancy(
                    subject,
                    f"marked {order.status}, but only {_m(towards_order.get(order.pk, ZERO))} of "
                    f"{_m(due)} {order.currency} was received",
                )
            )
        if order.status == OrderStatus.CANCELLED and held - refund_pending.get(order.pk, ZERO):
            problems.append(
                Discrepancy(subject, f"cancelled, but {_m(held)} {order.currency} is not refunded")
            )
        if order.status == OrderStatus.SETTLED and payout is None:
            problems.append(Discrepancy(subject, "settled without a payout"))
        if payout is not None:
            result.payouts += 1
            problems.extend(_payout_problems(payout, held, order, payout.pk in approved_cases))
        final = invoices.get(InvoiceKind.FINAL)
        if final is not None and order.status == OrderStatus.SETTLED:
            problems.extend(_final_balance_problems(final, order))

    for payout in payouts.values():  # a payout whose order was not seen: cannot happen (PROTECT)
        problems.append(Discrepancy(f"payout {payout.pk}", "its order is missing"))

    # --- Invoices: lines add up, shares and balances follow the invoice's own figures -----
    for invoice in Invoice.objects.all():
        result.invoices += 1
        problems.extend(_invoice_problems(invoice, invoices_by_order[invoice.order_id]))
    return result


def _payout_problems(payout: Payout, held: Decimal, order: Order, case_approved: bool):
    subject = f"payout {payout.pk} (order {order.pk})"
    if payout.gross != held:
        yield Discrepancy(subject, f"gross {_m(payout.gross)}, but the platform holds {_m(held)}")
    if payout.net != payout.gross - payout.fee:
        yield Discrepancy(subject, "net is not gross less the fee")
    expected_fee = quantize_money(payout.gross * payout.fee_pct / HUNDRED, payout.currency)
    if payout.fee != expected_fee:
        yield Discrepancy(
            subject,
            f"fee {_m(payout.fee)}, but {_m(payout.fee_pct)} % of the gross is {_m(expected_fee)}",
        )
    if order.status != OrderStatus.SETTLED:
        yield Discrepancy(subject, f"paid out, but the order is {order.status}")
    if order.cross_border and not case_approved:
        yield Discrepancy(subject, "a cross-border payout without an approved compliance case")


def _final_balance_problems(final: Invoice, order: Order):
    subject = f"invoice {final.number}"
    paid = (
        Payment.objects.filter(
            invoice=final, status=PaymentStatus.SUCCEEDED, purpose=PaymentPurpose.INVOICE
        ).aggregate(total=Sum("amount_received"))["total"]
        or ZERO
    )
    if final.amount_due_jpy > 0 and paid != final.amount_due_jpy:
        yield Discrepancy(
            subject, f"balance {final.amount_due_jpy} JPY due, {_m(paid)} paid, order settled"
        )
    if final.amount_due_jpy < 0:
        settlement_refunds = (
            Refund.objects.filter(
                order=order, reason="settlement", status=RefundStatus.SUCCEEDED
            ).aggregate(total=Sum("amount"))["total"]
            or ZERO
        )
        if settlement_refunds != -final.amount_due_jpy:
            yield Discrepancy(
                subject,
                f"{-final.amount_due_jpy} JPY to refund, {_m(settlement_refunds)} refunded, "
                "order settled",
            )


def _invoice_problems(invoice: Invoice, invoices: dict[str, Invoice]):
    subject = f"invoice {invoice.number}"
    exact = sum((Decimal(line["value_jpy"]) for line in invoice.lines), ZERO)
    if round_yen(exact) != invoice.lot_value_jpy:
        yield Discrepancy(
            subject, f"lines add up to {round_yen(exact)} JPY, lot value {invoice.lot_value_jpy}"
        )
    if invoice.kind == InvoiceKind.PROVISIONAL:
        expected = round_yen(Decimal(invoice.lot_value_jpy) * invoice.share_pct / HUNDRED)
        if invoice.amount_due_jpy != expected or invoice.invoiced_before_jpy != 0:
            yield Discrepancy(
                subject,
                f"{invoice.amount_due_jpy} JPY due, but {_m(invoice.share_pct)} % of "
                f"{invoice.lot_value_jpy} is {expected}",
            )
    else:
        provisional = invoices.get(InvoiceKind.PROVISIONAL)
        before = provisional.amount_due_jpy if provisional else 0
        if invoice.invoiced_before_jpy != before:
            yield Discrepancy(
                subject, f"counts {invoice.invoiced_before_jpy} JPY invoiced before, not {before}"
            )
        if invoice.amount_due_jpy != invoice.lot_value_jpy - invoice.invoiced_before_jpy:
            yield Discrepancy(subject, "the balance is not the lot value less what was invoiced")
