"""Sealed tenders: submit and withdraw bids while open; evaluate and rank them at the close.

Bids are read by nobody but their bidder before the close (selectors enforce it). At the close
every live bid is valued against the lot's declared assay and the reference prices snapshotted at
that moment (pricing.rank_tender_bids: value descending, ties to the earlier bid); the snapshot,
the lot and the ranking are stored in TenderClose so the award can be audited and re-run.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.catalog.choices import ListingType
from marketplace.catalog.models import Listing
from marketplace.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from marketplace.payments.services.deposits import ensure_deposit
from marketplace.trading import pricing
from marketplace.trading.exceptions import SaleClosed
from marketplace.trading.models import Sale, TenderBid, TenderClose
from marketplace.trading.selectors import reference_price_snapshot
from marketplace.trading.services.eligibility import ensure_may_bid, listing_assay


def lot_for_tender(listing: Listing) -> pricing.LotAssay:
    """What bids are evaluated against: a black-mass lot's weight, moisture and dry assay, or a
    pack's mass (no moisture, no assay: only fixed prices per tonne apply)."""
    if listing.listing_type == ListingType.BLACK_MASS:
        lot = listing.black_mass_lot
        return pricing.LotAssay(
            wet_kg=lot.wet_weight_kg,
            moisture_pct=lot.moisture_pct,
            assay_pct=listing_assay(listing),
        )
    return pricing.LotAssay(
        wet_kg=listing.pack.mass_kg or Decimal(0), moisture_pct=Decimal(0), assay_pct={}
    )


def _pricing_bid(bid: TenderBid) -> pricing.TenderBid:
    return pricing.TenderBid(
        reference=bid.pk,
        submitted_at=bid.submitted_at,
        fixed_jpy_per_dry_tonne=bid.fixed_jpy_per_dry_tonne,
        payables_pct=(
            {el: Decimal(str(pct)) for el, pct in bid.payables_pct.items()}
            if bid.payables_pct is not None
            else None
        ),
        penalties=bid.penalties or None,
    )


def tender_bid_submit(
    *,
    sale: Sale,
    user: User,
    fixed_jpy_per_dry_tonne: Decimal | None = None,
    payables_pct: dict[str, Decimal] | None = None,
    penalties: list[dict[str, Any]] | None = None,
    now: datetime | None = None,
) -> TenderBid:
    """Submit a sealed bid: a fixed JPY price per dry tonne, or payables per element (with an
    optional penalty schedule). One live bid per organisation; withdraw it to bid again."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Sale.objects.select_for_update().select_related("listing").get(pk=sale.pk)
        if not locked.is_tender:
            raise DomainError(_("This sale is not a sealed tender."))
        organisation = ensure_may_bid(user=user, sale=locked, now=now)
        ensure_deposit(sale=locked, organisation=organisation)
        if payables_pct and locked.listing.listing_type != ListingType.BLACK_MASS:
            message = _("This lot has no assay: bid a fixed price per tonne.")
            raise DomainError(message, fields={"payables_pct": [message]})
        candidate = pricing.TenderBid(
            reference=None,
            submitted_at=now,
            fixed_jpy_per_dry_tonne=fixed_jpy_per_dry_tonne,
            payables_pct=payables_pct or None,
            penalties=penalties or None,
        )
        # Value it at a price of 1 JPY/kg per element: checks every input rule of the valuation
        # now, so the close never meets a bid it cannot evaluate for a malformed input.
        pricing.tender_bid_value(
            candidate,
            lot_for_tender(locked.listing),
            {element: Decimal(1) for element in (payables_pct or {})},
        )
        try:
            with transaction.atomic():
                return TenderBid.objects.create(
                    sale=locked,
                    bidder_organisation=organisation,
                    submitted_by=user,
                    fixed_jpy_per_dry_tonne=fixed_jpy_per_dry_tonne,
                    payables_pct=(
                        {el: str(pct) for el, pct in payables_pct.items()} if payables_pct else None
                    ),
                    penalties=[
                        {key: str(value) for key, value in penalty.items()}
                        for penalty in penalties or []
                    ],
                    submitted_at=now,
                )
        except IntegrityError:
            raise ConflictError(
                _("Your organisation has a bid in this tender; withdraw it to submit another.")
            ) from None


def tender_bid_withdraw(
    *, tender_bid: TenderBid, user: User, now: datetime | None = None
) -> TenderBid:
    """Withdraw one's own bid before the close."""
    now = now or timezone.now()
    if not user.is_authenticated or tender_bid.bidder_organisation_id != user.organisation_id:
        raise PermissionDeniedError(_("Only the bidding organisation can withdraw its bid."))
    with transaction.atomic():
        locked = Sale.objects.select_for_update().get(pk=tender_bid.sale_id)
        if not locked.accepts_bids_at(now):
            raise SaleClosed(_("The tender has closed; bids can no longer be withdrawn."))
        if (
            TenderBid.objects.filter(pk=tender_bid.pk, withdrawn_at__isnull=True).update(
                withdrawn_at=now
            )
            != 1
        ):
            raise ConflictError(_("This bid is already withdrawn."))
    tender_bid.refresh_from_db()
    return tender_bid


def tender_close(*, sale: Sale, now: datetime) -> TenderBid | None:
    """Evaluate and rank the live bids of a (locked, closing) tender; the winner or None.

    A bid that cannot be valued at the snapshot (a payable on an element with no reference price
    that day) is recorded as not evaluated and takes no rank. The winner is rank 1 if its value
    is above zero and reaches the hidden reserve (a total in JPY), if any.
    """
    snapshot = reference_price_snapshot(timezone.localdate(now))
    lot = lot_for_tender(sale.listing)
    bids = list(TenderBid.objects.filter(sale=sale, withdrawn_at__isnull=True))
    valid, unevaluated = [], []
    for bid in bids:
        candidate = _pricing_bid(bid)
        try:
            pricing.tender_bid_value(candidate, lot, snapshot.prices_jpy_per_kg)
        except pricing.QuoteInputError as error:
            unevaluated.append({"tender_bid_id": bid.pk, "reason": error.message})
        else:
            valid.append(candidate)
    ranked = pricing.rank_tender_bids(valid, lot, snapshot.prices_jpy_per_kg)
    by_id = {bid.pk: bid for bid in bids}
    results = []
    for entry in ranked:
        row = by_id[entry.bid.reference]
        row.rank, row.value_jpy = entry.rank, entry.value_jpy
        row.save(update_fields=["rank", "value_jpy"])
        results.append(
            {
                "tender_bid_id": row.pk,
                "bidder_organisation_id": row.bidder_organisation_id,
                "rank": entry.rank,
                "value_jpy": entry.value_jpy,
                "submitted_at": row.submitted_at.isoformat(),
            }
        )
    TenderClose.objects.create(
        sale=sale,
        closed_at=now,
        reference_prices=snapshot.as_json(),
        lot={
            "wet_kg": str(lot.wet_kg),
            "moisture_pct": str(lot.moisture_pct),
            "assay_pct": {el: str(pct) for el, pct in lot.assay_pct.items()},
        },
        results={"ranking": results, "not_evaluated": unevaluated},
    )
    if not ranked:
        return None
    winner = by_id[ranked[0].bid.reference]
    if winner.value_jpy <= 0:
        return None
    if sale.reserve_price is not None and winner.value_jpy < sale.reserve_price:
        return None
    return winner
