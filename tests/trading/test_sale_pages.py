"""The sale pages: panel, bidding through the form, sealed bids hidden in HTML, start a sale."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.accounts.choices import Role
from marketplace.catalog.choices import SaleFormat
from marketplace.trading import services
from marketplace.trading.models import Bid, Sale
from tests.catalog.factories import ListingFactory
from tests.factories import PermitFactory
from tests.trading.sale_support import D, bidder, live_auction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_sale_page_shows_price_reserve_badge_countdowns_and_precheck(client, seller, buyer):
    sale = live_auction(seller, reserve_price=D("400000"))
    client.force_login(buyer)

    page = client.get(f"/trading/sales/{sale.pk}/").content.decode()

    assert "Reserve not met" in page
    assert "400000" not in page
    assert "400,000" not in page
    assert "data-countdown-to" in page
    assert 'id="domestic-first"' in page
    assert 'id="precheck"' in page


def test_bidding_through_the_form(client, seller, buyer):
    sale = live_auction(seller)
    client.force_login(buyer)

    response = client.post(
        f"/trading/sales/{sale.pk}/", {"action": "bid", "max_amount": "150000"}, follow=True
    )

    assert response.status_code == 200
    assert "Your bid is in." in response.content.decode()
    sale.refresh_from_db()
    assert (sale.current_price, sale.bid_count) == (D("100000"), 1)


def test_too_low_bid_is_shown_on_the_form(client, seller, buyer):
    sale = live_auction(seller)
    client.force_login(buyer)

    response = client.post(f"/trading/sales/{sale.pk}/", {"action": "bid", "max_amount": "5"})

    assert response.status_code == 200
    assert "Bid at least 100,000 JPY." in response.content.decode()
    assert Bid.objects.count() == 0


def test_seller_page_does_not_show_sealed_bids_before_the_close(client, seller):
    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        black_mass_listing=True,
        sale_format=SaleFormat.SEALED_TENDER,
    )
    sale = services.sale_open(
        listing=listing, actor=seller, ends_at=timezone.now() + timedelta(days=5)
    )
    recycler = bidder("alice", role=Role.RECYCLER)
    PermitFactory(organisation=recycler.organisation)
    services.tender_bid_submit(sale=sale, user=recycler, fixed_jpy_per_dry_tonne=D("512345"))
    client.force_login(seller)

    page = client.get(f"/trading/sales/{sale.pk}/").content.decode()

    assert "512345" not in page
    assert "512,345" not in page
    assert "Alice" not in page
    assert 'id="tender-bids"' not in page


def test_seller_starts_a_sale_from_the_form(client, seller):
    listing = ListingFactory(
        seller=seller.organisation, created_by=seller, sale_format=SaleFormat.ENGLISH_AUCTION
    )
    client.force_login(seller)
    ends = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        f"/trading/listings/{listing.pk}/start-sale/",
        {"ends_at": ends, "start_price": "200000"},
    )

    sale = Sale.objects.get()
    assert response.status_code == 302
    assert response.url == f"/trading/sales/{sale.pk}/"
    assert sale.start_price == D("200000")


def test_my_bids_and_my_orders_pages(client, seller, buyer):
    sale = live_auction(seller, buy_now_price=D("300000"))
    client.force_login(buyer)
    services.sale_buy_now(sale=sale, user=buyer)

    bids = client.get("/trading/my-bids/")
    orders = client.get("/trading/orders/").content.decode()

    assert bids.status_code == 200
    assert "300000" in orders or "300,000" in orders


def test_sealed_bid_through_the_form_and_ranking_for_the_seller_after_the_close(client, seller):
    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        black_mass_listing=True,
        sale_format=SaleFormat.SEALED_TENDER,
    )
    sale = services.sale_open(
        listing=listing, actor=seller, ends_at=timezone.now() + timedelta(days=5)
    )
    recycler = bidder("alice", role=Role.RECYCLER)
    PermitFactory(organisation=recycler.organisation)
    client.force_login(recycler)

    response = client.post(
        f"/trading/sales/{sale.pk}/",
        {"action": "tender", "kind": "fixed", "fixed_jpy_per_dry_tonne": "500000"},
    )
    assert response.status_code == 302
    services.sale_close(sale=sale, now=sale.ends_at)
    client.force_login(seller)
    page = client.get(f"/trading/sales/{sale.pk}/").content.decode()

    assert 'id="tender-bids"' in page
    assert "Alice K.K." in page
    assert "4800000" in page  # 9.6 dry tonnes × 500,000 JPY


def test_seller_accepts_an_offer_on_the_page(client, seller, buyer):
    listing = ListingFactory(seller=seller.organisation, created_by=seller, price=D("500000"))
    sale = services.sale_open(
        listing=listing, actor=seller, ends_at=timezone.now() + timedelta(days=10)
    )
    offer = services.offer_make(sale=sale, user=buyer, amount=D("450000"))
    client.force_login(seller)

    page = client.get(f"/trading/sales/{sale.pk}/").content.decode()
    response = client.post(
        f"/trading/sales/{sale.pk}/", {"action": "offer_accept", "offer_id": offer.pk}
    )

    assert 'value="offer_accept"' in page
    assert response.status_code == 302
    assert sale.order.amount == D("450000")
