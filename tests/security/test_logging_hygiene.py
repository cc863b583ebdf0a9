"""Nothing secret or personal reaches the logs: passwords, API token keys, e-mail addresses,
phone numbers, a bidder's secret maximum, the SECRET_KEY, even when the request fails."""

import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from marketplace.catalog.choices import SaleFormat
from marketplace.trading import services
from tests.catalog.factories import ListingFactory
from tests.conftest import PASSWORD
from tests.trading.sale_support import D, bidder

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Unguessable-Pass-4471!"
EMAIL = "kenji.sato@example.jp"
PHONE = "+81-92-555-0199"
SECRET_MAXIMUM = "987654"


@pytest.fixture
def every_log_record(caplog):
    caplog.set_level(logging.DEBUG)  # the root logger: django.request, security, celery, ours
    return caplog


def test_a_day_of_traffic_logs_no_secret_and_no_personal_data(
    every_log_record, client, api_client, seller
):
    # Sign-up (good, then with the same e-mail again), logins that fail, a password reset.
    signup = {
        "legal_name": "Sato Battery",
        "country": "JP",
        "region": "Fukuoka",
        "address": "1-2-3 Hakata",
        "business_registration_number": "1234567890123",
        "phone": PHONE,
        "role": "dealer",
        "username": "kenji",
        "email": EMAIL,
        "password": NEW_PASSWORD,
    }
    assert api_client.post("/api/v1/auth/signup/", signup, format="json").status_code == 201
    api_client.post("/api/v1/auth/signup/", {**signup, "password": "short"}, format="json")
    client.post(reverse("login"), {"username": "kenji", "password": NEW_PASSWORD + "x"})
    client.post(reverse("login"), {"username": "seller", "password": NEW_PASSWORD})
    client.post(reverse("password_reset"), {"email": EMAIL})
    # A token is created and used; a wrong token is tried.
    api_client.force_authenticate(seller)
    key = api_client.post("/api/v1/tokens/", {"name": "ERP"}, format="json").json()["key"]
    api_client.force_authenticate(None)
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key[:-4]}beef")
    # A bid with a secret maximum, and one refused.
    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        sale_format=SaleFormat.ENGLISH_AUCTION,
        price=D("100000"),
    )
    sale = services.sale_open(
        listing=listing,
        actor=seller,
        ends_at=timezone.now() + timedelta(days=1),
        now=timezone.now() - timedelta(hours=25),
    )
    api_client.force_authenticate(bidder("alice"))
    bids = f"/api/v1/trading/sales/{sale.pk}/bids/"
    assert api_client.post(bids, {"max_amount": SECRET_MAXIMUM}, format="json").status_code == 201
    api_client.post(bids, {"max_amount": "-1"}, format="json")

    logged = "\n".join(
        record.getMessage()
        + " "
        + repr(record.__dict__.get("args"))
        + " "
        + (record.exc_text or "")
        for record in every_log_record.records
    )
    assert every_log_record.records, "nothing was logged at all: the test would prove nothing"
    for secret in (NEW_PASSWORD, PASSWORD, key, key[:-4], EMAIL, PHONE, SECRET_MAXIMUM):
        assert secret not in logged
    assert settings.SECRET_KEY not in logged
