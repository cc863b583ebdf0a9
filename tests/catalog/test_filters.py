"""Browse filters return exactly the listings that match, across item types."""

from decimal import Decimal

import pytest

from marketplace.catalog import services
from marketplace.catalog.choices import Chemistry, ListingStatus
from tests.catalog.factories import (
    BatteryPackFactory,
    ListingFactory,
    ModuleLotFactory,
)
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(seller):
    """Given five public listings of different kinds, and a draft nobody else sees."""
    kr = OrganisationFactory(country="KR", region="Busan")
    org = seller.organisation

    def pack(**fields):
        return BatteryPackFactory(owner=org, **fields)

    return {
        "leaf": ListingFactory(
            seller=org,
            created_by=seller,
            title="Leaf 40",
            vehicle_listing=True,
            vehicle__make="Nissan",
            vehicle__model="Leaf",
            vehicle__battery_pack__soh_pct=Decimal("86.00"),
            vehicle__battery_pack__grade="A",
            price=Decimal("1100000"),
        ),
        "lfp_pack": ListingFactory(
            seller=org,
            created_by=seller,
            title="Model 3 LFP pack",
            pack=pack(
                manufacturer="CATL",
                chemistry=Chemistry.LFP,
                rated_capacity_kwh=Decimal("60.00"),
                soh_pct=Decimal("91.50"),
                grade="A",
            ),
            price=Decimal("900000"),
        ),
        "old_pack": ListingFactory(
            seller=org,
            created_by=seller,
            title="i-MiEV pack",
            pack=pack(
                manufacturer="LEJ",
                chemistry=Chemistry.LMO,
                rated_capacity_kwh=Decimal("16.00"),
                soh_pct=Decimal("62.00"),
                grade="C",
            ),
            price=Decimal("120000"),
        ),
        "modules": ListingFactory(
            seller=kr,
            title="Busan modules",
            country="KR",
            region="Busan",
            module_listing=True,
            module_lot=ModuleLotFactory(
                owner=kr,
                chemistry=Chemistry.NMC622,
                soh_pct=Decimal("78.00"),
                grade="B2",
            ),
            price=Decimal("2400000"),
        ),
        "black_mass": ListingFactory(
            seller=org,
            created_by=seller,
            title="Black mass",
            black_mass_listing=True,
            black_mass_lot__source_chemistry=Chemistry.NMC622,
            price=Decimal("5000000"),
        ),
        "draft": ListingFactory(
            seller=kr,
            title="Hidden draft",
            status=ListingStatus.DRAFT,
            country="KR",
            pack=BatteryPackFactory(owner=kr, chemistry=Chemistry.LFP),
        ),
    }


def _titles(client, query: str) -> list[str]:
    response = client.get(f"/api/v1/listings/?{query}&ordering=price")
    assert response.status_code == 200, response.json()
    return [row["title"] for row in response.json()["results"]]


def test_chemistry_filter_spans_packs_modules_and_black_mass(authed, buyer, market):
    client = authed(buyer)

    assert _titles(client, "chemistry=LFP") == ["Model 3 LFP pack"]
    assert _titles(client, "chemistry=NMC622") == ["Busan modules", "Black mass"]
    assert _titles(client, "chemistry=NMC532&chemistry=LMO") == ["i-MiEV pack", "Leaf 40"]


def test_soh_range_includes_ev_packs_and_module_lots(authed, buyer, market):
    client = authed(buyer)

    assert _titles(client, "soh_min=75&soh_max=90") == ["Leaf 40", "Busan modules"]
    assert _titles(client, "soh_min=90") == ["Model 3 LFP pack"]
    assert _titles(client, "soh_max=65") == ["i-MiEV pack"]


def test_certified_soh_only(authed, buyer, market):
    services.item_record_certified_soh(
        item=market["old_pack"].pack,
        soh_pct=Decimal("61.00"),
        soh_low_pct=Decimal("58.00"),
        soh_high_pct=Decimal("64.00"),
        grade="B2",
    )

    assert _titles(authed(buyer), "soh_source=certificate") == ["i-MiEV pack"]


def test_grade_filter(authed, buyer, market):
    assert _titles(authed(buyer), "grade=A") == ["Model 3 LFP pack", "Leaf 40"]


def test_price_range(authed, buyer, market):
    client = authed(buyer)

    assert _titles(client, "price_min=900000&price_max=2400000") == [
        "Model 3 LFP pack",
        "Leaf 40",
        "Busan modules",
    ]
    assert _titles(client, "price_max=119999") == []


def test_country_and_region(authed, buyer, market):
    client = authed(buyer)

    assert _titles(client, "country=KR") == ["Busan modules"]
    assert _titles(client, "region=fukuoka&listing_type=battery_pack") == [
        "i-MiEV pack",
        "Model 3 LFP pack",
    ]


def test_capacity_range_and_free_text(authed, buyer, market):
    client = authed(buyer)

    assert _titles(client, "capacity_min=30&capacity_max=70&listing_type=battery_pack") == [
        "Model 3 LFP pack"
    ]
    assert _titles(client, "q=nissan leaf") == ["Leaf 40"]
    assert _titles(client, "q=catl") == ["Model 3 LFP pack"]


def test_seller_and_status_filters_respect_visibility(authed, buyer, seller, market):
    client = authed(buyer)
    kr_seller = market["modules"].seller_id

    assert _titles(client, f"seller={kr_seller}") == ["Busan modules"]
    assert _titles(client, "status=draft") == []


def test_sort_by_soh_descending(authed, buyer, market):
    response = authed(buyer).get("/api/v1/listings/?ordering=-soh&listing_type=battery_pack")

    assert [row["title"] for row in response.json()["results"]] == [
        "Model 3 LFP pack",
        "i-MiEV pack",
    ]


def test_listings_without_soh_sort_last(authed, buyer, market):
    response = authed(buyer).get("/api/v1/listings/?ordering=-soh")

    assert [row["title"] for row in response.json()["results"]] == [
        "Model 3 LFP pack",
        "Leaf 40",
        "Busan modules",
        "i-MiEV pack",
        "Black mass",
    ]


def test_listing_list_query_count_is_fixed(authed, buyer, market, django_assert_num_queries):
    client = authed(buyer)

    # count, the page's keys, its rows with seller and item: however many listings there are
    with django_assert_num_queries(3):
        response = client.get("/api/v1/listings/")

    assert response.json()["count"] == 5
