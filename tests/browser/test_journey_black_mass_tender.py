"""Journey 3: a Korean smelter wins a Japanese black-mass tender with a payables bid; the
shipment case opens on the real worker; a compliance officer takes it from the queue, reviews
the checks, records the consents and documents, and approves; then the seller may be paid.

Black mass from Japan to Korea is an OECD amber movement: export consent of Japan, import
consent of Korea, a notification and movement document, and an officer's review. The tender
opened three days ago, so its 72-hour domestic-first window is over and a foreign smelter may
bid. As in journey 2, "time passes" sets the end to now and the beat's sweep closes the sale on
the worker. `payout_is_released` is where the payments work adds the payout release.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from compliance.models import ShipmentCase
from compliance.services.gates import payout_allowed
from marketplace.catalog.choices import SaleFormat
from marketplace.trading import services
from marketplace.trading.models import Order, Sale, TenderBid
from marketplace.trading.tasks import sweep_due_sales
from tests.browser.journeys import (
    PageChecks,
    compliance_officer,
    dealer,
    expect_after_reloading,
    smelter,
)
from tests.browser_support import log_in
from tests.catalog.factories import ListingFactory
from tests.conftest import PASSWORD
from tests.factories import StaffFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.needs_postgres,
    pytest.mark.needs_redis,
    pytest.mark.django_db(transaction=True),
]

WORKER = 60_000  # the worker closes the sale, opens the case and runs its checks

# 10,000 kg wet at 4 % moisture: 9,600 kg dry. Ni 20 %, Co 6.5 %, Li 3.8 % (the factory lot).
# Reference prices (JPY/kg): Ni 2,300, Co 4,800, Li 1,500. A payables bid of Ni 80 %, Co 75 %,
# Li 60 % is worth 9,600 × (0.20×0.80×2,300 + 0.065×0.75×4,800 + 0.038×0.60×1,500)
# = 9,600 × (368 + 234 + 34.2) = 6,107,520 JPY; the Japanese recycler's fixed 500,000 JPY per
# dry tonne is worth 9.6 × 500,000 = 4,800,000 JPY.
PRICES = {"Ni": "2300", "Co": "4800", "Li": "1500"}
WINNING_VALUE_JPY = Decimal("6107520")
APPROVAL_REASON = {
    "en": "Consents on file; notification JP-2026-0042.",
    "ja": "同意書を確認済み。通知番号 JP-2026-0042。",
}


def _(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def black_mass_tender(seller, staff) -> Sale:
    for element, price in PRICES.items():
        services.reference_price_record(
            actor=staff,
            element=element,
            price_jpy_per_kg=Decimal(price),
            effective_date=date(2026, 1, 5),
            source="LME cash settlement, converted at the TTM rate",
        )
    listing = ListingFactory(
        black_mass_listing=True,
        seller=seller.organisation,
        created_by=seller,
        title="Black mass NMC622, 10 t, Kitakyushu",
        sale_format=SaleFormat.SEALED_TENDER,
        price=None,
    )
    opened = timezone.now() - timedelta(hours=73)
    return services.sale_open(
        listing=listing, actor=seller, ends_at=opened + timedelta(days=5), now=opened
    )


def tender_journey(open_page, checks: PageChecks, sale: Sale) -> None:
    smelter_page = smelter_submits_a_payables_bid(open_page, checks, sale)
    order = the_tender_closes_on_the_worker(smelter_page, sale)
    case = officer_reviews_and_approves(open_page, checks, order)
    payout_is_released(open_page, checks, order, case)


def smelter_submits_a_payables_bid(open_page, checks: PageChecks, sale: Sale):
    language = checks.language
    page = open_page(language, phone=checks.phone)
    log_in(page, "pohang", PASSWORD)
    page.goto(f"/trading/sales/{sale.pk}/")
    expect(page.locator("#precheck .badge")).to_have_text(_(language, "allowed"))
    expect(page.locator("#precheck code")).to_have_text("oecd_amber")

    page.locator("input[name=kind][value=payables]").check()
    page.fill("input[name=payable_Ni]", "80")
    page.fill("input[name=payable_Co]", "75")
    page.fill("input[name=payable_Li]", "60")
    # The live preview asks the quote API: the same figure the close will compute.
    expect(page.locator("#tender-preview")).to_contain_text("6,107,520 JPY")
    checks.visit(page, "01-payables-bid")
    page.locator("#tender-form button[type=submit]").click()

    expect(page.locator(".messages")).to_contain_text(
        _(language, "Your sealed bid is in. Nobody sees it before the close.")
    )
    bid = TenderBid.objects.get(sale=sale, bidder_organisation__legal_name="Pohang Refining Co.")
    assert bid.payables_pct == {"Ni": "80", "Co": "75", "Li": "60"}
    return page


def the_tender_closes_on_the_worker(page, sale: Sale) -> Order:
    now = timezone.now()  # time passes: the end the seller chose has come
    Sale.objects.filter(pk=sale.pk).update(ends_at=now, original_ends_at=now)
    sweep_due_sales.apply_async()  # what beat sends every 30 seconds

    # The smelter's case appears in its own list once the worker has opened it.
    page.goto("/compliance/cases/")
    expect_after_reloading(page, page.locator("#cases"), "Black mass NMC622", timeout_ms=WORKER)
    order = Order.objects.get(sale=sale)
    assert order.buyer_organisation.legal_name == "Pohang Refining Co."
    assert (order.amount, order.currency, order.cross_border) == (WINNING_VALUE_JPY, "JPY", True)
    return order


def officer_reviews_and_approves(open_page, checks: PageChecks, order: Order) -> ShipmentCase:
    language = checks.language
    officer = open_page(language, phone=checks.phone)
    log_in(officer, "officer", PASSWORD)
    officer.locator("#compliance-queue a[href$='?status=awaiting_officer']").click()
    # Awaiting an officer once the worker has run the checks.
    row = officer.locator("#cases tr", has_text="Black mass NMC622")
    expect_after_reloading(officer, row, "JP → KR", timeout_ms=WORKER)
    checks.visit(officer, "02-case-queue")
    row.locator("a").first.click()

    case = ShipmentCase.objects.get(listing=order.listing)
    expect(officer.locator("#checks tr")).not_to_have_count(1)
    expect(officer.locator("#summary")).to_contain_text("oecd_amber")
    checks.visit(officer, "03-case-checks")

    for consent in case.consents.order_by("pk"):
        prefix = f"consent-{consent.pk}"
        officer.select_option(f"select[name={prefix}-status]", "granted")
        officer.fill(f"input[name={prefix}-notification_sent_on]", "2026-11-02")
        officer.fill(f"input[name={prefix}-decided_on]", "2026-11-20")
        officer.fill(f"input[name={prefix}-reference_number]", f"{consent.country.code}-2026-0042")
        officer.locator(f"form:has(select[name={prefix}-status]) button").click()
        expect(officer.locator(".messages")).to_contain_text(_(language, "Consent recorded."))
    for document in case.documents.order_by("pk"):
        prefix = f"document-{document.pk}"
        officer.check(f"input[name={prefix}-received]")
        officer.locator(f"form:has(input[name={prefix}-received]) button").click()
        expect(officer.locator(".messages")).to_contain_text(_(language, "Document updated."))

    decision = officer.locator("#decision form[action$='/decide/']")
    for box in decision.locator("input[name=acknowledge]").all():
        box.check()
    decision.locator("input[name=decision][value=approve]").check()
    decision.locator("textarea[name=reason]").fill(APPROVAL_REASON[language])
    decision.locator("button[type=submit]").click()

    expect(officer.locator(".messages")).to_contain_text(_(language, "Case approved."))
    checks.visit(officer, "04-case-approved")
    case.refresh_from_db()
    assert (case.status, case.decided_by.username) == ("approved", "officer")
    return case


def payout_is_released(open_page, checks: PageChecks, order: Order, case: ShipmentCase) -> None:
    """Compliance now lets the seller be paid, and the seller sees the order. The payout
    release itself (Stripe transfer, after delivery) is added here by the payments work."""
    assert payout_allowed(listing=order.listing, buyer_organisation=order.buyer_organisation)
    seller = open_page(checks.language, phone=checks.phone)
    log_in(seller, "dealer", PASSWORD)
    seller.goto("/trading/orders/")
    row = seller.locator("table tr", has_text=f"#{order.pk}")
    expect(row).to_contain_text("Pohang Refining Co.")
    expect(row).to_contain_text("6,107,520 JPY")
    checks.visit(seller, "05-seller-order")


@pytest.fixture
def tender(db):
    return tender_people_and_sale()


def tender_people_and_sale() -> Sale:
    smelter("pohang", "Pohang Refining Co.", country="KR")
    domestic = smelter("wakamatsu", "Wakamatsu Metals K.K.", country="JP")
    compliance_officer()
    sale = black_mass_tender(dealer(), StaffFactory(username="staff"))
    services.tender_bid_submit(sale=sale, user=domestic, fixed_jpy_per_dry_tonne=Decimal("500000"))
    return sale


def test_a_korean_smelter_wins_a_payables_tender_and_an_officer_clears_the_shipment(
    open_page, worker, tender
):
    checks = PageChecks(
        "journey3-desktop-en", doc_pages=frozenset({"01-payables-bid", "03-case-checks"})
    )

    tender_journey(open_page, checks, tender)
