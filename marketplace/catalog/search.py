"""The listing's search columns: its item's headline figures, kept on the listing row.

Browsing filters and sorts on chemistry, SOH, grade, SOH source, capacity and free text. Those
live on three item tables (a used EV's pack is `pack` too); reading them through joins and
COALESCE made every search join and sort the whole catalogue (docs/benchmarks.md). The
catalog services that create or change a listing or its item write these columns here, in the
same transaction; `listings_search_refresh` rewrites them for listings whose item changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from marketplace.catalog.choices import ListingType
from marketplace.catalog.models import Listing

SEARCH_FIELDS = (
    "item_chemistry",
    "item_soh_pct",
    "item_grade",
    "item_soh_source",
    "item_capacity_kwh",
    "search_text",
)


def listing_search_values(listing: Listing) -> dict[str, Any]:
    """The search columns of ``listing`` from its item(s), as ``Listing`` field values."""
    pack, module_lot, black_mass = listing.pack, listing.module_lot, listing.black_mass_lot
    vehicle = listing.vehicle
    holder = module_lot if listing.listing_type == ListingType.MODULE_LOT else pack
    if holder is not None:
        chemistry = holder.chemistry
    else:
        chemistry = black_mass.source_chemistry if black_mass is not None else ""
    if pack is not None:
        capacity = pack.rated_capacity_kwh
    else:
        capacity = module_lot.total_capacity_kwh if module_lot is not None else None
    words = [
        listing.title,
        vehicle.make if vehicle else "",
        vehicle.model if vehicle else "",
        pack.manufacturer if pack else "",
        module_lot.manufacturer if module_lot else "",
        module_lot.module_type if module_lot else "",
    ]
    return {
        "item_chemistry": chemistry or "",
        "item_soh_pct": holder.soh_pct if holder is not None else None,
        "item_grade": holder.grade if holder is not None else "",
        "item_soh_source": holder.soh_source if holder is not None else "",
        "item_capacity_kwh": capacity,
        "search_text": search_text_of(words),
    }


def search_text_of(words: Iterable[str | None]) -> str:
    """One lower-case line: the text search matches lower-case words anywhere in it."""
    return " ".join(word.strip() for word in words if word and word.strip()).lower()


def listings_search_refresh(listings: Iterable[Listing]) -> None:
    """Write the search columns of these listings from their items as they are now."""
    for listing in listings:
        values = listing_search_values(listing)
        if any(getattr(listing, name) != value for name, value in values.items()):
            Listing.objects.filter(pk=listing.pk).update(**values)
            for name, value in values.items():
                setattr(listing, name, value)


def listings_of_item_search_refresh(item: Any) -> None:
    """After an item changed (its SOH certified, its details edited): its listings' columns."""
    field = {
        "UsedVehicle": "vehicle",
        "BatteryPack": "pack",
        "ModuleLot": "module_lot",
        "BlackMassLot": "black_mass_lot",
    }
    name = field.get(type(item).__name__)
    if name is None:
        return
    listings = Listing.objects.filter(**{name: item}).select_related(
        "vehicle", "pack", "module_lot", "black_mass_lot"
    )
    listings_search_refresh(listings)
