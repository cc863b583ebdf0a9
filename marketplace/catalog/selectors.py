"""Reads of the catalog; who may see which listing is decided here, once.

Drafts, closed and withdrawn listings are visible to the seller organisation and staff;
published, in-sale and sold listings to everyone (anonymous visitors may browse too).
A listing someone may not see is not found, not forbidden: ids do not leak.
"""

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.catalog.choices import PUBLIC_STATUSES
from marketplace.catalog.models import (
    Listing,
    ListingAttachment,
    SavedSearch,
    WatchlistEntry,
)
from marketplace.core.exceptions import PermissionDeniedError

# The item's headline figures under the names the browse filters, sorts and the HTML rows
# use: the listing's own search columns (`catalog.search`).
SEARCH_COLUMNS = {
    "chemistry_code": F("item_chemistry"),
    "soh_value": F("item_soh_pct"),
    "grade_code": F("item_grade"),
    "soh_source_code": F("item_soh_source"),
    "capacity_kwh": F("item_capacity_kwh"),
}
ITEM_RELATIONS = ("seller", "vehicle", "pack", "module_lot", "black_mass_lot")


def listings_annotated() -> QuerySet[Listing]:
    """Listings with their seller and item, and the headline figures of their item as columns
    to filter and sort on.

    A used EV's pack is `pack` as well, so packs and EVs share one path; module lots
    carry their own SOH, black mass only a source chemistry. The figures are the listing's own
    search columns (`catalog.search`), so filtering and sorting never join the item tables.
    """
    return Listing.objects.select_related(*ITEM_RELATIONS).annotate(**SEARCH_COLUMNS)


def listings_searchable() -> QuerySet[Listing]:
    """The listing table alone, with the names of `listings_annotated()` as aliases (filtered
    and sorted on, not selected): what a search filters, counts and orders before
    the rows of one page are read with their seller and item
    (`catalog.api.serializers.listing_rows_for_keys`)."""
    return Listing.objects.alias(**SEARCH_COLUMNS)


def listing_visibility(user: User, *, prefix: str = "") -> Q:
    """Which listings the user sees (staff: all), as a condition on the listing row itself;
    ``prefix`` is the path to the listing from another model (``"listing__"``)."""
    kind, organisation = listing_visibility_key(user)
    if kind == "all":
        return Q()
    public = Q(**{f"{prefix}status__in": PUBLIC_STATUSES})
    if kind == "organisation":
        return public | Q(**{f"{prefix}seller_id": organisation})
    return public


def listing_visibility_key(user: User) -> tuple[str, int | None]:
    """All that `listing_visibility` depends on: ``("all", None)`` for staff,
    ``("organisation", id)`` for a member of one, ``("public", None)`` for anyone else."""
    if user.is_authenticated and user.is_staff:
        return "all", None
    if user.is_authenticated and user.organisation_id:
        return "organisation", user.organisation_id
    return "public", None


def listings_for_user(*, user: User) -> QuerySet[Listing]:
    return _visible_to(listings_annotated(), user)


def listings_searchable_for_user(*, user: User) -> QuerySet[Listing]:
    """`listings_for_user()` on the listing table alone, for a search (see
    `listings_searchable()`)."""
    return _visible_to(listings_searchable(), user)


def _visible_to(queryset: QuerySet[Listing], user: User) -> QuerySet[Listing]:
    if listing_visibility_key(user)[0] == "all":
        return queryset  # staff: no condition to add
    return queryset.filter(listing_visibility(user))


def listing_get_for_user(*, user: User, pk: int) -> Listing:
    try:
        return listings_for_user(user=user).get(pk=pk)
    except Listing.DoesNotExist:
        raise Http404 from None


def listing_get_for_seller(*, user: User, pk: int) -> Listing:
    """A listing the user may change: hidden ones are 404, others' public ones are 403."""
    listing = listing_get_for_user(user=user, pk=pk)
    if not user.is_authenticated or listing.seller_id != user.organisation_id:
        raise PermissionDeniedError(_("Only the seller organisation can change this listing."))
    return listing


def listings_of_organisation(*, user: User) -> QuerySet[Listing]:
    if not user.is_authenticated or user.organisation_id is None:
        return Listing.objects.none()
    return listings_annotated().filter(seller_id=user.organisation_id)


def attachments_for_user(*, user: User, listing: Listing) -> QuerySet[ListingAttachment]:
    """Photos of a visible listing are for everyone who sees it; documents need a login."""
    queryset = listing.attachments.all()
    if not user.is_authenticated:
        queryset = queryset.filter(kind="photo")
    return queryset


def attachment_get_for_user(*, user: User, pk: int) -> ListingAttachment:
    try:
        attachment = ListingAttachment.objects.select_related("listing").get(pk=pk)
    except ListingAttachment.DoesNotExist:
        raise Http404 from None
    listing = listing_get_for_user(user=user, pk=attachment.listing_id)
    if not attachments_for_user(user=user, listing=listing).filter(pk=pk).exists():
        raise Http404
    return attachment


def watchlist_for_user(*, user: User) -> QuerySet[WatchlistEntry]:
    """Entries whose listing the user can still see (a withdrawn listing drops out)."""
    visible = listings_for_user(user=user).values("pk")
    return (
        WatchlistEntry.objects.filter(user=user, listing__in=visible)
        .select_related("listing", "listing__seller", "listing__pack", "listing__module_lot")
        .select_related("listing__vehicle", "listing__black_mass_lot")
    )


def watched_listing_ids(*, user: User) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(WatchlistEntry.objects.filter(user=user).values_list("listing_id", flat=True))


def saved_searches_for_user(*, user: User) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(user=user)


def saved_search_get_for_user(*, user: User, pk: int) -> SavedSearch:
    try:
        return saved_searches_for_user(user=user).get(pk=pk)
    except SavedSearch.DoesNotExist:
        raise Http404 from None
