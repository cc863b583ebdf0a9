"""Black-mass settlement: a provisional invoice on the pre-shipment assay, a final one after the
assay exchange (diagnostics.md 4.5), priced with trading.pricing.quote_black_mass.

Which orders: black-mass lots awarded by a payables tender bid; their terms are the winning bid's
payables and penalties and the reference prices snapshotted at the tender close (TenderClose), so
the invoice prices the same contract the tender ranked. A fixed price per dry tonne does not
depend on the assay and settles as an ordinary order.

    provisional amount = round_yen(value(pre-shipment assay) × share_pct / 100)
    final assay        = per element: mean(seller, buyer) if |seller − buyer| ≤ splitting limit,
                         else the umpire's figure
    final amount due   = value(final assay) − provisional amount   (> 0 charged, < 0 refunded)

Settlement states (derived, `settlement_state`): PROVISIONAL → EXCHANGED → (UMPIRE) → FINAL.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.catalog.choices import ListingType
from marketplace.core import outbox
from marketplace.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from marketplace.payments.choices import (
    AssayParty,
    InvoiceKind,
    PaymentPurpose,
    PaymentStatus,
    RefundReason,
    SettlementState,
)
from marketplace.payments.models import AssayResult, Invoice, Payment
from marketplace.payments.rules import get_settlement_rules
from marketplace.trading import pricing
from marketplace.trading.choices import ASSAY_ELEMENTS, OrderOrigin, OrderStatus
from marketplace.trading.models import Order, TenderBid

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class SettlementTerms:
    wet_kg: Decimal
    moisture_pct: Decimal
    pre_shipment_assay_pct: dict[str, Decimal]
    payables_pct: dict[str, Decimal]
    prices_jpy_per_kg: dict[str, Decimal]
    penalties: list[dict[str, Any]]


def _winning_bid(order: Order) -> TenderBid | None:
    return (
        TenderBid.objects.filter(
            sale_id=order.sale_id,
            bidder_organisation_id=order.buyer_organisation_id,
            withdrawn_at__isnull=True,
        )
        .order_by("rank", "pk")
        .first()
    )


def order_settles_on_assay(order: Order) -> bool:
    if order.listing.listing_type != ListingType.BLACK_MASS or order.origin != OrderOrigin.TENDER:
        return False
    bid = _winning_bid(order)
    return bid is not None and bool(bid.payables_pct)


def settlement_terms(order: Order) -> SettlementTerms:
    if not order_settles_on_assay(order):
        raise DomainError(_("Only black-mass orders won with a payables bid settle on assays."))
    bid = _winning_bid(order)
    close = order.sale.tender_close
    prices = {
        el: Decimal(row["price_jpy_per_kg"]) for el, row in close.reference_prices["prices"].items()
    }
    return SettlementTerms(
        wet_kg=Decimal(close.lot["wet_kg"]),
        moisture_pct=Decimal(close.lot["moisture_pct"]),
        pre_shipment_assay_pct={el: Decimal(v) for el, v in close.lot["assay_pct"].items()},
        payables_pct={el: Decimal(str(v)) for el, v in bid.payables_pct.items()},
        prices_jpy_per_kg=prices,
        penalties=list(bid.penalties or []),
    )


def _quote(terms: SettlementTerms, assay_pct: dict[str, Decimal]) -> pricing.Quote:
    return pricing.quote_black_mass(
        wet_kg=terms.wet_kg,
        moisture_pct=terms.moisture_pct,
        assay_pct=assay_pct,
        payables_pct=terms.payables_pct,
        prices_jpy_per_kg=terms.prices_jpy_per_kg,
        penalties=terms.penalties or None,
    )


def _lines(quote: pricing.Quote) -> list[dict[str, str | None]]:
    return [
        {
            key: (value if value is None or isinstance(value, str) else pricing.decimal_text(value))
            for key, value in line.as_dict().items()
        }
        for line in quote.lines
    ]


def _text(assay: dict[str, Decimal]) -> dict[str, str]:
    return {el: str(pct) for el, pct in assay.items()}


# --- Who may act --------------------------------------------------------------------------


def user_may_see_order_money(*, user: User, order: Order) -> bool:
    """Buyer, seller, compliance officers and staff see an order's invoices and money."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.role == "compliance_officer":
        return True
    return user.organisation_id in (order.buyer_organisation_id, order.seller_organisation_id)


def _ensure_may_record(*, user: User, order: Order, party: str) -> None:
    allowed = user.is_authenticated and (
        user.is_staff
        or (party == AssayParty.SELLER and user.organisation_id == order.seller_organisation_id)
        or (party == AssayParty.BUYER and user.organisation_id == order.buyer_organisation_id)
    )
    if not allowed:
        raise PermissionDeniedError(
            _("Each party records its own laboratory's assay; platform staff record the umpire's.")
        )


# --- Invoices -----------------------------------------------------------------------------


def invoice_issue_provisional(*, order: Order, actor: User | None) -> Invoice:
    """The provisional invoice on the pre-shipment assay; the existing one if already issued."""
    existing = Invoice.objects.filter(order=order, kind=InvoiceKind.PROVISIONAL).first()
    if existing is not None:
        return existing
    if order.status == OrderStatus.CANCELLED:
        raise DomainError(_("A cancelled order is not invoiced."))
    terms = settlement_terms(order)
    rules = get_settlement_rules()
    quote = _quote(terms, terms.pre_shipment_assay_pct)
    share = rules.provisional_share_pct
    amount = pricing.round_yen(Decimal(quote.value_jpy) * share / HUNDRED)
    return _create_invoice(
        order=order,
        kind=InvoiceKind.PROVISIONAL,
        terms=terms,
        quote=quote,
        assay=terms.pre_shipment_assay_pct,
        basis={"method": "pre_shipment", "pre_shipment_pct": _text(terms.pre_shipment_assay_pct)},
        share=share,
        invoiced_before=0,
        amount_due=amount,
        actor=actor,
        version=rules.version,
    )


def _create_invoice(*, order, kind, terms, quote, assay, basis, share, invoiced_before,
                    amount_due, actor, version) -> Invoice:  # fmt: skip
    suffix = "P" if kind == InvoiceKind.PROVISIONAL else "F"
    try:
        with transaction.atomic():
            return Invoice.objects.create(
                order=order,
                kind=kind,
                number=f"INV-{order.pk:06d}-{suffix}",
                currency="JPY",
                wet_kg=terms.wet_kg,
                moisture_pct=terms.moisture_pct,
                dry_kg=quote.dry_kg,
                assay_pct=_text(assay),
                assay_basis=basis,
                lines=_lines(quote),
                lot_value_jpy=quote.value_jpy,
                share_pct=share,
                invoiced_before_jpy=invoiced_before,
                amount_due_jpy=amount_due,
                terms_version=version,
                issued_by=actor if actor is not None and actor.is_authenticated else None,
            )
    except IntegrityError:
        return Invoice.objects.get(order=order, kind=kind)  # a concurrent issue won


@dataclass(frozen=True)
class FinalAssay:
    assay_pct: dict[str, Decimal]
    umpire_elements: tuple[str, ...]  # beyond the splitting limit
    basis: dict[str, Any]


def final_assay(
    *,
    seller_pct: dict[str, Decimal],
    buyer_pct: dict[str, Decimal],
    umpire_pct: dict[str, Decimal] | None,
) -> FinalAssay:
    """Per element: the mean within the splitting limit, else the umpire's figure.

    An element one party did not report counts as 0 % for it. If an element needs the umpire
    and no umpire assay is given, its figure is missing and ``umpire_elements`` names it.
    """
    rules = get_settlement_rules()
    result: dict[str, Decimal] = {}
    umpire_needed: list[str] = []
    per_element = {}
    for element in sorted({*seller_pct, *buyer_pct}):
        seller, buyer = seller_pct.get(element, Decimal(0)), buyer_pct.get(element, Decimal(0))
        limit = rules.splitting_limit(element)
        difference = abs(seller - buyer)
        row = {
            "seller_pct": str(seller),
            "buyer_pct": str(buyer),
            "difference_pct": str(difference),
            "splitting_limit_pct": str(limit),
        }
        if difference <= limit:
            result[element] = (seller + buyer) / 2
            row["method"] = "mean"
        else:
            umpire_needed.append(element)
            row["method"] = "umpire"
            if umpire_pct is not None and element in umpire_pct:
                result[element] = umpire_pct[element]
                row["umpire_pct"] = str(umpire_pct[element])
        if element in result:
            row["final_pct"] = str(result[element])
        per_element[element] = row
    basis = {"method": "exchange", "elements": per_element, "rules_version": rules.version}
    return FinalAssay(assay_pct=result, umpire_elements=tuple(umpire_needed), basis=basis)


def _assays(order: Order) -> dict[str, dict[str, Decimal]]:
    return {
        row.party: {el: Decimal(str(v)) for el, v in row.assay_pct.items()}
        for row in AssayResult.objects.filter(order=order)
    }


def _parse_assay(assay_pct: dict[str, Any]) -> dict[str, Decimal]:
    parsed: dict[str, Decimal] = {}
    errors: dict[str, list[str]] = {}
    for element, value in (assay_pct or {}).items():
        if element not in ASSAY_ELEMENTS:
            errors[f"assay_pct.{element}"] = [_("Unknown element.")]
            continue
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            number = Decimal(-1)
        if not number.is_finite() or not 0 <= number <= 100 or number.as_tuple().exponent < -4:
            errors[f"assay_pct.{element}"] = [
                _("Give a percentage from 0 to 100, at most 4 decimals.")
            ]
            continue
        parsed[element] = number
    if not parsed and not errors:
        errors["assay_pct"] = [_("Give at least one element.")]
    if sum(parsed.values(), Decimal(0)) > 100:
        errors["assay_pct"] = [_("The percentages add up to more than 100.")]
    if errors:
        first, messages = next(iter(errors.items()))
        raise DomainError(f"{first}: {messages[0]}", fields=errors)
    return parsed


def assay_record(
    *, order: Order, user: User, party: str, assay_pct: dict[str, Any], laboratory: str
) -> AssayResult:
    """Record one party's assay (once); issues the final invoice as soon as it can be.

    The umpire is only recorded when the exchanged assays differ beyond a splitting limit.
    """
    if party not in AssayParty.values:
        raise DomainError(_("Unknown party."), fields={"party": [_("Unknown party.")]})
    _ensure_may_record(user=user, order=order, party=party)
    if not order_settles_on_assay(order):
        raise DomainError(_("Only black-mass orders won with a payables bid settle on assays."))
    if not Invoice.objects.filter(order=order, kind=InvoiceKind.PROVISIONAL).exists():
        raise ConflictError(_("Assays are exchanged after the provisional invoice."))
    if not laboratory.strip():
        message = _("Name the laboratory.")
        raise DomainError(message, fields={"laboratory": [message]})
    parsed = _parse_assay(assay_pct)
    if party == AssayParty.UMPIRE and settlement_state(order) != SettlementState.UMPIRE:
        raise ConflictError(_("An umpire assay is needed only when the exchanged assays differ "
                              "beyond the splitting limit."))  # fmt: skip
    try:
        with transaction.atomic():
            row = AssayResult.objects.create(
                order=order,
                party=party,
                assay_pct=_text(parsed),
                laboratory=laboratory.strip(),
                recorded_by=user,
            )
    except IntegrityError:
        raise ConflictError(_("This party's assay is already recorded.")) from None
    invoice_issue_final_if_ready(order=order, actor=user)
    return row


def invoice_issue_final_if_ready(*, order: Order, actor: User | None) -> Invoice | None:
    """Issue the final invoice once the assays decide every element; None while they do not.

    A negative balance (the provisional invoice was too high) is refunded by a task."""
    existing = Invoice.objects.filter(order=order, kind=InvoiceKind.FINAL).first()
    if existing is not None:
        return existing
    assays = _assays(order)
    if AssayParty.SELLER not in assays or AssayParty.BUYER not in assays:
        return None
    decided = final_assay(
        seller_pct=assays[AssayParty.SELLER],
        buyer_pct=assays[AssayParty.BUYER],
        umpire_pct=assays.get(AssayParty.UMPIRE),
    )
    if any(el not in decided.assay_pct for el in decided.umpire_elements):
        return None
    provisional = Invoice.objects.get(order=order, kind=InvoiceKind.PROVISIONAL)
    terms = settlement_terms(order)
    quote = _quote(terms, decided.assay_pct)
    with transaction.atomic():
        invoice = _create_invoice(
            order=order,
            kind=InvoiceKind.FINAL,
            terms=terms,
            quote=quote,
            assay=decided.assay_pct,
            basis=decided.basis,
            share=HUNDRED,
            invoiced_before=provisional.amount_due_jpy,
            amount_due=quote.value_jpy - provisional.amount_due_jpy,
            actor=actor,
            version=get_settlement_rules().version,
        )
        if invoice.amount_due_jpy < 0:
            outbox.enqueue("payments.refund_invoice_balance", invoice_id=invoice.pk)
    return invoice


def invoice_refund_balance(*, invoice: Invoice) -> list:
    """Refund a negative final balance from the order's received payments, newest first."""
    from marketplace.payments.services.payments import payment_refund

    to_refund = Decimal(-invoice.amount_due_jpy)
    refunds = []
    payments = Payment.objects.filter(
        order=invoice.order_id, status=PaymentStatus.SUCCEEDED
    ).order_by("-pk")
    for payment in payments:
        if to_refund <= 0:
            break
        existing = payment.refunds.filter(reason=RefundReason.SETTLEMENT).first()
        part = existing.amount if existing else min(to_refund, payment.amount_received)
        refunds.append(payment_refund(payment=payment, amount=part, reason=RefundReason.SETTLEMENT))
        to_refund -= part
    return refunds


def invoice_pay(*, invoice: Invoice, user: User, payment_method: str | None = None) -> Payment:
    """The buyer pays a positive final balance (an ordinary PaymentIntent, purpose invoice)."""
    from marketplace.payments.services.payments import payment_open
    from marketplace.payments.services.settlement import ensure_buyer

    ensure_buyer(user=user, order=invoice.order)
    if invoice.kind != InvoiceKind.FINAL or invoice.amount_due_jpy <= 0:
        raise DomainError(_("Only a final invoice with a balance due is paid this way."))
    paid = Payment.objects.filter(
        invoice=invoice,
        status__in=[
            PaymentStatus.SUCCEEDED,
            PaymentStatus.REQUIRES_CAPTURE,
            PaymentStatus.PROCESSING,
        ],  # fmt: skip
    ).exists()
    if paid:
        raise ConflictError(_("This invoice is paid or being paid."))
    return payment_open(
        payer=user,
        purpose=PaymentPurpose.INVOICE,
        reference=invoice.number,
        amount=Decimal(invoice.amount_due_jpy),
        currency=invoice.currency,
        manual_capture=False,
        payment_method=payment_method,
        order=invoice.order,
        invoice=invoice,
        organisation=invoice.order.buyer_organisation,
    )


def invoice_balance_settled(order: Order) -> bool:
    """True if the order needs no assay settlement, or its final balance is paid/refunded."""
    if not order_settles_on_assay(order):
        return True
    final = Invoice.objects.filter(order=order, kind=InvoiceKind.FINAL).first()
    if final is None:
        return False
    if final.amount_due_jpy > 0:
        return Payment.objects.filter(invoice=final, status=PaymentStatus.SUCCEEDED).exists()
    if final.amount_due_jpy < 0:
        refunded = sum(
            (
                r.amount
                for r in order.refunds.filter(reason=RefundReason.SETTLEMENT, status="succeeded")
            ),  # fmt: skip
            Decimal(0),
        )
        return refunded == -final.amount_due_jpy
    return True


def settlement_state(order: Order) -> str:
    invoices = set(Invoice.objects.filter(order=order).values_list("kind", flat=True))
    if InvoiceKind.FINAL in invoices:
        return SettlementState.FINAL
    if InvoiceKind.PROVISIONAL not in invoices:
        return SettlementState.NOT_STARTED
    assays = _assays(order)
    if AssayParty.SELLER not in assays or AssayParty.BUYER not in assays:
        return SettlementState.PROVISIONAL
    decided = final_assay(
        seller_pct=assays[AssayParty.SELLER],
        buyer_pct=assays[AssayParty.BUYER],
        umpire_pct=assays.get(AssayParty.UMPIRE),
    )
    if any(el not in decided.assay_pct for el in decided.umpire_elements):
        return SettlementState.UMPIRE
    return SettlementState.EXCHANGED
