"""Offers on fixed-price sales: the buyer offers, the seller accepts, counters or declines.

A negotiation is a chain of offers (``parent``); each answer closes the offer it answers with a
conditional update, so a seller accepting while the buyer withdraws cannot both succeed. Offers
expire at ``expires_at``: acceptance checks it, and the sweeper marks expired offers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from marketplace.trading.choices import OFFER_TRANSITIONS, OfferStatus, OrderOrigin, SaleStatus
from marketplace.trading.exceptions import SaleClosed
from marketplace.trading.models import Offer, Order, Sale
from marketplace.trading.rules import get_rules
from marketplace.trading.services.bidding import _check_amount
from marketplace.trading.services.eligibility import ensure_may_bid
from marketplace.trading.services.sales import award, ensure_sale_seller


class OfferExpired(ConflictError):
    code = "offer_expired"


def _validity(hours: int | None) -> timedelta:
    rules = get_rules()
    hours = rules.offer_default_validity_hours if hours is None else hours
    if not 1 <= hours <= rules.offer_max_validity_hours:
        message = _("An offer stays open between 1 and %(max)s hours.") % {
            "max": rules.offer_max_validity_hours
        }
        raise DomainError(message, fields={"validity_hours": [message]})
    return timedelta(hours=hours)


def _check_offer_amount(sale: Sale, amount: Decimal) -> None:
    try:
        _check_amount(sale, amount)
    except DomainError as error:
        raise DomainError(error.message, fields={"amount": [error.message]}) from None
    if sale.buy_now_price is not None and amount >= sale.buy_now_price:
        message = _("That is the asking price or more: buy it now instead.")
        raise DomainError(message, fields={"amount": [message]})


def offer_make(
    *,
    sale: Sale,
    user: User,
    amount: Decimal,
    validity_hours: int | None = None,
    now: datetime | None = None,
) -> Offer:
    """A buyer offers less than the asking price of an open fixed-price sale."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Sale.objects.select_for_update().select_related("listing").get(pk=sale.pk)
        if not locked.is_fixed_price:
            raise DomainError(_("Offers are for fixed-price sales; bid instead."))
        organisation = ensure_may_bid(user=user, sale=locked, now=now)
        _check_offer_amount(locked, amount)
        expires_at = min(now + _validity(validity_hours), locked.ends_at)
        try:
            with transaction.atomic():
                return Offer.objects.create(
                    sale=locked,
                    buyer_organisation=organisation,
                    made_by=user,
                    amount=amount,
                    expires_at=expires_at,
                    created_at=now,
                )
        except IntegrityError:
            raise ConflictError(
                _("Your organisation already has an open offer on this sale.")
            ) from None


def _ensure_answering_side(*, offer: Offer, user: User, sale: Sale, now: datetime) -> None:
    """The side that did not make the offer answers it; a buyer must still be eligible."""
    if offer.made_by_seller:
        organisation = ensure_may_bid(user=user, sale=sale, now=now)
        if organisation.pk != offer.buyer_organisation_id:
            raise PermissionDeniedError(_("This counter-offer is for another buyer."))
    else:
        ensure_sale_seller(user=user, sale=sale)


def _lock(offer: Offer, now: datetime) -> tuple[Sale, Offer]:
    sale = Sale.objects.select_for_update().select_related("listing").get(pk=offer.sale_id)
    current = Offer.objects.select_for_update().get(pk=offer.pk)
    if current.status != OfferStatus.OPEN:
        raise ConflictError(
            _("This offer is already %(status)s.")
            % {"status": OfferStatus(current.status).label.lower()}
        )
    if current.expires_at <= now:
        raise OfferExpired(_("This offer expired at its deadline."))
    if sale.status != SaleStatus.OPEN:
        raise SaleClosed()
    return sale, current


def _move(offer: Offer, to_status: str, now: datetime) -> None:
    if to_status not in OFFER_TRANSITIONS[offer.status]:
        raise ConflictError()
    moved = Offer.objects.filter(pk=offer.pk, status=offer.status).update(
        status=to_status, responded_at=now
    )
    if moved != 1:
        raise ConflictError()
    offer.status = to_status
    offer.responded_at = now


def offer_accept(*, offer: Offer, user: User, now: datetime | None = None) -> Order:
    """Accept an open offer (the seller) or counter-offer (the buyer): the sale is awarded."""
    now = now or timezone.now()
    with transaction.atomic():
        sale, current = _lock(offer, now)
        _ensure_answering_side(offer=current, user=user, sale=sale, now=now)
        _move(current, OfferStatus.ACCEPTED, now)
        order = award(
            sale=sale,
            from_status=SaleStatus.OPEN,
            buyer_organisation=current.buyer_organisation,
            amount=current.amount,
            origin=OrderOrigin.OFFER,
            actor=user,
            now=now,
        )
        Offer.objects.filter(sale=sale, status=OfferStatus.OPEN).update(
            status=OfferStatus.DECLINED, responded_at=now
        )
    offer.refresh_from_db()
    return order


def offer_decline(*, offer: Offer, user: User, now: datetime | None = None) -> Offer:
    now = now or timezone.now()
    with transaction.atomic():
        sale, current = _lock(offer, now)
        if current.made_by_seller:
            if not user.is_authenticated or user.organisation_id != current.buyer_organisation_id:
                raise PermissionDeniedError(_("This counter-offer is for another buyer."))
        else:
            ensure_sale_seller(user=user, sale=sale)
        _move(current, OfferStatus.DECLINED, now)
    offer.refresh_from_db()
    return offer


def offer_counter(
    *,
    offer: Offer,
    user: User,
    amount: Decimal,
    validity_hours: int | None = None,
    now: datetime | None = None,
) -> Offer:
    """Answer an open offer with another amount; returns the new (counter) offer."""
    now = now or timezone.now()
    with transaction.atomic():
        sale, current = _lock(offer, now)
        _ensure_answering_side(offer=current, user=user, sale=sale, now=now)
        _check_amount_for_counter(sale, amount, current)
        validity = _validity(validity_hours)
        _move(current, OfferStatus.COUNTERED, now)
        return Offer.objects.create(
            sale=sale,
            buyer_organisation_id=current.buyer_organisation_id,
            made_by_seller=not current.made_by_seller,
            made_by=user,
            parent=current,
            amount=amount,
            expires_at=min(now + validity, sale.ends_at),
            created_at=now,
        )


def _check_amount_for_counter(sale: Sale, amount: Decimal, offer: Offer) -> None:
    try:
        _check_amount(sale, amount)
    except DomainError as error:
        raise DomainError(error.message, fields={"amount": [error.message]}) from None
    if amount == offer.amount:
        message = _("A counter-offer names a different amount; accept the offer instead.")
        raise DomainError(message, fields={"amount": [message]})


def offer_withdraw(*, offer: Offer, user: User, now: datetime | None = None) -> Offer:
    """The side that made the offer takes it back while it is open."""
    now = now or timezone.now()
    with transaction.atomic():
        sale, current = _lock(offer, now)
        if current.made_by_seller:
            ensure_sale_seller(user=user, sale=sale)
        elif not user.is_authenticated or user.organisation_id != current.buyer_organisation_id:
            raise PermissionDeniedError(
                _("Only the organisation that made the offer can withdraw it.")
            )
        _move(current, OfferStatus.WITHDRAWN, now)
    offer.refresh_from_db()
    return offer


def offers_expire_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Mark up to ``limit`` open offers past their deadline as expired; how many."""
    now = now or timezone.now()
    due = list(
        Offer.objects.filter(status=OfferStatus.OPEN, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return Offer.objects.filter(pk__in=due, status=OfferStatus.OPEN).update(
        status=OfferStatus.EXPIRED, responded_at=now
    )
