"""The listing's search columns (catalog.search) follow its item through every catalog service,
so the browse filters read one table and still see what the item says."""

from decimal import Decimal

import pytest

from marketplace.catalog import services
from marketplace.catalog.models import Listing
from tests.catalog.test_api_listings import LEAF_40

pytestmark = pytest.mark.django_db


def _titles(client, query):
    response = client.get(f"/api/v1/listings/?{query}")
    assert response.status_code == 200, response.json()
    return [row["title"] for row in response.json()["results"]]


def test_a_created_listing_carries_its_packs_figures(authed, seller):
    body = authed(seller).post("/api/v1/listings/", LEAF_40, format="json").json()

    listing = Listing.objects.get(pk=body["id"])
    assert (
        listing.item_chemistry,
        listing.item_soh_pct,
        listing.item_soh_source,
        listing.item_capacity_kwh,
        listing.item_grade,
    ) == ("NMC532", Decimal("88.50"), "self_declared", Decimal("40.00"), "")
    assert listing.search_text == "2019 nissan leaf 40 kwh nissan leaf aesc"


def test_edits_and_certificates_move_the_listing_between_filters(authed, seller, buyer):
    body = authed(seller).post("/api/v1/listings/", LEAF_40, format="json").json()
    listing = Listing.objects.get(pk=body["id"])
    services.listing_publish(listing=listing, actor=seller)
    client = authed(buyer)
    assert _titles(client, "q=leaf&soh_min=85") == ["2019 Nissan Leaf 40 kWh"]

    # The seller renames it and corrects the pack's capacity ...
    services.listing_update(
        listing=listing,
        actor=seller,
        title="Nissan e+ 62 kWh",
        pack={"rated_capacity_kwh": Decimal("62.00")},
    )
    assert _titles(client, "q=e%2B&capacity_min=60") == ["Nissan e+ 62 kWh"]
    assert _titles(client, "q=2019") == []

    # ... and a certificate puts its SOH at 71 %, grade B2: the SOH filter no longer finds it.
    services.item_record_certified_soh(
        item=listing.pack,
        soh_pct=Decimal("71.00"),
        soh_low_pct=Decimal("69.00"),
        soh_high_pct=Decimal("73.00"),
        grade="B2",
    )
    assert _titles(client, "soh_min=85") == []
    assert _titles(client, "grade=B2&soh_source=certificate") == ["Nissan e+ 62 kWh"]
