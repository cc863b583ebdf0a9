"""Listings through the API: who may create, see and change them, and what they contain."""

from decimal import Decimal

import pytest

from marketplace.catalog import services
from marketplace.catalog.choices import ListingStatus
from marketplace.catalog.models import BatteryPack, Listing, ListingEvent, UsedVehicle
from tests.catalog.factories import ListingFactory

pytestmark = pytest.mark.django_db

LEAF_40 = {
    "listing_type": "used_ev",
    "title": "2019 Nissan Leaf 40 kWh",
    "price": "1200000",
    "country": "JP",
    "region": "Fukuoka",
    "vehicle": {
        "vin": "ZE1-034567",
        "make": "Nissan",
        "model": "Leaf",
        "year": 2019,
        "odometer_km": 48000,
    },
    "pack": {
        "serial_number": "AZE1-40-000123",
        "manufacturer": "AESC",
        "chemistry": "nmc532",  # spelled as people type it
        "rated_capacity_kwh": "40.00",
        "soh_pct": "88.50",
    },
}


def test_verified_dealer_creates_a_draft_used_ev_with_its_pack(authed, seller):
    # Given a dealer of a verified organisation
    client = authed(seller)

    # When they post a used-EV listing
    response = client.post("/api/v1/listings/", LEAF_40, format="json")

    # Then a draft exists, owned by their organisation, with the pack's SOH marked as theirs
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["currency"] == "JPY"
    assert body["price"] == "1200000.00"
    assert body["seller"]["id"] == seller.organisation_id
    assert body["vehicle"]["vin"] == "ZE1-034567"
    assert body["pack"]["chemistry"] == "NMC532"
    assert body["pack"]["soh_pct"] == "88.50"
    assert body["pack"]["soh_source"] == "self_declared"
    listing = Listing.objects.get(pk=body["id"])
    assert listing.vehicle.battery_pack == listing.pack
    assert listing.pack.owner == seller.organisation
    assert list(listing.events.values_list("from_status", "to_status", "actor")) == [
        ("", "draft", seller.pk)
    ]


def test_unverified_organisation_cannot_create_a_listing(authed, unverified_dealer):
    response = authed(unverified_dealer).post("/api/v1/listings/", LEAF_40, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "organisation_not_verified"
    assert Listing.objects.count() == 0
    assert UsedVehicle.objects.count() == 0
    assert BatteryPack.objects.count() == 0


def test_unverified_organisation_cannot_publish_its_old_draft(authed, unverified_dealer):
    # Given a draft made while the organisation was verified, now back to pending
    draft = ListingFactory(
        seller=unverified_dealer.organisation,
        created_by=unverified_dealer,
        status=ListingStatus.DRAFT,
        published_at=None,
    )

    response = authed(unverified_dealer).post(f"/api/v1/listings/{draft.pk}/publish/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "organisation_not_verified"
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.events.count() == 1


def test_compliance_officer_cannot_list_anything(authed, officer):
    response = authed(officer).post("/api/v1/listings/", LEAF_40, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert Listing.objects.count() == 0


def test_create_reports_every_bad_field_by_name(authed, seller):
    bad = {
        **LEAF_40,
        "currency": "XYZ",
        "vehicle": {**LEAF_40["vehicle"], "vin": "not a vin"},
        "pack": {**LEAF_40["pack"], "chemistry": "unobtainium", "soh_pct": "120"},
    }

    response = authed(seller).post("/api/v1/listings/", bad, format="json")

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert sorted(fields) == ["currency", "pack.chemistry", "pack.soh_pct", "vehicle.vin"]
    assert Listing.objects.count() == 0


def test_yen_prices_are_whole(authed, seller):
    response = authed(seller).post(
        "/api/v1/listings/", {**LEAF_40, "price": "1200000.50"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"price": ["Prices in JPY are whole numbers."]}
    assert Listing.objects.count() == 0


def test_used_ev_listing_needs_its_pack(authed, seller):
    payload = {key: value for key, value in LEAF_40.items() if key != "pack"}

    response = authed(seller).post("/api/v1/listings/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["pack"]
    assert Listing.objects.count() == 0


def test_second_listing_of_the_same_vin_is_refused(authed, seller):
    client = authed(seller)
    assert client.post("/api/v1/listings/", LEAF_40, format="json").status_code == 201
    again = {**LEAF_40, "pack": {**LEAF_40["pack"], "serial_number": "OTHER-1"}}

    response = client.post("/api/v1/listings/", again, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "vehicle.vin": ["A vehicle with this VIN is already listed."]
    }
    assert Listing.objects.count() == 1


def test_black_mass_lot_with_assay_and_other_currency(authed, outsider):
    payload = {
        "listing_type": "black_mass",
        "title": "NMC black mass, 12 t",
        "sale_format": "sealed_tender",
        "price": "5400.50",
        "currency": "usd",
        "country": "JP",
        "region": "Fukuoka",
        "black_mass_lot": {
            "lot_number": "KTK-2026-014",
            "wet_weight_kg": "12000.0",
            "moisture_pct": "5.00",
            "ni_pct": "21.40",
            "co_pct": "7.10",
            "mn_pct": "6.60",
            "li_pct": "3.90",
            "c_pct": "33.00",
            "source_chemistry": "NMC622",
            "form": "powder",
            "lab_name": "Kitakyushu Assay Lab",
        },
    }

    response = authed(outsider).post("/api/v1/listings/", payload, format="json")

    assert response.status_code == 201, response.json()
    lot = response.json()["black_mass_lot"]
    assert response.json()["currency"] == "USD"
    assert lot["source_chemistry"] == "NMC622"
    assert lot["dry_weight_kg"] == "11400.0"


def test_assay_above_100_percent_is_refused(authed, outsider):
    payload = {
        "listing_type": "black_mass",
        "title": "Impossible lot",
        "country": "JP",
        "black_mass_lot": {
            "lot_number": "X-1",
            "wet_weight_kg": "1000",
            "moisture_pct": "5",
            "ni_pct": "60",
            "c_pct": "50",
            "source_chemistry": "nmc811",
            "form": "powder",
        },
    }

    response = authed(outsider).post("/api/v1/listings/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["black_mass_lot"]
    assert Listing.objects.count() == 0


# --- Visibility and ownership ----------------------------------------------------------


def test_another_organisation_cannot_read_a_draft(authed, outsider, seller_draft):
    client = authed(outsider)

    assert client.get(f"/api/v1/listings/{seller_draft.pk}/").status_code == 404
    assert client.get("/api/v1/listings/").json()["count"] == 0
    assert client.get(f"/api/v1/listings/{seller_draft.pk}/events/").status_code == 404


def test_another_organisation_cannot_change_a_draft(authed, outsider, seller_draft):
    response = authed(outsider).patch(
        f"/api/v1/listings/{seller_draft.pk}/", {"title": "Mine now"}, format="json"
    )

    assert response.status_code == 404
    seller_draft.refresh_from_db()
    assert seller_draft.title.startswith("Listing ")


def test_another_organisation_cannot_change_or_withdraw_a_published_listing(
    authed, outsider, seller
):
    listing = ListingFactory(seller=seller.organisation, created_by=seller, title="Leaf pack")
    client = authed(outsider)

    patched = client.patch(f"/api/v1/listings/{listing.pk}/", {"price": "1"}, format="json")
    withdrawn = client.post(f"/api/v1/listings/{listing.pk}/withdraw/", {}, format="json")

    assert patched.status_code == 403
    assert withdrawn.status_code == 403
    assert withdrawn.json()["error"]["code"] == "permission_denied"
    listing.refresh_from_db()
    assert (listing.title, listing.price, listing.status) == (
        "Leaf pack",
        Decimal("300000.00"),
        "published",
    )
    assert listing.events.count() == 1


def test_seller_sees_own_draft_and_staff_sees_everything(authed, seller, staff, seller_draft):
    assert authed(seller).get(f"/api/v1/listings/{seller_draft.pk}/").status_code == 200
    assert authed(staff).get(f"/api/v1/listings/{seller_draft.pk}/").status_code == 200


def test_anonymous_api_access_is_refused(api_client, seller_draft):
    response = api_client.get("/api/v1/listings/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_seller_edits_draft_price_and_pack_soh(authed, seller, seller_draft):
    response = authed(seller).patch(
        f"/api/v1/listings/{seller_draft.pk}/",
        {"price": "280000", "pack": {"soh_pct": "81.00", "grade": "B2"}},
        format="json",
    )

    assert response.status_code == 200, response.json()
    seller_draft.refresh_from_db()
    assert seller_draft.price == Decimal("280000.00")
    assert seller_draft.pack.soh_pct == Decimal("81.00")
    assert seller_draft.pack.grade == "B2"
    assert seller_draft.pack.soh_source == "self_declared"


def test_certified_soh_cannot_be_overwritten_by_the_seller(authed, seller, seller_draft):
    services.item_record_certified_soh(
        item=seller_draft.pack,
        soh_pct=Decimal("84.10"),
        soh_low_pct=Decimal("82.00"),
        soh_high_pct=Decimal("86.20"),
        grade="A",
    )

    response = authed(seller).patch(
        f"/api/v1/listings/{seller_draft.pk}/", {"pack": {"soh_pct": "95"}}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "pack.soh_pct": ["SOH from a certificate cannot be edited."]
    }
    seller_draft.pack.refresh_from_db()
    assert seller_draft.pack.soh_pct == Decimal("84.10")


def test_listing_in_sale_cannot_be_edited(authed, seller):
    listing = ListingFactory(
        seller=seller.organisation, created_by=seller, status=ListingStatus.IN_SALE
    )

    response = authed(seller).patch(
        f"/api/v1/listings/{listing.pk}/", {"price": "1"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    listing.refresh_from_db()
    assert listing.price == Decimal("300000.00")


# --- Workflow through the API --------------------------------------------------------


def test_seller_publishes_then_withdraws_with_event_rows(authed, seller, seller_draft):
    client = authed(seller)

    published = client.post(f"/api/v1/listings/{seller_draft.pk}/publish/")
    withdrawn = client.post(
        f"/api/v1/listings/{seller_draft.pk}/withdraw/", {"reason": "sold locally"}, format="json"
    )

    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert withdrawn.json()["status"] == "withdrawn"
    assert list(
        ListingEvent.objects.filter(listing=seller_draft)
        .exclude(reason="factory")
        .values_list("from_status", "to_status", "actor", "reason")
    ) == [
        ("draft", "published", seller.pk, ""),
        ("published", "withdrawn", seller.pk, "sold locally"),
    ]


def test_publishing_twice_is_refused(authed, seller, seller_draft):
    client = authed(seller)
    client.post(f"/api/v1/listings/{seller_draft.pk}/publish/")

    response = client.post(f"/api/v1/listings/{seller_draft.pk}/publish/")

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "invalid_transition",
        "message": "A listing that is Published cannot become Published.",
        "fields": {},
    }
    assert seller_draft.events.count() == 2


def test_fixed_price_listing_needs_a_price_to_publish(authed, seller, seller_draft):
    Listing.objects.filter(pk=seller_draft.pk).update(price=None)

    response = authed(seller).post(f"/api/v1/listings/{seller_draft.pk}/publish/")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["price"]
    seller_draft.refresh_from_db()
    assert seller_draft.status == "draft"


def test_published_fixed_price_listing_keeps_its_price(authed, seller):
    listing = ListingFactory(seller=seller.organisation, created_by=seller)

    response = authed(seller).patch(
        f"/api/v1/listings/{listing.pk}/", {"price": None}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "price": ["A published fixed-price listing needs a price."]
    }
    listing.refresh_from_db()
    assert listing.price == Decimal("300000.00")


def test_published_listing_price_can_change(authed, seller):
    listing = ListingFactory(seller=seller.organisation, created_by=seller)

    response = authed(seller).patch(
        f"/api/v1/listings/{listing.pk}/", {"price": "250000"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["price"] == "250000.00"


def test_relist_through_the_api(authed, seller):
    listing = ListingFactory(seller=seller.organisation, created_by=seller, status="withdrawn")
    client = authed(seller)

    first = client.post(f"/api/v1/listings/{listing.pk}/relist/")
    second = client.post(f"/api/v1/listings/{listing.pk}/relist/")

    assert first.status_code == 201
    assert (first.json()["status"], first.json()["pack"]["id"]) == ("draft", listing.pack_id)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "conflict"
    assert Listing.objects.count() == 2
