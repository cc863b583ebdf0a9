"""Passport API: audience by requester; import validates, ?create=draft makes a listing."""

import pytest

from marketplace.catalog.models import BatteryPack, Listing
from tests.catalog.factories import ListingFactory
from tests.circularity.test_import import MINIMAL, passport

pytestmark = pytest.mark.django_db

IMPORT_URL = "/api/v1/circularity/passport/import/"
SOCE = "stateOfCertifiedEnergy"


def passport_url(pack) -> str:
    return f"/api/v1/circularity/packs/{pack.pk}/passport/"


def test_anonymous_visitor_gets_the_public_passport_without_soh(api_client, pack):
    response = api_client.get(passport_url(pack))

    assert response.status_code == 200
    body = response.json()
    assert body["audience"] == "public"
    assert "batteryCondition" not in body["performanceAndDurability"]
    assert "puttingIntoService" not in body["generalProductInformation"]
    assert "soh" not in body["x-batteryMarket"]
    assert body["performanceAndDurability"]["batteryTechicalProperties"]["ratedEnergy"] == 40


def test_verified_buyer_gets_soh(api_client, buyer, pack):
    api_client.force_authenticate(buyer)

    body = api_client.get(passport_url(pack)).json()

    assert body["audience"] == "legitimate_interest"
    condition = body["performanceAndDurability"]["batteryCondition"]
    assert condition[SOCE]["stateOfCertifiedEnergyValue"] == 82.5
    assert body["x-batteryMarket"]["soh"]["grade"] == "B2"


def test_member_of_an_unverified_organisation_gets_the_public_passport(
    api_client, unverified_dealer, pack
):
    api_client.force_authenticate(unverified_dealer)

    body = api_client.get(passport_url(pack)).json()

    assert body["audience"] == "public"
    assert "batteryCondition" not in body["performanceAndDurability"]


def test_staff_get_the_full_passport(api_client, staff, pack):
    api_client.force_authenticate(staff)

    assert api_client.get(passport_url(pack)).json()["audience"] == "legitimate_interest"


def test_draft_pack_is_not_found_except_by_its_owner(api_client, seller):
    draft = ListingFactory(
        seller=seller.organisation, created_by=seller, status="draft", published_at=None
    )

    assert api_client.get(passport_url(draft.pack)).status_code == 404
    api_client.force_authenticate(seller)
    response = api_client.get(passport_url(draft.pack))
    assert response.status_code == 200
    assert response.json()["audience"] == "legitimate_interest"


def test_import_returns_the_prefilled_listing(api_client, buyer):
    api_client.force_authenticate(buyer)

    response = api_client.post(IMPORT_URL, MINIMAL, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "listing_type": "battery_pack",
        "title": "AESC NMC532 40 kWh battery pack",
        "country": "JP",
        "pack": {
            "serial_number": "ZE1-PACK-0001",
            "manufacturer": "AESC",
            "chemistry": "NMC532",
            "rated_capacity_kwh": "40.00",
        },
    }
    assert not Listing.objects.exists()


def test_import_errors_come_in_the_api_error_shape(api_client, buyer):
    api_client.force_authenticate(buyer)
    data = passport(generalProductInformation__batteryCategory="SLI")

    response = api_client.post(IMPORT_URL, data, format="json")

    assert response.status_code == 400
    message = (
        '"SLI" is not a Battery Pass battery category; use one of: lmt, ev, industrial, stationary.'
    )
    assert response.json() == {
        "error": {
            "code": "invalid_passport",
            "message": f"generalProductInformation.batteryCategory: {message}",
            "fields": {"generalProductInformation.batteryCategory": [message]},
        }
    }


def test_create_draft_makes_a_listing_through_the_catalog(api_client, seller):
    api_client.force_authenticate(seller)

    response = api_client.post(f"{IMPORT_URL}?create=draft", MINIMAL, format="json")

    assert response.status_code == 201
    listing = Listing.objects.get()
    assert response.json()["id"] == listing.pk
    assert listing.status == "draft"
    assert listing.seller == seller.organisation
    assert listing.title == "AESC NMC532 40 kWh battery pack"
    assert (listing.pack.serial_number, listing.pack.rated_capacity_kwh) == (
        "ZE1-PACK-0001",
        40,
    )


def test_unverified_organisation_cannot_create_a_listing_from_a_passport(
    api_client, unverified_dealer
):
    api_client.force_authenticate(unverified_dealer)

    response = api_client.post(f"{IMPORT_URL}?create=draft", MINIMAL, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "organisation_not_verified"
    assert not Listing.objects.exists()
    assert not BatteryPack.objects.exists()


def test_anonymous_cannot_import(api_client):
    response = api_client.post(IMPORT_URL, MINIMAL, format="json")

    assert response.status_code in (401, 403)
    assert not Listing.objects.exists()


def test_a_serial_number_already_listed_is_reported_at_the_product_identifier(
    api_client, seller, pack
):
    api_client.force_authenticate(seller)
    data = passport(generalProductInformation__productIdentifier=pack.serial_number)

    response = api_client.post(f"{IMPORT_URL}?create=draft", data, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "generalProductInformation.productIdentifier": [
            "A pack with this serial number from this manufacturer already exists."
        ]
    }
    assert Listing.objects.count() == 1
