"""Watchlist and saved searches are personal: each user sees and changes only their own."""

import pytest

from marketplace.catalog.models import SavedSearch, WatchlistEntry
from tests.catalog.factories import ListingFactory

pytestmark = pytest.mark.django_db


def test_watching_is_idempotent_and_listed(authed, buyer, seller):
    listing = ListingFactory(seller=seller.organisation, created_by=seller, title="Leaf pack")
    client = authed(buyer)

    first = client.post("/api/v1/watchlist/", {"listing": listing.pk}, format="json")
    second = client.post("/api/v1/watchlist/", {"listing": listing.pk}, format="json")
    listed = client.get("/api/v1/watchlist/")

    assert (first.status_code, second.status_code) == (201, 201)
    assert WatchlistEntry.objects.filter(user=buyer).count() == 1
    assert [row["listing"]["title"] for row in listed.json()["results"]] == ["Leaf pack"]


def test_cannot_watch_a_draft_one_cannot_see(authed, buyer, seller_draft):
    response = authed(buyer).post("/api/v1/watchlist/", {"listing": seller_draft.pk}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["listing"]
    assert WatchlistEntry.objects.count() == 0


def test_unwatch(authed, buyer, seller):
    listing = ListingFactory(seller=seller.organisation, created_by=seller)
    WatchlistEntry.objects.create(user=buyer, listing=listing)

    response = authed(buyer).delete(f"/api/v1/watchlist/{listing.pk}/")

    assert response.status_code == 204
    assert WatchlistEntry.objects.count() == 0


def test_saved_searches_are_private(authed, buyer, outsider):
    created = authed(buyer).post(
        "/api/v1/saved-searches/",
        {"name": "LFP packs", "query": "?listing_type=battery_pack&chemistry=LFP"},
        format="json",
    )
    search_id = created.json()["id"]

    assert created.status_code == 201
    assert created.json()["query"] == "listing_type=battery_pack&chemistry=LFP"
    other = authed(outsider)
    assert other.get(f"/api/v1/saved-searches/{search_id}/").status_code == 404
    assert other.delete(f"/api/v1/saved-searches/{search_id}/").status_code == 404
    assert SavedSearch.objects.filter(pk=search_id).exists()


def test_saved_search_names_are_unique_per_user(authed, buyer):
    client = authed(buyer)
    client.post("/api/v1/saved-searches/", {"name": "LFP", "query": ""}, format="json")

    response = client.post(
        "/api/v1/saved-searches/", {"name": "LFP", "query": "x=1"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {
        "name": ["You already have a saved search with this name."]
    }
    assert SavedSearch.objects.count() == 1


@pytest.mark.django_db
def test_a_saved_search_without_filters_saves_all_listings(api_client, buyer):
    api_client.force_authenticate(buyer)

    response = api_client.post("/api/v1/saved-searches/", {"name": "Everything"}, format="json")

    assert response.status_code == 201
    assert response.json()["query"] == ""
