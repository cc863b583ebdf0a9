"""/api/v1/trading/sales/…: public fields only, anonymised history, sealed bids stay sealed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.accounts.choices import Role
from marketplace.catalog.choices import SaleFormat
from marketplace.trading import services
from marketplace.trading.models import Bid, Order, ReferencePrice, TenderBid
from tests.catalog.factories import ListingFactory
from tests.trading.sale_support import D, bidder, live_auction

pytestmark = pytest.mark.django_db


def test_seller_opens_an_auction_through_the_api(api_client, seller):
    listing = ListingFactory(
        seller=seller.organisation, created_by=seller, sale_format=SaleFormat.ENGLISH_AUCTION
    )
    api_client.force_authenticate(seller)

    response = api_client.post(
        "/api/v1/trading/sales/",
        {
            "listing": listing.pk,
            "ends_at": (timezone.now() + timedelta(days=3)).isoformat(),
            "reserve_price": "400000",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sale_format"] == "english_auction"
    assert body["has_reserve"] is True
    assert "reserve_price" not in body
    assert "400000" not in response.content.decode()


def test_history_is_anonymised_and_hides_maxima(api_client, seller):
    sale = live_auction(seller, reserve_price=D("500000"))
    alice, bob = bidder("alice"), bidder("bob")
    services.bid_place(sale=sale, user=alice, max_amount=D("987000"))
    services.bid_place(sale=sale, user=bob, max_amount=D("520000"))
    api_client.force_authenticate(bob)

    detail = api_client.get(f"/api/v1/trading/sales/{sale.pk}/").json()
    history = api_client.get(f"/api/v1/trading/sales/{sale.pk}/bids/")

    text = history.content.decode() + str(detail)
    assert "987000" not in text
    assert "Alice" not in text
    assert "reserve_price" not in text
    assert [(row["bidder_label"], row["amount"], row["is_mine"]) for row in history.json()] == [
        ("Bidder 1", "525000.00", False),  # Alice's proxy answers one increment above Bob
        ("Bidder 2", "520000.00", True),
        ("Bidder 1", "500000.00", False),  # her maximum reaches the reserve: price lifted to it
    ]
    assert detail["reserve_met"] is True
    assert detail["you_lead"] is False


def test_bid_errors_carry_codes(api_client, seller, unverified_dealer):
    sale = live_auction(seller)
    api_client.force_authenticate(unverified_dealer)

    refused = api_client.post(
        f"/api/v1/trading/sales/{sale.pk}/bids/", {"max_amount": "100000"}, format="json"
    )
    api_client.force_authenticate(bidder("alice"))
    too_low = api_client.post(
        f"/api/v1/trading/sales/{sale.pk}/bids/", {"max_amount": "1000"}, format="json"
    )

    assert (refused.status_code, refused.json()["error"]["code"]) == (
        403,
        "organisation_not_verified",
    )
    assert too_low.status_code == 400
    assert list(too_low.json()["error"]["fields"]) == ["max_amount"]
    assert Bid.objects.count() == 0


def _tender(seller):
    for element, price in (("Ni", "2000"), ("Co", "5000")):
        ReferencePrice.objects.create(
            element=element,
            price_jpy_per_kg=D(price),
            effective_date=timezone.localdate() - timedelta(days=1),
            source="test",
        )
    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        black_mass_listing=True,
        sale_format=SaleFormat.SEALED_TENDER,
    )
    return services.sale_open(
        listing=listing, actor=seller, ends_at=timezone.now() + timedelta(days=5)
    )


def test_sealed_bids_are_hidden_from_seller_and_staff_until_the_close(api_client, seller, staff):
    sale = _tender(seller)
    alice = bidder("alice", role=Role.RECYCLER, permit=True)
    api_client.force_authenticate(alice)
    created = api_client.post(
        f"/api/v1/trading/sales/{sale.pk}/tender-bids/",
        {"fixed_jpy_per_dry_tonne": "512345"},
        format="json",
    )
    assert created.status_code == 201, created.json()

    for viewer in (seller, staff):
        api_client.force_authenticate(viewer)
        seen = api_client.get(f"/api/v1/trading/sales/{sale.pk}/tender-bids/")
        assert seen.json() == []
        assert "512345" not in api_client.get(f"/api/v1/trading/sales/{sale.pk}/").content.decode()
    api_client.force_authenticate(alice)
    own = api_client.get(f"/api/v1/trading/sales/{sale.pk}/tender-bids/").json()
    assert [row["fixed_jpy_per_dry_tonne"] for row in own] == ["512345.00"]


def test_after_the_close_seller_sees_ranking_and_losers_only_their_own(api_client, seller):
    sale = _tender(seller)
    alice = bidder("alice", role=Role.RECYCLER, permit=True)
    bob = bidder("bob", role=Role.RECYCLER, permit=True)
    services.tender_bid_submit(sale=sale, user=alice, fixed_jpy_per_dry_tonne=D("600000"))
    services.tender_bid_submit(sale=sale, user=bob, fixed_jpy_per_dry_tonne=D("500000"))
    services.sale_close(sale=sale, now=sale.ends_at)

    api_client.force_authenticate(seller)
    ranking = api_client.get(f"/api/v1/trading/sales/{sale.pk}/tender-bids/").json()
    api_client.force_authenticate(bob)
    loser = api_client.get(f"/api/v1/trading/sales/{sale.pk}/tender-bids/")

    assert [(r["bidder_organisation"], r["rank"], r["value_jpy"]) for r in ranking] == [
        ("Alice K.K.", 1, 5760000),
        ("Bob K.K.", 2, 4800000),
    ]
    assert [(r["bidder_organisation"], r["rank"]) for r in loser.json()] == [("Bob K.K.", 2)]
    assert "600000" not in loser.content.decode()
    assert "Alice" not in loser.content.decode()
    assert TenderBid.objects.count() == 2


def test_orders_are_visible_to_buyer_and_seller_only(api_client, seller, outsider):
    sale = live_auction(seller, buy_now_price=D("300000"))
    alice = bidder("alice")
    api_client.force_authenticate(alice)
    bought = api_client.post(f"/api/v1/trading/sales/{sale.pk}/buy-now/")
    assert bought.status_code == 201
    order_id = bought.json()["id"]

    api_client.force_authenticate(seller)
    assert [o["id"] for o in api_client.get("/api/v1/trading/orders/").json()["results"]] == [
        order_id
    ]
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/trading/orders/").json()["results"] == []
    assert api_client.get(f"/api/v1/trading/orders/{order_id}/").status_code == 404
    assert Order.objects.count() == 1


def test_precheck_endpoint_answers_for_the_buyers_country(api_client, seller):
    sale = _tender(seller)
    api_client.force_authenticate(bidder("seoul", country="KR"))

    response = api_client.get(f"/api/v1/trading/sales/{sale.pk}/precheck/")

    assert response.status_code == 200
    body = response.json()
    assert (body["material"], body["origin"], body["destination"]) == ("black_mass", "JP", "KR")
    assert body["regime"] != "domestic"


def test_offer_flow_through_the_api(api_client, seller):
    listing = ListingFactory(seller=seller.organisation, created_by=seller, price=D("500000"))
    sale = services.sale_open(
        listing=listing, actor=seller, ends_at=timezone.now() + timedelta(days=10)
    )
    alice = bidder("alice")
    api_client.force_authenticate(alice)
    offer = api_client.post(
        f"/api/v1/trading/sales/{sale.pk}/offers/", {"amount": "450000"}, format="json"
    ).json()

    api_client.force_authenticate(seller)
    counter = api_client.post(
        f"/api/v1/trading/offers/{offer['id']}/counter/", {"amount": "480000"}, format="json"
    )
    api_client.force_authenticate(alice)
    accepted = api_client.post(f"/api/v1/trading/offers/{counter.json()['id']}/accept/")

    assert counter.status_code == 201
    assert (accepted.status_code, accepted.json()["amount"]) == (201, "480000.00")


def test_sales_list_query_count_does_not_grow_with_sales(
    api_client, seller, django_assert_num_queries
):
    for _ in range(3):
        live_auction(seller)
    api_client.force_authenticate(bidder("alice"))
    with django_assert_num_queries(2):
        small = api_client.get("/api/v1/trading/sales/")
    for _ in range(5):
        live_auction(seller)

    with django_assert_num_queries(2):
        large = api_client.get("/api/v1/trading/sales/")

    assert (small.json()["count"], large.json()["count"]) == (3, 8)
