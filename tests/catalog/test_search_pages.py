"""Search result pages: the capped count, pages and their order, and the rows they show."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from marketplace.catalog import selectors
from marketplace.catalog.api.serializers import ListingSerializer, listing_rows
from marketplace.catalog.choices import ListingStatus
from marketplace.core.api.pagination import CappedCountPagination
from marketplace.core.api.renderers import PlainValuesJSONRenderer
from tests.catalog.factories import BatteryPackFactory, ListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_packs(seller):
    """Given five public pack listings, created a day apart, SOH 70..90 (one unknown)."""
    now = timezone.now()
    listings = []
    for number, soh in enumerate(
        [Decimal("80.00"), None, Decimal("90.00"), Decimal("70.00"), None]
    ):
        listing = ListingFactory(
            seller=seller.organisation,
            created_by=seller,
            title=f"Pack {number}",
            pack=BatteryPackFactory(owner=seller.organisation, soh_pct=soh),
        )
        listings.append(listing)
    for age, listing in enumerate(reversed(listings)):  # Pack 4 is the newest
        type(listing).objects.filter(pk=listing.pk).update(created_at=now - timedelta(days=age))
    return listings


@pytest.fixture
def count_limit_3(monkeypatch):
    monkeypatch.setattr(CappedCountPagination, "count_limit", 3)


def _page(client, query: str) -> dict:
    response = client.get(f"/api/v1/listings/?{query}")
    assert response.status_code == 200, response.json()
    return response.json()


def test_count_is_exact_below_the_limit(authed, buyer, five_packs):
    body = _page(authed(buyer), "page_size=2")

    assert (body["count"], body["count_exact"]) == (5, True)
    assert [row["title"] for row in body["results"]] == ["Pack 4", "Pack 3"]


def test_count_past_the_limit_says_more_than_the_limit(authed, buyer, five_packs, count_limit_3):
    body = _page(authed(buyer), "page_size=1")

    assert (body["count"], body["count_exact"]) == (3, False)
    assert "page=2" in body["next"]
    assert body["previous"] is None


def test_pages_past_the_limit_still_exist_and_know_whether_one_follows(
    authed, buyer, five_packs, count_limit_3
):
    client = authed(buyer)

    fourth = _page(client, "page_size=1&page=4")
    fifth = _page(client, "page_size=1&page=5")
    missing = client.get("/api/v1/listings/?page_size=1&page=6")

    assert (fourth["count"], fourth["count_exact"]) == (4, False)
    assert [row["title"] for row in fourth["results"]] == ["Pack 1"]
    assert "page=5" in fourth["next"]
    assert (fifth["count"], fifth["count_exact"]) == (5, True)
    assert [row["title"] for row in fifth["results"]] == ["Pack 0"]
    assert fifth["next"] is None
    assert missing.status_code == 404


def test_last_page_counts_exactly(authed, buyer, five_packs, count_limit_3):
    body = _page(authed(buyer), "page_size=2&page=last")

    assert (body["count"], body["count_exact"]) == (5, True)
    assert [row["title"] for row in body["results"]] == ["Pack 0"]


def test_count_excludes_what_the_user_may_not_see(authed, buyer, five_packs, count_limit_3):
    type(five_packs[0]).objects.filter(pk__in=[five_packs[0].pk, five_packs[1].pk]).update(
        status=ListingStatus.DRAFT
    )

    body = _page(authed(buyer), "page_size=1")

    assert (body["count"], body["count_exact"]) == (3, True)


def test_pages_follow_the_sort_order_nulls_last(authed, buyer, five_packs):
    client = authed(buyer)

    titles = []
    for page in (1, 2, 3):
        titles += [
            row["title"]
            for row in _page(client, f"ordering=-soh&page_size=2&page={page}")["results"]
        ]

    # SOH 90, 80, 70, then the two without SOH, newest key first
    assert titles == ["Pack 2", "Pack 0", "Pack 3", "Pack 4", "Pack 1"]


def test_rows_are_exactly_what_listing_serializer_shows(authed, buyer, seller):
    # Given one listing of each kind, with empty optional figures
    org = seller.organisation
    ListingFactory(seller=org, created_by=seller, vehicle_listing=True)
    ListingFactory(seller=org, created_by=seller, pack=BatteryPackFactory(owner=org, soh_pct=None))
    ListingFactory(seller=org, created_by=seller, module_listing=True, price=None)
    ListingFactory(seller=org, created_by=seller, black_mass_listing=True, region="")
    listings = selectors.listings_annotated().order_by("-created_at", "-pk")
    expected = json.loads(json.dumps(ListingSerializer(listings, many=True).data))

    # When the rows are written by the search's plan, and served by the API
    rows = json.loads(json.dumps(listing_rows(listings)))
    served = _page(authed(buyer), "")["results"]

    # Then they are ListingSerializer's, field for field
    assert rows == expected
    assert served == expected


def test_a_page_is_written_in_drfs_bytes(authed, buyer, seller):
    org = seller.organisation
    ListingFactory(seller=org, created_by=seller, title="Leaf 40 kWh 日本語\u2028")
    ListingFactory(seller=org, created_by=seller, black_mass_listing=True)

    response = authed(buyer).get("/api/v1/listings/")

    assert isinstance(response.accepted_renderer, PlainValuesJSONRenderer)
    assert response.content == JSONRenderer().render(response.data)


def test_the_browsable_api_still_shows_listings(authed, buyer, seller):
    ListingFactory(seller=seller.organisation, created_by=seller, title="Leaf 40 kWh")

    page = authed(buyer).get("/api/v1/listings/", HTTP_ACCEPT="text/html")

    assert page.status_code == 200
    assert "Leaf 40 kWh" in page.content.decode()


def test_schema_documents_the_capped_count(client):
    schema = client.get("/api/schema/?format=json").json()

    page = schema["components"]["schemas"]["PaginatedListingList"]
    assert page["required"] == ["count", "results", "count_exact"]
    assert page["properties"]["count_exact"]["type"] == "boolean"
    assert "1000" in page["properties"]["count"]["description"]
