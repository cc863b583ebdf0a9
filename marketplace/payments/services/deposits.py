"""Bidder deposits: a card authorisation (manual-capture PaymentIntent) held while bidding.

Lots above the threshold in data/fees.yaml need one before a bid or a tender bid is accepted
(`ensure_deposit`, called by trading). At the close the winner's deposit is captured and applied
to the order; every other deposit of the sale is released (`deposits_settle`, a task sent by the
sale's final transition when the sale has a deposit left to settle). Card holds lapse after
about 7 days, so a sweep renews older holds on the saved card, or marks them expired so the
bidder is asked again (`deposits_renew_due`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import Organisation, User
from marketplace.accounts.services import ensure_can_trade
from marketplace.core import outbox
from marketplace.core.exceptions import DomainError, InvalidTransition
from marketplace.core.prepared import PreparedRead
from marketplace.payments.choices import DepositOutcome, PaymentPurpose, PaymentStatus
from marketplace.payments.clients.stripe_client import PaymentProviderError
from marketplace.payments.models import Payment
from marketplace.payments.rules import get_fee_rules
from marketplace.payments.services.payments import payment_cancel, payment_capture, payment_open
from marketplace.trading.choices import SALE_TRANSITIONS, OrderStatus, SaleStatus
from marketplace.trading.exceptions import OwnListing
from marketplace.trading.models import Order, Sale

logger = logging.getLogger(__name__)


class DepositRequired(DomainError):
    code = "deposit_required"
    status = 402


def deposit_required_amount(sale: Sale) -> Decimal:
    """The deposit this sale asks of each bidder; 0 for lots at or below the threshold.

    The value is the auction's start price, or the listing's asking price for a tender."""
    value = sale.start_price if sale.start_price is not None else sale.listing.price
    return get_fee_rules().deposit_for(
        value=value, listing_type=sale.listing.listing_type, currency=sale.currency
    )


# Read by every bid on a lot above the threshold: compiled once (core.prepared).
_LIVE_DEPOSIT = PreparedRead(
    lambda sale, organisation: Payment.objects.filter(
        purpose=PaymentPurpose.DEPOSIT, sale=sale, organisation=organisation, deposit_outcome=""
    ).order_by("pk")[:1],
    sale=int,
    organisation=int,
)


def live_deposit(*, sale: Sale, organisation: Organisation) -> Payment | None:
    return _LIVE_DEPOSIT.first(sale=sale.pk, organisation=organisation.pk)


def deposits_live_exist(*, sale: Sale) -> bool:
    """Whether the sale has a deposit not yet settled: its final transition asks for
    ``deposits_settle`` only then.

    Called under the sale's row lock (the close's locking read, or the transition's UPDATE),
    so it sees every deposit committed before. A deposit committed later was opened by someone
    who read the sale as still open; ``_settle_if_decided`` makes them look again under the
    same lock and settle it themselves.
    """
    return Payment.objects.filter(
        purpose=PaymentPurpose.DEPOSIT, sale_id=sale.pk, deposit_outcome=""
    ).exists()


def sales_with_live_deposits(*, sale_ids: list[int]) -> set[int]:
    """Of ``sale_ids``, the sales with a deposit not yet settled (deposits_live_exist for a
    batch of sales whose row locks the caller holds)."""
    return set(
        Payment.objects.filter(
            purpose=PaymentPurpose.DEPOSIT, sale_id__in=sale_ids, deposit_outcome=""
        )
        .values_list("sale_id", flat=True)
        .distinct()
    )


def _settle_if_decided(*, sale: Sale) -> None:
    """After a deposit of ``sale`` was recorded: if the sale was decided meanwhile, its final
    transition may not have seen the deposit (it read before our row committed), so the
    settling is sent from here. Twice is harmless: settling is idempotent.

    The row lock waits for a close still in progress; a close that comes after this lock finds
    our committed deposit itself (deposits_live_exist).
    """
    with transaction.atomic():
        status = Sale.objects.select_for_update().values_list("status", flat=True).get(pk=sale.pk)
        if not SALE_TRANSITIONS[status]:
            outbox.enqueue("payments.settle_deposits", sale_id=sale.pk)


def ensure_deposit(*, sale: Sale, organisation: Organisation) -> None:
    """Refuse a bid unless the bidder holds an authorised deposit of the required amount."""
    required = deposit_required_amount(sale)
    if not required:
        return
    held = live_deposit(sale=sale, organisation=organisation)
    if held and held.status == PaymentStatus.REQUIRES_CAPTURE and held.amount >= required:
        return
    message = _(
        "This lot needs a deposit of %(amount)s %(currency)s before you bid: authorise it with "
        "a card at /payments/sales/%(sale)s/deposit/ (API: POST a payment_method to "
        "/api/v1/payments/sales/%(sale)s/deposit/). It is released if you do not win."
    ) % {"amount": f"{required:,.0f}", "currency": sale.currency, "sale": sale.pk}
    raise DepositRequired(message, fields={"deposit": [message]})


def deposit_authorise(
    *, sale: Sale, user: User, payment_method: str | None, now: datetime | None = None
) -> Payment:
    """Hold the sale's deposit on the bidder's card. Returns the live deposit if there is one.

    With a payment method (a ``pm_…`` id) the hold is placed at once; without one the
    returned ``client_secret`` lets Stripe.js confirm it in the browser.
    """
    now = now or timezone.now()
    organisation = ensure_can_trade(user=user)
    if sale.listing.seller_id == organisation.pk:
        raise OwnListing()
    if sale.status != SaleStatus.OPEN or now >= sale.ends_at:
        raise InvalidTransition(_("Deposits are taken only while the sale is open."))
    amount = deposit_required_amount(sale)
    if not amount:
        raise DomainError(_("This lot needs no deposit; you can bid right away."))
    held = live_deposit(sale=sale, organisation=organisation)
    if held is not None:
        if held.status == PaymentStatus.REQUIRES_CAPTURE and held.amount >= amount:
            return held
        # A hold that never completed (declined, abandoned) makes way for the new attempt.
        payment_cancel(payment=held)
        Payment.objects.filter(pk=held.pk).update(deposit_outcome=DepositOutcome.EXPIRED)
    deposit = payment_open(
        payer=user,
        purpose=PaymentPurpose.DEPOSIT,
        reference=f"sale:{sale.pk}",
        amount=amount,
        currency=sale.currency,
        manual_capture=True,
        payment_method=payment_method or None,
        sale=sale,
        organisation=organisation,
    )
    _settle_if_decided(sale=sale)
    return deposit


def deposits_settle(*, sale: Sale) -> dict[str, int]:
    """After a sale's last transition: capture the winner's deposit and apply it to the order;
    release everyone else's. Idempotent: settled deposits are no longer live.

    The capture is the deposit or the order amount, whichever is less (Stripe captures once,
    possibly less than authorised; the rest of the hold is released by the capture).
    """
    sale.refresh_from_db()
    if sale.status in (SaleStatus.OPEN, SaleStatus.CLOSED):
        raise InvalidTransition(_("Deposits are settled once the sale is decided."))
    order = Order.objects.filter(sale=sale).first()
    counts = {"captured": 0, "released": 0}
    deposits = Payment.objects.filter(
        purpose=PaymentPurpose.DEPOSIT, sale=sale, deposit_outcome=""
    ).order_by("pk")
    for deposit in deposits:
        winner = (
            order is not None
            and order.status != OrderStatus.CANCELLED
            and deposit.organisation_id == order.buyer_organisation_id
        )
        if winner and deposit.status == PaymentStatus.REQUIRES_CAPTURE:
            _capture_for_order(deposit, order)
            counts["captured"] += 1
        else:
            payment_cancel(payment=deposit)
            Payment.objects.filter(pk=deposit.pk, deposit_outcome="").update(
                deposit_outcome=DepositOutcome.RELEASED
            )
            counts["released"] += 1
    return counts


def _capture_for_order(deposit: Payment, order: Order) -> None:
    # Imported here: settlement reaches trading's services, which call ensure_deposit above.
    from marketplace.payments.services.settlement import order_payment_recorded

    amount = min(deposit.amount, order.amount)
    captured = payment_capture(payment=deposit, amount=amount)
    with transaction.atomic():
        Payment.objects.filter(pk=deposit.pk).update(
            deposit_outcome=DepositOutcome.CAPTURED, order=order
        )
        if captured.status == PaymentStatus.SUCCEEDED:
            order_payment_recorded(
                order=Order.objects.get(pk=order.pk),
                reason=f"deposit {deposit.pk} captured and applied",
            )


def deposits_renew_due(*, now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Renew holds older than the renewal age on sales still open, a bounded batch.

    With the card saved on the deposit: release the old hold and place a new one (the old row
    says RENEWED). Without one, or if the card now declines: the bidder must authorise again
    (EXPIRED; their next bid is refused with `deposit_required`).
    """
    now = now or timezone.now()
    cutoff = now - timedelta(hours=get_fee_rules().deposit_renew_after_hours)
    due = list(
        Payment.objects.filter(
            purpose=PaymentPurpose.DEPOSIT,
            deposit_outcome="",
            status=PaymentStatus.REQUIRES_CAPTURE,
            authorised_at__lt=cutoff,
            sale__status=SaleStatus.OPEN,
        )
        .select_related("sale__listing", "payer", "organisation")
        .order_by("authorised_at", "pk")[:limit]
    )
    counts = {"renewed": 0, "expired": 0}
    for deposit in due:
        payment_cancel(payment=deposit)
        if not deposit.payment_method_id:
            Payment.objects.filter(pk=deposit.pk).update(deposit_outcome=DepositOutcome.EXPIRED)
            counts["expired"] += 1
            continue
        Payment.objects.filter(pk=deposit.pk).update(deposit_outcome=DepositOutcome.RENEWED)
        try:
            renewed = payment_open(
                payer=deposit.payer,
                purpose=PaymentPurpose.DEPOSIT,
                reference=deposit.reference,
                amount=deposit.amount,
                currency=deposit.currency,
                manual_capture=True,
                payment_method=deposit.payment_method_id,
                sale=deposit.sale,
                organisation=deposit.organisation,
            )
        except PaymentProviderError:
            logger.warning("renewing deposit %s failed; the bidder must authorise again", deposit)
            Payment.objects.filter(pk=deposit.pk).update(deposit_outcome=DepositOutcome.EXPIRED)
            counts["expired"] += 1
            continue
        if renewed.status == PaymentStatus.REQUIRES_CAPTURE:
            counts["renewed"] += 1
            _settle_if_decided(sale=deposit.sale)  # the sale may have closed since the read
        else:
            payment_cancel(payment=renewed)
            Payment.objects.filter(pk=renewed.pk).update(deposit_outcome=DepositOutcome.EXPIRED)
            counts["expired"] += 1
    return counts
