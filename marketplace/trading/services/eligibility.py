"""Who may bid, buy or make an offer on a sale: one gate for every path, with specific codes.

Order of the checks (the first that fails answers): the sale takes bids (``sale_closed``), the
user trades for a verified organisation (``organisation_not_verified``/``permission_denied``),
the lot is not their own (``own_listing``), a waste lot needs a permit (``permit_required``),
the domestic-first window (``domestic_first_window``), the lot may legally reach the buyer's
country (``destination_blocked``, from the compliance pre-check).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from compliance.services.cases import listing_assay, listing_classification
from compliance.services.precheck import precheck_from_raw
from marketplace.accounts.models import Organisation, User
from marketplace.accounts.services import ensure_can_trade, organisation_may_buy_waste
from marketplace.catalog.models import Listing
from marketplace.circularity.services.policy import domestic_first_for
from marketplace.trading.exceptions import (
    DestinationBlocked,
    DomesticFirstWindow,
    OwnListing,
    PermitRequired,
    SaleClosed,
)
from marketplace.trading.models import Sale
from marketplace.trading.rules import get_rules


def ensure_may_bid(*, user: User, sale: Sale, now: datetime.datetime) -> Organisation:
    """The buying organisation, or a DomainError saying why this user may not bid now."""
    if not sale.accepts_bids_at(now):
        if sale.status == "open" and now < sale.starts_at:
            raise SaleClosed(_("This sale has not started yet."))
        raise SaleClosed()
    organisation = ensure_can_trade(user=user)
    listing = sale.listing
    if listing.seller_id == organisation.pk:
        raise OwnListing()
    if listing_is_waste(listing) and not organisation_may_buy_waste(
        organisation=organisation, on=timezone.localdate(now)
    ):
        raise PermitRequired()
    if sale.is_domestic_only_at(now) and not _counts_as_domestic(
        sale=sale, listing=listing, organisation=organisation
    ):
        raise DomesticFirstWindow(
            _(
                "Until %(until)s only buyers in %(country)s may bid on this lot "
                "(domestic-first window)."
            )
            % {
                "until": formats.date_format(
                    timezone.localtime(sale.domestic_first_until), "DATETIME_FORMAT"
                ),
                "country": listing.country.name,
            }
        )
    destination = organisation.country.code
    if destination != listing.country.code:
        check = sale_precheck_for(sale=sale, destination=destination, on=timezone.localdate(now))
        if not check["allowed"]:
            # The rules' reasons are English messages of the catalogue (compliance_rule_messages).
            reasons = " ".join(gettext(block["reason"]) for block in check["blocks"])
            raise DestinationBlocked(
                _("This lot cannot legally go to %(country)s: %(reasons)s")
                % {"country": organisation.country.name, "reasons": reasons}
            )
    return organisation


def _counts_as_domestic(*, sale: Sale, listing: Listing, organisation: Organisation) -> bool:
    """Who counts as domestic: the policy the sale was opened under (partners, exemptions).
    A buyer in the lot's own country is domestic under every version, so most bids in a window
    are let through without reading the policy (a statement and a round trip per bid)."""
    lot_country = listing.country.code
    if organisation.country.code == lot_country:
        return True
    policy = domestic_first_for(listing.listing_type, at=sale.created_at)
    return policy.treats_as_domestic(organisation=organisation, lot_country=lot_country)


def listing_is_waste(listing: Listing) -> bool:
    """Black mass, and packs or module lots graded for recycling (market_rules.yaml waste_lots)."""
    rules = get_rules()
    if listing.listing_type in rules.waste_listing_types:
        return True
    holder = listing.soh_holder
    return bool(holder is not None and holder.grade in rules.waste_grades)


def listing_material(listing: Listing, *, on: datetime.date):
    """The compliance classification of the listing, exactly as a shipment case will see it
    (compliance.services.cases.listing_classification), so the pre-check and the case agree."""
    return listing_classification(listing=listing, on=on)


def sale_precheck_for(*, sale: Sale, destination: str, on: datetime.date) -> dict[str, Any]:
    """The compliance pre-check of this lot travelling to ``destination``, plus the material."""
    listing = sale.listing
    classification = listing_material(listing, on=on)
    result = precheck_from_raw(
        material=classification.material,
        origin=listing.country.code,
        destination=destination,
        on=on.isoformat(),
        assay={key: str(value) for key, value in listing_assay(listing).items()},
    )
    return {
        "material": classification.material,
        "origin": listing.country.code,
        "destination": destination,
        **result.as_dict(),
    }
