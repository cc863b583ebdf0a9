"""Payouts: the seller's share, released only when compliance and the buyer allow it.

Gates, all checked under the order's row lock: the order is DELIVERED (the buyer confirmed
delivery), compliance's `payout_allowed` is true (an approved shipment case for a cross-border
order), and a black-mass order's final balance is settled. The Payout row's constraints repeat
the first two, so no code path can write a payout around them.

Transfers: with real Stripe and the seller's connected account (SellerPayoutAccount) the net goes
out as a Stripe Transfer (separate charges and transfers); otherwise, and always on localstripe,
which has no Connect transfers, the payout is recorded as MANUAL: staff pay it by bank transfer.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.services.gates import payout_allowed
from marketplace.accounts.models import User
from marketplace.core.exceptions import ConflictError, InvalidTransition, PermissionDeniedError
from marketplace.payments.choices import PayoutMethod, PayoutStatus
from marketplace.payments.clients import stripe_client
from marketplace.payments.models import Payout, SellerPayoutAccount
from marketplace.payments.money import to_minor_units
from marketplace.payments.rules import get_fee_rules
from marketplace.payments.services.invoices import invoice_balance_settled
from marketplace.payments.services.settlement import order_collected
from marketplace.trading.choices import OrderStatus
from marketplace.trading.models import Order
from marketplace.trading.services.orders import order_mark_settled, shipment_case_of


class PayoutNotAllowed(InvalidTransition):
    code = "payout_not_allowed"


def payout_release(*, order: Order, actor: User) -> Payout:
    """Record the seller's payout (gross collected − platform fee) and settle the order."""
    if not actor.is_staff:
        raise PermissionDeniedError(_("Only platform staff release payouts."))
    now = timezone.now()
    with transaction.atomic():
        # Two staff pressing "release" at once: the second waits here and then finds the payout.
        locked = (
            Order.objects.select_for_update()
            .select_related("listing", "buyer_organisation")
            .get(pk=order.pk)
        )
        if Payout.objects.filter(order=locked).exists():
            raise ConflictError(_("This order's payout is already released."))
        if not payout_allowed(listing=locked.listing, buyer_organisation=locked.buyer_organisation):
            raise PayoutNotAllowed(_("No payout before the compliance shipment case is approved."))
        if locked.status != OrderStatus.DELIVERED or locked.delivery_confirmed_at is None:
            raise PayoutNotAllowed(_("No payout before the buyer confirms delivery."))
        if not invoice_balance_settled(locked):
            raise PayoutNotAllowed(_("No payout before the final assay invoice is settled."))
        rules = get_fee_rules()
        gross = order_collected(locked)
        fee = rules.fee(
            gross=gross, listing_type=locked.listing.listing_type, currency=locked.currency
        )
        account = SellerPayoutAccount.objects.filter(
            organisation_id=locked.seller_organisation_id
        ).first()
        by_transfer = account is not None and stripe_client.supports_transfers()
        case = shipment_case_of(locked, approved_only=True) if locked.cross_border else None
        if locked.cross_border and case is None:  # the gate said yes; the case must exist
            raise PayoutNotAllowed(_("No payout before the compliance shipment case is approved."))
        try:
            with transaction.atomic():
                payout = Payout.objects.create(
                    order=locked,
                    seller_organisation_id=locked.seller_organisation_id,
                    gross=gross,
                    fee=fee,
                    net=gross - fee,
                    currency=locked.currency,
                    fee_pct=rules.fee_pct(locked.listing.listing_type),
                    fee_rules_version=rules.version,
                    method=PayoutMethod.STRIPE_TRANSFER if by_transfer else PayoutMethod.MANUAL,
                    status=PayoutStatus.RECORDED,
                    cross_border=locked.cross_border,
                    compliance_case=case,
                    delivery_confirmed_at=locked.delivery_confirmed_at,
                    released_by=actor,
                    created_at=now,
                )
        except IntegrityError:
            raise ConflictError(_("This order's payout is already released.")) from None
        order_mark_settled(
            order=locked, actor=actor, reason=f"payout {payout.pk}: {payout.net}", now=now
        )
    if by_transfer:
        payout_transfer(payout=payout, destination=account.stripe_account_id)
    return payout


def payout_transfer(*, payout: Payout, destination: str) -> Payout:
    """Send a recorded payout to the connected account; keyed by the payout, safe to retry."""
    if payout.status == PayoutStatus.TRANSFERRED:
        return payout
    transfer_id = stripe_client.create_transfer(
        amount_minor=to_minor_units(payout.net, payout.currency),
        currency=payout.currency,
        destination=destination,
        transfer_group=f"order-{payout.order_id}",
        idempotency_key=f"payout-{payout.pk}-transfer",
        metadata={"payout_id": str(payout.pk), "order_id": str(payout.order_id)},
    )
    Payout.objects.filter(pk=payout.pk).update(
        status=PayoutStatus.TRANSFERRED, stripe_transfer_id=transfer_id
    )
    payout.refresh_from_db()
    return payout
