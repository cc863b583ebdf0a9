"""The web pages: same rules as the API, shown as pages and form errors."""

from decimal import Decimal

import pytest
from django.test import Client

from marketplace.catalog.models import BatteryPack, Listing, WatchlistEntry
from tests.catalog.factories import BatteryPackFactory, ListingFactory

pytestmark = pytest.mark.django_db

PACK_FORM = {
    "title": "Leaf 62 kWh pack",
    "description": "",
    "sale_format": "fixed_price",
    "price": "650000",
    "currency": "JPY",
    "country": "JP",
    "region": "Kitakyushu",
    "pack-serial_number": "AESC-62-000777",
    "pack-manufacturer": "AESC",
    "pack-chemistry": "NMC622",
    "pack-rated_capacity_kwh": "62.00",
    "pack-soh_pct": "87.00",
    "pack-grade": "A",
}


@pytest.fixture
def web():
    def login(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return login


def test_dealer_creates_a_pack_listing_through_the_form(web, seller):
    response = web(seller).post("/catalog/new/battery_pack/", PACK_FORM)

    listing = Listing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/catalog/listings/{listing.pk}/"
    assert (listing.status, listing.price, listing.seller) == (
        "draft",
        Decimal("650000.00"),
        seller.organisation,
    )
    assert (listing.pack.chemistry, listing.pack.soh_pct, listing.pack.soh_source) == (
        "NMC622",
        Decimal("87.00"),
        "self_declared",
    )


def test_unverified_organisation_gets_no_form_and_creates_nothing(web, unverified_dealer):
    client = web(unverified_dealer)

    shown = client.get("/catalog/new/battery_pack/")
    posted = client.post("/catalog/new/battery_pack/", PACK_FORM)

    assert shown.status_code == 403
    assert posted.status_code == 403
    assert "has not been verified" in posted.content.decode()
    assert Listing.objects.count() == 0
    assert BatteryPack.objects.count() == 0


def test_unverified_organisation_cannot_publish_through_the_page(web, unverified_dealer):
    draft = ListingFactory(
        seller=unverified_dealer.organisation,
        created_by=unverified_dealer,
        status="draft",
        published_at=None,
    )

    response = web(unverified_dealer).post(f"/catalog/listings/{draft.pk}/publish/")

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert list(draft.events.values_list("to_status", flat=True)) == ["draft"]


def test_form_shows_service_errors_on_the_listing_and_item_fields(web, seller):
    response = web(seller).post(
        "/catalog/new/battery_pack/", {**PACK_FORM, "price": "1.5", "pack-soh_low_pct": "90"}
    )

    assert response.status_code == 200
    listing_form = response.context["listing_form"]
    (_title, pack_form) = response.context["item_forms"][0]
    assert listing_form.errors == {"price": ["Prices in JPY are whole numbers."]}
    assert pack_form.errors == {"soh_low_pct": ["The lower bound cannot exceed the SOH."]}
    assert Listing.objects.count() == 0
    assert BatteryPack.objects.count() == 0


def test_another_organisation_cannot_see_or_edit_a_draft(web, outsider, seller_draft):
    client = web(outsider)

    assert client.get(f"/catalog/listings/{seller_draft.pk}/").status_code == 404
    assert client.get(f"/catalog/listings/{seller_draft.pk}/edit/").status_code == 404
    posted = client.post(
        f"/catalog/listings/{seller_draft.pk}/edit/", {**PACK_FORM, "title": "Mine now"}
    )
    assert posted.status_code == 404
    assert client.post(f"/catalog/listings/{seller_draft.pk}/publish/").status_code == 404
    seller_draft.refresh_from_db()
    assert (seller_draft.title.startswith("Listing "), seller_draft.status) == (True, "draft")


def test_another_organisation_cannot_edit_a_published_listing(web, outsider, seller):
    listing = ListingFactory(seller=seller.organisation, created_by=seller, title="Leaf pack")

    response = web(outsider).post(
        f"/catalog/listings/{listing.pk}/edit/", {**PACK_FORM, "title": "Mine now"}
    )

    assert response.status_code == 403
    listing.refresh_from_db()
    assert listing.title == "Leaf pack"


def test_seller_edits_and_publishes_through_the_pages(web, seller, seller_draft):
    client = web(seller)
    form = {
        **PACK_FORM,
        "pack-serial_number": seller_draft.pack.serial_number,
        "pack-manufacturer": seller_draft.pack.manufacturer,
        "title": "Renamed",
    }

    edited = client.post(f"/catalog/listings/{seller_draft.pk}/edit/", form)
    published = client.post(f"/catalog/listings/{seller_draft.pk}/publish/")

    assert edited.status_code == 302
    assert published.status_code == 302
    seller_draft.refresh_from_db()
    assert (seller_draft.title, seller_draft.status) == ("Renamed", "published")
    assert list(seller_draft.events.values_list("to_status", flat=True)) == [
        "draft",
        "published",
    ]


def test_anonymous_visitor_browses_public_listings_only(web, seller, seller_draft):
    ListingFactory(seller=seller.organisation, created_by=seller, title="Public Leaf pack")

    response = web().get("/catalog/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Public Leaf pack" in page
    assert seller_draft.title not in page


def test_browse_filters_by_chemistry_and_price(web, buyer, seller):
    org = seller.organisation
    ListingFactory(
        seller=org,
        created_by=seller,
        title="LFP cheap",
        price=Decimal("100000"),
        pack=BatteryPackFactory(owner=org, chemistry="LFP"),
    )
    ListingFactory(
        seller=org,
        created_by=seller,
        title="LFP dear",
        price=Decimal("900000"),
        pack=BatteryPackFactory(owner=org, chemistry="LFP"),
    )
    ListingFactory(seller=org, created_by=seller, title="NMC cheap", price=Decimal("100000"))

    response = web(buyer).get("/catalog/?chemistry=LFP&price_max=500000")

    assert [listing.title for listing in response.context["page"].object_list] == ["LFP cheap"]


def test_browse_rows_show_the_items_chemistry_soh_grade_and_capacity(web, buyer, seller):
    org = seller.organisation
    ListingFactory(
        seller=org,
        created_by=seller,
        title="Graded pack",
        pack=BatteryPackFactory(
            owner=org,
            chemistry="LFP",
            soh_pct=Decimal("87.50"),
            grade="B1",
            rated_capacity_kwh=Decimal("62.00"),
        ),
    )

    response = web(buyer).get("/catalog/")

    row = response.content.decode().split("Graded pack", 1)[1].split("</tr>", 1)[0]
    assert "<td>LFP</td>" in row
    assert "87.50 %" in row
    assert '<span class="badge">B1</span>' in row
    assert "62 kWh" in row


def test_watch_and_unwatch(web, buyer, seller):
    listing = ListingFactory(seller=seller.organisation, created_by=seller)
    client = web(buyer)

    client.post(f"/catalog/listings/{listing.pk}/watch/")
    client.post(f"/catalog/listings/{listing.pk}/watch/")
    watched = client.get("/catalog/watchlist/")

    assert WatchlistEntry.objects.filter(user=buyer, listing=listing).count() == 1
    assert [entry.listing for entry in watched.context["page"].object_list] == [listing]

    client.post(f"/catalog/listings/{listing.pk}/watch/", {"action": "remove"})
    assert WatchlistEntry.objects.filter(user=buyer).count() == 0


def test_cannot_watch_a_draft_of_another_organisation(web, buyer, seller_draft):
    response = web(buyer).post(f"/catalog/listings/{seller_draft.pk}/watch/")

    assert response.status_code == 404
    assert WatchlistEntry.objects.count() == 0


def test_saved_search_round_trip(web, buyer):
    client = web(buyer)

    client.post(
        "/catalog/saved-searches/", {"name": "LFP ≥ 80 %", "query": "chemistry=LFP&soh_min=80"}
    )
    page = client.get("/catalog/saved-searches/")

    assert page.context["searches"] == [
        (buyer.saved_searches.get(), "/catalog/?chemistry=LFP&soh_min=80")
    ]


def test_detail_page_shows_specs_and_history_to_seller(web, seller):
    listing = ListingFactory(seller=seller.organisation, created_by=seller, vehicle_listing=True)

    response = web(seller).get(f"/catalog/listings/{listing.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert listing.vehicle.vin in page
    assert "NMC532" in page
    assert "History" in page


@pytest.mark.parametrize(
    "url",
    [
        "/catalog/mine/",
        "/catalog/new/",
        "/catalog/new/used_ev/",
        "/catalog/new/module_lot/",
        "/catalog/new/black_mass/",
        "/catalog/import/",
        "/catalog/watchlist/",
        "/catalog/saved-searches/",
    ],
)
def test_seller_pages_render(web, seller, url):
    assert web(seller).get(url).status_code == 200


def test_my_listings_shows_own_drafts_only(web, seller, outsider, seller_draft):
    ListingFactory(seller=outsider.organisation, created_by=outsider, title="Not mine")

    response = web(seller).get("/catalog/mine/")

    assert [listing.pk for listing in response.context["page"].object_list] == [seller_draft.pk]


def test_edit_form_is_prefilled_for_the_seller(web, seller, seller_draft):
    response = web(seller).get(f"/catalog/listings/{seller_draft.pk}/edit/")

    assert response.status_code == 200
    assert response.context["listing_form"].initial["title"] == seller_draft.title
    (_title, pack_form) = response.context["item_forms"][0]
    assert pack_form.initial["serial_number"] == seller_draft.pack.serial_number


def test_unknown_listing_type_is_not_found(web, seller):
    assert web(seller).get("/catalog/new/spaceship/").status_code == 404


def test_seller_relists_a_withdrawn_listing_from_its_page(web, seller, outsider):
    listing = ListingFactory(seller=seller.organisation, created_by=seller, status="withdrawn")

    refused = web(outsider).post(f"/catalog/listings/{listing.pk}/relist/")
    response = web(seller).post(f"/catalog/listings/{listing.pk}/relist/")

    assert refused.status_code == 404
    relisted = Listing.objects.exclude(pk=listing.pk).get()
    assert response["Location"] == f"/catalog/listings/{relisted.pk}/"
    assert (relisted.status, relisted.pack_id) == ("draft", listing.pack_id)
