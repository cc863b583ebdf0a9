"""Bad input gets a clear 4xx with the error shape and a field name, never a 500, and changes
nothing: broken JSON, wrong types, huge bodies, impossible numbers, unknown countries, dates
where they are not allowed, files whose content lies about their type."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from marketplace.catalog.choices import SaleFormat
from marketplace.catalog.models import ListingAttachment
from marketplace.core.api.errors import flatten_errors
from marketplace.trading.api.sale_serializers import BidCreateSerializer
from marketplace.trading.models import Bid
from tests.catalog.factories import ListingFactory
from tests.trading.sale_support import bidder, live_auction

pytestmark = pytest.mark.django_db


@pytest.fixture
def auction(seller):
    return live_auction(seller, now=timezone.now() - timedelta(hours=25))


@pytest.fixture
def alice_client(api_client):
    api_client.force_authenticate(bidder("alice"))
    return api_client


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    return body["error"]


def test_malformed_json_is_a_400_naming_the_problem(alice_client, auction):
    response = alice_client.post(
        f"/api/v1/trading/sales/{auction.pk}/bids/",
        data='{"max_amount": "150000",',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert _error(response)["code"] == "parse_error"
    assert Bid.objects.count() == 0


@pytest.mark.parametrize(
    "amount",
    ["abc", "-150000", "0", "NaN", "Infinity", "-Infinity", "1e400", "1" * 40, "150000.001", True],
)
def test_impossible_bid_amounts_are_refused_on_the_field(alice_client, auction, amount):
    response = alice_client.post(
        f"/api/v1/trading/sales/{auction.pk}/bids/", {"max_amount": amount}, format="json"
    )

    assert response.status_code == 400, response.content
    assert "max_amount" in _error(response)["fields"]
    assert Bid.objects.count() == 0


def test_a_json_number_that_overflows_is_a_400(alice_client, auction):
    response = alice_client.post(
        f"/api/v1/trading/sales/{auction.pk}/bids/",
        data='{"max_amount": 1e999999}',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert Bid.objects.count() == 0


def test_a_body_over_the_upload_limit_is_a_400_not_a_crash(alice_client, auction, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    huge = json.dumps({"max_amount": "150000", "note": "x" * (2 * 1024 * 1024)})

    response = alice_client.post(
        f"/api/v1/trading/sales/{auction.pk}/bids/", data=huge, content_type="application/json"
    )

    assert response.status_code in (400, 413)
    assert Bid.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("origin", "XX"), ("destination", "JPN"), ("origin", ""), ("material", "plutonium")],
)
def test_precheck_refuses_unknown_countries_and_materials(api_client, buyer, field, value):
    api_client.force_authenticate(buyer)
    body = {"material": "black_mass", "origin": "JP", "destination": "KR", field: value}

    response = api_client.post("/api/v1/compliance/precheck/", body, format="json")

    assert response.status_code == 400
    assert field in _error(response)["fields"]


def test_precheck_refuses_a_date_that_is_not_a_date(api_client, buyer):
    api_client.force_authenticate(buyer)
    body = {"material": "used_ev", "origin": "JP", "destination": "KR", "date": "2026-02-30"}

    response = api_client.post("/api/v1/compliance/precheck/", body, format="json")

    assert response.status_code == 400
    assert "date" in _error(response)["fields"]


def test_a_sale_cannot_end_in_the_past(api_client, seller):
    listing = ListingFactory(
        seller=seller.organisation, created_by=seller, sale_format=SaleFormat.ENGLISH_AUCTION
    )
    api_client.force_authenticate(seller)

    response = api_client.post(
        "/api/v1/trading/sales/",
        {"listing": listing.pk, "ends_at": (timezone.now() - timedelta(days=1)).isoformat()},
        format="json",
    )

    assert response.status_code == 400
    assert "ends_at" in _error(response)["fields"]
    assert not listing.sales.exists()


def test_an_executable_named_pdf_is_refused_by_its_content(api_client, seller):
    draft = ListingFactory(seller=seller.organisation, created_by=seller, status="draft")
    api_client.force_authenticate(seller)
    fake = SimpleUploadedFile("sds.pdf", b"MZ\x90\x00\x03" + b"\x00" * 64, "application/pdf")

    response = api_client.post(
        f"/api/v1/listings/{draft.pk}/attachments/",
        {"kind": "sds", "file": fake},
        format="multipart",
    )

    assert response.status_code == 400
    assert _error(response)["fields"]["file"] == ["The file's content is not a PDF file."]
    assert not ListingAttachment.objects.exists()


def test_a_misspelt_field_is_a_400_naming_it_and_no_bid_is_placed(alice_client, auction):
    response = alice_client.post(
        f"/api/v1/trading/sales/{auction.pk}/bids/",
        data={"max_amount": "150000", "max_amout": "900000"},
        format="json",
    )

    assert response.status_code == 400
    assert list(_error(response)["fields"]) == ["max_amout"]
    assert not Bid.objects.filter(sale=auction).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"max_amout": "150000"}, "max_amout"),  # misspelt: refused, not dropped
        ({}, "max_amount"),
        ({"max_amount": None}, "max_amount"),
        (["150000"], "non_field_errors"),
    ],
)
def test_a_bid_body_is_refused_as_its_serializer_refuses_it(alice_client, auction, body, field):
    # The bid view validates with a serializer built once per thread (core.api.serializers
    # .validated); the answer is the one a fresh serializer's is_valid() gives, every time.
    fresh = BidCreateSerializer(data=body)
    assert not fresh.is_valid()

    for _ in range(2):
        response = alice_client.post(
            f"/api/v1/trading/sales/{auction.pk}/bids/", body, format="json"
        )
        assert response.status_code == 400, response.content
        assert _error(response)["fields"] == flatten_errors(fresh.errors)
    assert field in fresh.errors
    assert Bid.objects.count() == 0
