"""Journey 4: a buyer in a country the lot may not go to sees why before bidding, and the
server refuses the bid. Japan bans the export of electric vehicles to Russia (Export Trade
Control Order, in force 2023-08-09); a Russian reuse maker looks at a Japanese used-EV auction.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from marketplace.catalog.choices import SaleFormat
from marketplace.trading import services
from marketplace.trading.models import Bid, Sale
from tests.browser.journeys import PageChecks, dealer, reuse_maker
from tests.browser_support import log_in
from tests.catalog.factories import ListingFactory
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAN_REASON = "Japan bans exports of hybrid, plug-in hybrid and electric vehicles"


def _(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def used_ev_auction(seller) -> Sale:
    listing = ListingFactory(
        vehicle_listing=True,
        seller=seller.organisation,
        created_by=seller,
        title="Nissan Leaf ZE1 2019, 62,000 km",
        sale_format=SaleFormat.ENGLISH_AUCTION,
        price=Decimal("900000"),
    )
    return services.sale_open(
        listing=listing, actor=seller, ends_at=timezone.now() + timedelta(days=2)
    )


def blocked_buyer_sees_why_and_cannot_bid(open_page, checks: PageChecks, sale: Sale) -> None:
    language = checks.language
    page = open_page(language, phone=checks.phone)
    log_in(page, "moscow", PASSWORD)
    page.goto(f"/trading/sales/{sale.pk}/")

    buyer_sees_why(page, checks, language)
    buyer_cannot_bid(page, checks, sale)


def buyer_sees_why(page, checks: PageChecks, language: str) -> None:
    precheck = page.locator("#precheck")
    expect(precheck.locator(".badge")).to_have_text(_(language, "blocked"))
    expect(precheck).to_contain_text("JP")
    expect(precheck).to_contain_text("RU")
    expect(precheck.locator("code")).to_have_text("prohibited")
    expect(page.locator("#eligibility")).to_be_visible()
    checks.visit(page, "01-sale-page-blocked")


def buyer_cannot_bid(page, checks: PageChecks, sale: Sale) -> None:
    page.locator("input[name=max_amount]").fill("1000000")
    page.locator("#act form button[type=submit]").first.click()

    expect(page.locator("#act .errorlist")).to_be_visible()
    checks.visit(page, "02-bid-refused", focus="#precheck")
    assert Bid.objects.filter(sale=sale).count() == 0
    sale.refresh_from_db()
    assert (sale.bid_count, sale.current_price) == (0, None)


def russian_buyer_and_used_ev_auction() -> Sale:
    reuse_maker("moscow", "Vtoraya Zhizn Batarei LLC", country="RU", region="Moscow")
    return used_ev_auction(dealer())


@pytest.fixture
def sale(db):
    return russian_buyer_and_used_ev_auction()


def test_a_buyer_in_a_blocked_country_sees_why_and_cannot_bid(open_page, sale):
    checks = PageChecks("journey4-desktop-en", doc_pages=frozenset({"02-bid-refused"}))

    blocked_buyer_sees_why_and_cannot_bid(open_page, checks, sale)


def test_the_blocked_buyer_journey_on_a_phone(open_page, sale):
    checks = PageChecks("journey4-phone-en", phone=True)

    blocked_buyer_sees_why_and_cannot_bid(open_page, checks, sale)


def test_the_page_names_the_ban_and_its_source(open_page, sale):
    page = open_page("en")
    log_in(page, "moscow", PASSWORD)

    page.goto(f"/trading/sales/{sale.pk}/")

    expect(page.locator("#precheck li")).to_contain_text(BAN_REASON)
    expect(page.locator("#precheck li .muted")).to_contain_text("Japan Russia export ban expansion")
    expect(page.locator("#eligibility")).to_contain_text(
        "This lot cannot legally go to Russia: " + BAN_REASON
    )
