"""Journey 3: a Korean smelter wins a Japanese black-mass tender with a payables bid; the
shipment case opens on the real worker; a compliance officer takes it from the queue, reviews
the checks, records the consents and documents, and gives the first approval; black mass is
high-risk, so an officer of another organisation confirms it. The smelter pays the provisional
invoice by card (localstripe, whose signed webhook marks the order paid and, the case being
approved, released), confirms delivery; both parties record their assays, the final invoice is
issued and its balance paid; staff release the payout and the seller sees it.

Black mass from Japan to Korea is an OECD amber movement: export consent of Japan, import
consent of Korea, a notification and movement document, and an officer's review. The tender
opened three days ago, so its 72-hour domestic-first window is over and a foreign smelter may
bid. As in journey 2, "time passes" sets the end to now and the beat's sweep closes the sale on
the worker. The tender has no asking price, so no deposit is needed to bid.
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
from marketplace.payments.choices import PaymentStatus, SettlementState
from marketplace.payments.models import Payment, Payout, StripeEvent
from marketplace.trading import services
from marketplace.trading.choices import OrderStatus
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
SECOND_APPROVAL_REASON = {
    "en": "Second review: consents and movement document match the lot.",
    "ja": "二次確認: 同意書と移動書類はロットと一致。",
}
WEBHOOK = 30_000  # localstripe posts the payment's webhook to the live server
# The provisional invoice is 90 % of the pre-shipment value (settlement.yaml).
PROVISIONAL_JPY = Decimal("5496768")
# Each party's laboratory, dry basis (% of dry mass).
BUYER_ASSAY = {"Ni": "19.90", "Co": "6.30", "Li": "3.70"}
SELLER_ASSAY = {"Ni": "20.10", "Co": "6.40", "Li": "3.80"}


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
    second_officer_confirms(open_page, checks, case)
    smelter_pays_the_provisional_invoice(smelter_page, checks, order)
    smelter_confirms_delivery(smelter_page, checks, order)
    seller = open_page(checks.language, phone=checks.phone)
    log_in(seller, "dealer", PASSWORD)
    the_parties_exchange_assays(smelter_page, seller, checks, order)
    smelter_pays_the_balance(smelter_page, checks, order)
    payout_is_released(open_page, seller, checks, order, case)


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

    # Black mass is a high-risk material: this is the first of two approvals.
    expect(officer.locator(".messages")).to_contain_text(
        _(language, "First approval recorded; a second officer must confirm it.")
    )
    checks.visit(officer, "04-case-first-approval")
    case.refresh_from_db()
    assert (case.status, case.first_approved_by.username) == ("awaiting_second_officer", "officer")
    return case


def second_officer_confirms(open_page, checks: PageChecks, case: ShipmentCase) -> None:
    """An officer of another organisation takes the case from the second-officer queue, sees
    the first approval and confirms it: the case is approved."""
    language = checks.language
    officer = open_page(language, phone=checks.phone)
    log_in(officer, "officer2", PASSWORD)
    officer.locator("#compliance-queue a[href$='?status=awaiting_second_officer']").click()
    row = officer.locator("#cases tr", has_text="Black mass NMC622")
    row.locator("a").first.click()

    expect(officer.locator("main")).to_contain_text(APPROVAL_REASON[language])
    decision = officer.locator("#decision form[action$='/decide/']")
    decision.locator("input[name=decision][value=approve]").check()
    decision.locator("textarea[name=reason]").fill(SECOND_APPROVAL_REASON[language])
    decision.locator("button[type=submit]").click()

    expect(officer.locator(".messages")).to_contain_text(_(language, "Case approved."))
    checks.visit(officer, "05-case-approved")
    case.refresh_from_db()
    assert (case.status, case.first_approved_by.username, case.decided_by.username) == (
        "approved",
        "officer",
        "officer2",
    )
    assert case.first_approved_by.organisation_id != case.decided_by.organisation_id


def smelter_pays_the_provisional_invoice(page, checks: PageChecks, order: Order) -> None:
    """Paying issues the provisional invoice (90 % of 6,107,520 = 5,496,768 JPY) and charges
    it to the 4242 test card; localstripe's webhook marks the order paid, and as the case is
    approved it is released for shipment in the same step."""
    language = checks.language
    page.goto("/trading/orders/")
    page.locator(f"a[href$='/trading/orders/{order.pk}/']").first.click()
    expect(page.locator("#order-status")).to_have_text(status_label(language, OrderStatus.CREATED))
    expect(page.locator("main")).to_contain_text(
        _(language, "The provisional invoice is issued when the buyer pays.")
    )
    page.locator("#pay input[name=use_test_card]").check()
    page.locator("#pay button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(
        _(language, "Payment received by Stripe; the order moves on its confirmation.")
    )

    expect_after_reloading(
        page,
        page.locator("#order-status"),
        status_label(language, OrderStatus.RELEASED),
        timeout_ms=WEBHOOK,
    )
    provisional = page.locator("#invoices tr", has_text=_(language, "Provisional invoice"))
    expect(provisional).to_contain_text("5,496,768")
    expect(provisional).to_contain_text("6,107,520")
    payment = page.locator("#money-timeline tr", has_text=_(language, "Order payment"))
    expect(payment).to_contain_text("5,496,768 JPY")
    checks.visit(page, "06-provisional-invoice-paid")
    assert Payment.objects.get(order=order).amount_received == PROVISIONAL_JPY
    assert StripeEvent.objects.filter(type="payment_intent.succeeded").count() == 1


def smelter_confirms_delivery(page, checks: PageChecks, order: Order) -> None:
    language = checks.language
    page.locator("#delivery button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(
        _(
            language,
            "Delivery confirmed. The seller is paid out once the platform releases the payout.",
        )
    )
    expect(page.locator("#order-status")).to_have_text(
        status_label(language, OrderStatus.DELIVERED)
    )


def record_assay(page, language: str, party: str, laboratory: str, assay: dict) -> None:
    form = page.locator("#assay-form")
    form.locator("select[name=party]").select_option(party)
    form.locator("input[name=laboratory]").fill(laboratory)
    for element, pct in assay.items():
        form.locator(f"input[name=assay_{element}]").fill(pct)
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(_(language, "Assay recorded."))


def the_parties_exchange_assays(buyer, seller, checks: PageChecks, order: Order) -> None:
    """Each party records its laboratory's dry assay on the order page. Every difference is
    within the splitting limit (Ni 0.20 ≤ 0.30, Co 0.10 ≤ 0.15, Li 0.10 ≤ 0.10), so the final
    assay is the mean: Ni 20.00, Co 6.35, Li 3.75 %. Value 9,600 kg × (0.20×0.80×2,300 +
    0.0635×0.75×4,800 + 0.0375×0.60×1,500) = 9,600 × 630.35 = 6,051,360 JPY; the final invoice
    asks 6,051,360 − 5,496,768 = 554,592 JPY more."""
    language = checks.language
    record_assay(buyer, language, "buyer", "Pohang Refining", BUYER_ASSAY)
    seller.goto(f"/trading/orders/{order.pk}/")
    record_assay(seller, language, "seller", "Hakata Motors", SELLER_ASSAY)

    final = seller.locator("#invoices tr", has_text=_(language, "Final invoice"))
    expect(final).to_contain_text("6,051,360")
    expect(final).to_contain_text("554,592")
    expect(seller.locator("#assays tr")).to_have_count(3)  # the header and both parties
    checks.visit(seller, "07-assays-exchanged", focus="#settlement")


def smelter_pays_the_balance(page, checks: PageChecks, order: Order) -> None:
    language = checks.language
    page.reload()
    final = page.locator("#invoices tr", has_text=_(language, "Final invoice"))
    final.locator("input[name=use_test_card]").check()
    final.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(
        _(language, "Balance payment sent to Stripe.")
    )
    # The amount received is recorded when localstripe's webhook arrives (localstripe leaves
    # it out of its answer to the payment itself).
    balance = page.locator("#money-timeline tr", has_text=_(language, "Final invoice balance paid"))
    expect_after_reloading(page, balance, "554,592 JPY", timeout_ms=WEBHOOK)
    expect(balance).to_contain_text(payment_status_label(language, PaymentStatus.SUCCEEDED))
    expect(page.locator("main table").first).to_contain_text(
        settlement_label(language, SettlementState.FINAL)
    )
    checks.visit(page, "08-balance-paid", focus="#settlement")


def payout_is_released(
    open_page, seller, checks: PageChecks, order: Order, case: ShipmentCase
) -> None:
    """Delivered, cleared by both officers and finally invoiced and paid: staff release the
    payout. The platform keeps 2 % of the 6,051,360 JPY received (121,027.2 → 121,027 JPY);
    the seller is paid 5,930,333 JPY, by bank transfer as localstripe has no Connect."""
    language = checks.language
    assert payout_allowed(listing=order.listing, buyer_organisation=order.buyer_organisation)
    staff = open_page(language, phone=checks.phone)
    log_in(staff, "staff", PASSWORD)
    staff.goto("/payments/staff/payouts/")
    row = staff.locator("table tr", has_text=f"#{order.pk}")
    expect(row).to_contain_text("Black mass NMC622")
    checks.visit(staff, "09-payout-awaiting")
    row.locator("button[type=submit]").click()
    expect(staff.locator(".messages")).to_contain_text(
        _(language, "Payout of %(net)s %(currency)s recorded for order #%(order)s.")
        % {"net": "5,930,333", "currency": "JPY", "order": order.pk}
    )

    payout = Payout.objects.get(order=order)
    assert (payout.gross, payout.fee, payout.net, payout.method, payout.compliance_case_id) == (
        Decimal("6051360"),
        Decimal("121027"),
        Decimal("5930333"),
        "manual",
        case.pk,
    )

    seller.goto("/trading/orders/")
    row = seller.locator("table tr", has_text=f"#{order.pk}")
    expect(row).to_contain_text("Pohang Refining Co.")
    expect(row).to_contain_text("6,107,520 JPY")
    expect(row).to_contain_text(status_label(language, OrderStatus.SETTLED))
    row.locator(f"a[href$='/trading/orders/{order.pk}/']").click()
    expect(seller.locator("#order-status")).to_have_text(
        status_label(language, OrderStatus.SETTLED)
    )
    timeline = seller.locator("#money-timeline")
    expect(timeline.locator("tr", has_text="121,027 JPY")).to_have_count(1)  # the fee
    expect(timeline.locator("tr", has_text="-5,930,333 JPY")).to_have_count(1)  # the payout
    checks.visit(seller, "10-seller-paid-out", focus="section:has(#money-timeline)")


def status_label(language: str, status: OrderStatus) -> str:
    with translation.override(language):
        return str(status.label)


def settlement_label(language: str, state: SettlementState) -> str:
    with translation.override(language):
        return str(state.label)


def payment_status_label(language: str, status: PaymentStatus) -> str:
    with translation.override(language):
        return str(status.label)


@pytest.fixture
def tender(db):
    return tender_people_and_sale()


def tender_people_and_sale() -> Sale:
    smelter("pohang", "Pohang Refining Co.", country="KR")
    domestic = smelter("wakamatsu", "Wakamatsu Metals K.K.", country="JP")
    compliance_officer()
    compliance_officer("officer2", "Fukuoka Compliance K.K.")  # a high-risk case needs two
    sale = black_mass_tender(dealer(), StaffFactory(username="staff"))
    services.tender_bid_submit(sale=sale, user=domestic, fixed_jpy_per_dry_tonne=Decimal("500000"))
    return sale


def test_a_korean_smelter_wins_a_payables_tender_two_officers_clear_it_and_the_seller_is_paid(
    open_page, worker, tender
):
    checks = PageChecks(
        "journey3-desktop-en",
        doc_pages=frozenset({"01-payables-bid", "03-case-checks", "10-seller-paid-out"}),
    )

    tender_journey(open_page, checks, tender)
