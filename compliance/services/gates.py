"""Gates other apps call before shipping or paying out: nothing crosses a border unapproved.

Domestic movements (origin and destination in the same country) need no case.
"""

from compliance.choices import CaseStatus
from compliance.models import ShipmentCase
from marketplace.accounts.models import Organisation
from marketplace.catalog.models import Listing


def shipment_cleared(
    *, listing: Listing, buyer_organisation: Organisation, destination: str | None = None
) -> bool:
    """True if the lot may ship to the buyer: domestic, or an approved shipment case.

    `destination` defaults to the buyer organisation's country.
    """
    destination_code = (destination or buyer_organisation.country.code).upper()
    if destination_code == listing.country.code:
        return True
    return ShipmentCase.objects.filter(
        listing=listing,
        buyer_organisation=buyer_organisation,
        destination=destination_code,
        status=CaseStatus.APPROVED,
    ).exists()


def payout_allowed(
    *, listing: Listing, buyer_organisation: Organisation, destination: str | None = None
) -> bool:
    """True if the seller may be paid, as far as compliance goes (same rule as shipping;
    payments adds delivery confirmation)."""
    return shipment_cleared(
        listing=listing, buyer_organisation=buyer_organisation, destination=destination
    )
