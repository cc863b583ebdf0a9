"""A retried POST with the same Idempotency-Key does its work once and answers the same."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.catalog.choices import SaleFormat
from marketplace.core.models import IdempotencyRecord
from marketplace.trading import services
from marketplace.trading.models import Bid, Order
from tests.catalog.factories import ListingFactory
from tests.trading.sale_support import D, bidder

pytestmark = pytest.mark.django_db


def _sale(seller, sale_format=SaleFormat.ENGLISH_AUCTION, **kwargs):
    listing = ListingFactory(
        seller=seller.organisation, created_by=seller, sale_format=sale_format, price=D("100000")
    )
    return services.sale_open(
        listing=listing, actor=seller, ends_at=timezone.now() + timedelta(days=2), **kwargs
    )


def _bid(api_client, sale, amount: str, key: str | None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api_client.post(
        f"/api/v1/trading/sales/{sale.pk}/bids/", {"max_amount": amount}, format="json", **headers
    )


def test_a_retried_bid_with_the_same_key_creates_one_bid(api_client, seller):
    sale = _sale(seller)
    api_client.force_authenticate(bidder("alice"))

    first = _bid(api_client, sale, "150000", key="bid-7f3a")
    retry = _bid(api_client, sale, "150000", key="bid-7f3a")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Bid.objects.filter(sale=sale).count() == 1


def test_without_a_key_a_repeated_bid_is_a_new_request(api_client, seller):
    sale = _sale(seller)
    api_client.force_authenticate(bidder("alice"))

    _bid(api_client, sale, "150000", key=None)
    again = _bid(api_client, sale, "150000", key=None)

    # The same maximum again is not a higher bid: refused, and still one bid.
    assert again.status_code == 400
    assert Bid.objects.filter(sale=sale).count() == 1


def test_reusing_a_key_for_a_different_bid_is_refused(api_client, seller):
    sale = _sale(seller)
    api_client.force_authenticate(bidder("alice"))
    _bid(api_client, sale, "150000", key="bid-1")

    other = _bid(api_client, sale, "200000", key="bid-1")

    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Bid.objects.filter(sale=sale).count() == 1


def test_a_refused_bid_stores_no_answer_so_the_fixed_request_can_use_the_key(api_client, seller):
    sale = _sale(seller)
    api_client.force_authenticate(bidder("alice"))

    too_low = _bid(api_client, sale, "1000", key="bid-2")
    assert too_low.status_code == 400
    assert not IdempotencyRecord.objects.exists()


def test_keys_are_per_user(api_client, seller):
    sale = _sale(seller)
    api_client.force_authenticate(bidder("alice"))
    _bid(api_client, sale, "150000", key="shared")
    api_client.force_authenticate(bidder("bob"))

    bob = _bid(api_client, sale, "180000", key="shared")

    assert bob.status_code == 201
    assert Bid.objects.filter(sale=sale).values("bidder_organisation").distinct().count() == 2


def test_a_retried_buy_now_creates_one_order(api_client, seller):
    sale = _sale(seller, sale_format=SaleFormat.FIXED_PRICE)
    api_client.force_authenticate(bidder("alice"))
    url = f"/api/v1/trading/sales/{sale.pk}/buy-now/"

    first = api_client.post(url, HTTP_IDEMPOTENCY_KEY="buy-1")
    retry = api_client.post(url, HTTP_IDEMPOTENCY_KEY="buy-1")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["id"] == first.json()["id"]
    assert Order.objects.count() == 1
