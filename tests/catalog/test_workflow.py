"""The listing workflow: only the moves in LISTING_TRANSITIONS, each with an event row."""

import pytest

from marketplace.catalog import services
from marketplace.catalog.choices import LISTING_TRANSITIONS, ListingStatus
from marketplace.core.exceptions import ConflictError, InvalidTransition
from tests.catalog.factories import ListingFactory

pytestmark = pytest.mark.django_db


def _moves(listing):
    return list(
        listing.events.exclude(reason="factory").values_list("from_status", "to_status", "reason")
    )


def test_full_sale_path_writes_one_event_per_move(seller, seller_draft):
    listing = services.listing_publish(listing=seller_draft, actor=seller)
    listing = services.listing_start_sale(listing=listing, actor=None, reason="auction 7 opened")
    listing = services.listing_mark_sold(listing=listing, actor=None, reason="auction 7 won")
    listing = services.listing_close(listing=listing, actor=None, reason="order 12 delivered")

    assert listing.status == ListingStatus.CLOSED
    assert listing.published_at is not None
    assert _moves(listing) == [
        ("draft", "published", ""),
        ("published", "in_sale", "auction 7 opened"),
        ("in_sale", "sold", "auction 7 won"),
        ("sold", "closed", "order 12 delivered"),
    ]


def test_unsold_auction_returns_listing_to_published(seller):
    listing = ListingFactory(seller=seller.organisation, created_by=seller, status="in_sale")

    listing = services.listing_end_sale_unsold(listing=listing, actor=None, reason="no bids")

    assert listing.status == ListingStatus.PUBLISHED
    assert _moves(listing) == [("in_sale", "published", "no bids")]


@pytest.mark.parametrize(
    ("start", "service"),
    [
        (ListingStatus.DRAFT, "listing_start_sale"),
        (ListingStatus.DRAFT, "listing_mark_sold"),
        (ListingStatus.DRAFT, "listing_close"),
        (ListingStatus.PUBLISHED, "listing_close"),
        (ListingStatus.SOLD, "listing_start_sale"),
        (ListingStatus.CLOSED, "listing_start_sale"),
        (ListingStatus.WITHDRAWN, "listing_mark_sold"),
    ],
)
def test_illegal_moves_are_refused_and_leave_no_trace(seller, start, service):
    listing = ListingFactory(seller=seller.organisation, created_by=seller, status=start)

    with pytest.raises(InvalidTransition):
        getattr(services, service)(listing=listing, actor=None)

    listing.refresh_from_db()
    assert listing.status == start
    assert _moves(listing) == []


@pytest.mark.parametrize("start", [ListingStatus.IN_SALE, ListingStatus.SOLD, "closed"])
def test_seller_cannot_withdraw_once_a_sale_started(seller, start):
    listing = ListingFactory(seller=seller.organisation, created_by=seller, status=start)

    with pytest.raises(InvalidTransition):
        services.listing_withdraw(listing=listing, actor=seller)

    listing.refresh_from_db()
    assert listing.status == start


def test_terminal_states_have_no_way_out():
    assert LISTING_TRANSITIONS[ListingStatus.CLOSED] == frozenset()
    assert LISTING_TRANSITIONS[ListingStatus.WITHDRAWN] == frozenset()


def test_withdrawn_pack_is_listed_again_as_a_new_draft(seller, seller_draft):
    withdrawn = services.listing_withdraw(listing=seller_draft, actor=seller, reason="price")

    relisted = services.listing_relist(listing=withdrawn, actor=seller)

    assert relisted.pk != withdrawn.pk
    assert (relisted.status, relisted.pack_id, relisted.price) == (
        "draft",
        withdrawn.pack_id,
        withdrawn.price,
    )
    assert _moves(relisted) == [("", "draft", f"relisted from listing {withdrawn.pk}")]
    withdrawn.refresh_from_db()
    assert withdrawn.status == "withdrawn"


def test_an_item_has_one_live_listing(seller, seller_draft):
    withdrawn = services.listing_withdraw(listing=seller_draft, actor=seller)
    services.listing_relist(listing=withdrawn, actor=seller)

    with pytest.raises(ConflictError):
        services.listing_relist(listing=withdrawn, actor=seller)

    assert withdrawn.pack.listings.count() == 2


def test_only_withdrawn_listings_are_relisted(seller, seller_draft):
    with pytest.raises(InvalidTransition):
        services.listing_relist(listing=seller_draft, actor=seller)

    assert seller_draft.pack.listings.count() == 1
