"""Bidding and the pre-check have limits of their own: 429 with Retry-After, nothing done past."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.catalog.choices import SaleFormat
from marketplace.trading import services
from marketplace.trading.models import Bid
from tests.catalog.factories import ListingFactory
from tests.trading.sale_support import D, bidder

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_limits(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "bids": "3/minute"}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "precheck": "2/minute"},
    }


def test_the_fourth_bid_in_a_minute_is_refused_with_retry_after(api_client, seller, tight_limits):
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
    url = f"/api/v1/trading/sales/{sale.pk}/bids/"

    accepted = [
        api_client.post(url, {"max_amount": amount}, format="json").status_code
        for amount in ("100000", "110000", "120000")
    ]
    refused = api_client.post(url, {"max_amount": "130000"}, format="json")
    history = api_client.get(url)  # reading the history is not a bid

    assert accepted == [201, 201, 201]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "throttled"
    assert history.status_code == 200
    assert Bid.objects.filter(is_automatic=False).count() == 3


def test_the_third_precheck_in_a_minute_is_refused(api_client, buyer, tight_limits):
    api_client.force_authenticate(buyer)
    body = {"material": "black_mass", "origin": "JP", "destination": "KR"}

    statuses = [
        api_client.post("/api/v1/compliance/precheck/", body, format="json").status_code
        for _ in range(3)
    ]

    assert statuses == [200, 200, 429]
