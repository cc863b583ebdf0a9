"""Journey 2: a dealer auctions a pack; two reuse makers bid; the one outbid sees it on the
open page without reloading; the auction closes on the real Celery worker; the winner finds
the order and pays it by card (localstripe, whose signed webhook marks it paid); the seller
sees the order paid and released for shipment.

Against PostgreSQL, Redis and a real worker process. The clock is not ours to move, so when
the bidding is done the test sets the sale's end to now ("time passes") and sends the sweep
that Celery beat sends every 30 seconds (`trading.sweep_due_sales`); the worker closes the
sale and awards it. The 705,000 JPY lot is below the deposit threshold (1,000,000 JPY), so
nobody authorises a deposit before bidding.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from marketplace.catalog.choices import SaleFormat
from marketplace.payments.models import Payment, StripeEvent
from marketplace.trading.choices import OrderStatus
from marketplace.trading.models import Order, OrderEvent, Sale
from marketplace.trading.tasks import sweep_due_sales
from tests.browser.journeys import (
    PageChecks,
    dealer,
    expect_after_reloading,
    reuse_maker,
    tab_to,
)
from tests.browser_support import log_in
from tests.catalog.factories import ListingFactory
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.needs_postgres,
    pytest.mark.needs_redis,
    pytest.mark.django_db(transaction=True),
]

# Live updates poll every 5 seconds; give two rounds and a slow machine.
LIVE = 20_000
WEBHOOK = 30_000  # localstripe posts the payment's webhook to the live server


def _(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def dealer_starts_the_auction(open_page, checks: PageChecks, listing) -> tuple:
    seller = open_page(checks.language, phone=checks.phone)
    log_in(seller, "dealer", PASSWORD)
    seller.goto(f"/catalog/listings/{listing.pk}/")
    seller.locator(f"a[href$='/trading/listings/{listing.pk}/start-sale/']").click()
    ends = timezone.localtime() + timedelta(days=3)
    seller.fill("input[name=ends_at]", ends.strftime("%Y-%m-%dT%H:%M"))
    seller.fill("input[name=start_price]", "500000")
    seller.fill("input[name=reserve_price]", "600000")
    checks.visit(seller, "00-start-sale")
    seller.locator("main form button[type=submit]").click()

    seller.wait_for_url("**/trading/sales/*/")
    expect(seller.locator(".messages")).to_contain_text(_(checks.language, "The sale is open."))
    return seller, Sale.objects.get(listing=listing)


def bids(page, amount: str, language: str) -> None:
    page.fill("input[name=max_amount]", amount)
    page.locator("#act form button[type=submit]").first.click()
    expect(page.locator(".messages")).to_contain_text(_(language, "Your bid is in."))


def auction_journey(open_page, checks: PageChecks, listing) -> None:
    language = checks.language
    seller, sale = dealer_starts_the_auction(open_page, checks, listing)

    first = open_page(checks.language, phone=checks.phone)
    log_in(first, "kumamoto", PASSWORD)
    first.goto(f"/trading/sales/{sale.pk}/")
    bids(first, "700000", language)
    # One proxy whose maximum covers the hidden reserve: the price rises to the reserve.
    expect(first.locator("#current-price")).to_have_text("600,000 JPY")
    expect(first.locator("#you-lead")).to_be_visible()
    expect(first.locator("#reserve-badge")).to_have_text(_(language, "Reserve met"))
    checks.visit(first, "01-first-bidder-leads")

    second = open_page(checks.language, phone=checks.phone)
    log_in(second, "forklift", PASSWORD)
    second.goto(f"/trading/sales/{sale.pk}/")
    bids(second, "800000", language)
    # The first maximum, 700,000, plus one increment (5,000 from 100,000 JPY).
    expect(second.locator("#current-price")).to_have_text("705,000 JPY")

    # The first bidder's page, not reloaded, learns it is outbid.
    notice = first.locator("#live-notice")
    expect(notice).to_have_text(
        _(language, "You have been outbid. Raise your maximum to lead again."), timeout=LIVE
    )
    expect(first.locator("#current-price")).to_have_text("705,000 JPY")
    expect(first.locator("#bid-count")).to_have_text("2")
    expect(first.locator("#you-lead")).to_be_hidden()
    checks.visit(first, "02-outbid-live")

    the_auction_closes_on_the_worker(sale)
    expect(notice).to_have_text(
        _(language, "The auction has ended. Reload the page to see the result."), timeout=LIVE
    )

    order = Order.objects.get(sale=sale)
    assert order.buyer_organisation.legal_name == "Kumamoto Forklift Works K.K."
    assert (order.amount, order.currency, order.cross_border) == (Decimal("705000"), "JPY", False)
    seller_sees_the_order(seller, checks, order)
    winner_pays_by_card(second, checks, order)
    seller_sees_the_order_paid(seller, checks, order)


def the_auction_closes_on_the_worker(sale: Sale) -> None:
    now = timezone.now()  # time passes: the end the seller chose has come
    Sale.objects.filter(pk=sale.pk).update(ends_at=now, original_ends_at=now)
    sweep_due_sales.apply_async()  # what beat sends every 30 seconds


def seller_sees_the_order(seller, checks: PageChecks, order: Order) -> None:
    seller.goto(f"/trading/sales/{order.sale_id}/")
    expect(seller.locator("#sale-panel strong")).to_have_text(_(checks.language, "Awarded."))
    seller.locator("#sale-panel a[href$='/trading/orders/']").click()
    row = seller.locator("table tr", has_text=f"#{order.pk}")
    expect(row).to_contain_text("Kumamoto Forklift Works K.K.")
    expect(row).to_contain_text("705,000 JPY")
    checks.visit(seller, "03-seller-sees-order")


def winner_pays_by_card(winner, checks: PageChecks, order: Order) -> None:
    """The winner opens the order from their list and pays 705,000 JPY with the keyboard,
    using the 4242 test card of localstripe. localstripe's signed webhook tells the live server
    the money arrived; a domestic order is then released for shipment at once."""
    language = checks.language
    winner.goto("/trading/orders/")
    row = winner.locator("table tr", has_text=f"#{order.pk}")
    expect(row).to_contain_text("705,000 JPY")
    expect(row).to_contain_text(status_label(language, OrderStatus.CREATED))
    row.locator(f"a[href$='/trading/orders/{order.pk}/']").click()

    expect(winner.locator("#order-status")).to_have_text(
        status_label(language, OrderStatus.CREATED)
    )
    checks.visit(winner, "04-winner-order-to-pay")
    tab_to(winner, "#pay input[name=use_test_card]")
    winner.keyboard.press("Space")
    expect(winner.locator("#pay input[name=use_test_card]")).to_be_checked()
    tab_to(winner, "#pay button[type=submit]")
    winner.keyboard.press("Enter")
    expect(winner.locator(".messages")).to_contain_text(
        _(language, "Payment received by Stripe; the order moves on its confirmation.")
    )

    # Paid by the webhook, then released in the same transaction: no compliance case at home.
    expect_after_reloading(
        winner,
        winner.locator("#order-status"),
        status_label(language, OrderStatus.RELEASED),
        timeout_ms=WEBHOOK,
    )
    payment = winner.locator("#money-timeline tr", has_text=_(language, "Order payment"))
    expect(payment).to_contain_text("705,000 JPY")
    expect(winner.locator("#pay")).to_have_count(0)
    expect(winner.locator("#delivery button[type=submit]")).to_be_visible()
    checks.visit(winner, "05-order-paid-and-released")

    paid = Payment.objects.get(order=order)
    assert (paid.amount_received, paid.status, paid.stripe_intent_id[:3]) == (
        Decimal("705000"),
        "succeeded",
        "pi_",
    )
    assert StripeEvent.objects.filter(
        type="payment_intent.succeeded", payload__id=paid.stripe_intent_id
    ).exists(), "the order moved on localstripe's webhook"
    assert list(
        OrderEvent.objects.filter(order=order).order_by("pk").values_list("to_status", flat=True)
    )[-2:] == [OrderStatus.PAID, OrderStatus.RELEASED]


def seller_sees_the_order_paid(seller, checks: PageChecks, order: Order) -> None:
    """The seller's list shows the order paid and released; its page shows the payment."""
    language = checks.language
    seller.goto("/trading/orders/")
    row = seller.locator("table tr", has_text=f"#{order.pk}")
    expect(row).to_contain_text(status_label(language, OrderStatus.RELEASED))
    row.locator(f"a[href$='/trading/orders/{order.pk}/']").click()
    expect(seller.locator("#order-status")).to_have_text(
        status_label(language, OrderStatus.RELEASED)
    )
    payment = seller.locator("#money-timeline tr", has_text=_(language, "Order payment"))
    expect(payment).to_contain_text("705,000 JPY")
    # Only the buyer pays or confirms the delivery.
    expect(seller.locator("#pay, #delivery")).to_have_count(0)
    checks.visit(seller, "06-seller-sees-order-paid")


def status_label(language: str, status: OrderStatus) -> str:
    with translation.override(language):
        return str(status.label)


@pytest.fixture
def pack_listing(db):
    return auction_people_and_listing()


def auction_people_and_listing():
    seller = dealer()
    reuse_maker("kumamoto", "Kyushu Energy Storage K.K.")
    reuse_maker("forklift", "Kumamoto Forklift Works K.K.")
    return ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        title="Nissan Leaf 40 kWh pack, SOH 85 %",
        sale_format=SaleFormat.ENGLISH_AUCTION,
        price=Decimal("500000"),
    )


def test_two_reuse_makers_bid_the_outbid_one_sees_it_live_the_winner_pays_the_seller_sees_it(
    open_page, worker, pack_listing
):
    checks = PageChecks("journey2-desktop-en", doc_pages=frozenset({"02-outbid-live"}))

    auction_journey(open_page, checks, pack_listing)
