"""Journey 1: a dealer lists a used EV pack, a diagnostics provider certifies its SOH, the
dealer offers a residual-value guarantee on it and publishes. On a desktop and on a phone.

The certificate is issued by the provider (it names the pack by manufacturer and serial
number) and appears on the dealer's listing by itself: the dealer never types an SOH.
"""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from diagnostics.models import ResidualValueGuarantee, SohCertificate
from marketplace.catalog.models import Listing
from tests.browser.journeys import PageChecks, dealer, diagnostics_provider, tab_to
from tests.browser_support import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIAL = "AZE0-2019-004711"


def _(language: str, message: str) -> str:
    """The text the page shows for `message` in `language`, through the site's catalogue."""
    with translation.override(language):
        return gettext(message)


def dealer_lists_certifies_guarantees_and_publishes(open_page, checks: PageChecks) -> Listing:
    language = checks.language
    seller = open_page(language, phone=checks.phone)
    log_in(seller, "dealer", PASSWORD)

    listing_url = dealer_saves_a_pack_draft(seller, checks)
    provider_certifies_the_pack(open_page, checks)

    seller.goto(listing_url)
    panel = seller.locator("#diagnostics-panel")
    expect(panel).to_contain_text("Nishi-Nihon Battery Diagnostics K.K.")
    # 34.0 kWh measured of 40 kWh rated: SOH_E 85.0 %, ±2 pp (full discharge)
    expect(panel.locator("tbody tr").first).to_contain_text("85.0 % (83.0–87.0 %)")
    checks.visit(seller, "01-listing-with-certificate")

    dealer_offers_a_capacity_warranty(seller, checks)

    seller.goto(listing_url)
    expect(seller.locator("#diagnostics-panel .guarantees")).to_contain_text("70.0 %")
    seller.locator("form[action$='/publish/'] button").click()
    expect(seller.locator(".messages")).to_contain_text(_(language, "Listing published."))
    expect(seller.locator("h1 .badge")).to_have_text(_(language, "Published"))
    checks.visit(seller, "04-listing-published")

    listing = Listing.objects.select_related("pack").get(pack__serial_number=SERIAL)
    assert listing.status == "published"
    assert listing.price == Decimal("1500000")
    return listing


def dealer_saves_a_pack_draft(seller, checks: PageChecks) -> str:
    language = checks.language
    seller.goto("/catalog/new/")
    seller.locator("a[href$='/catalog/new/battery_pack/']").click()
    expect(seller.locator("h1")).to_contain_text(_(language, "Battery pack"))
    seller.fill("input[name=title]", "Nissan Leaf 40 kWh pack, 2019")
    seller.select_option("select[name=sale_format]", "english_auction")
    seller.fill("input[name=price]", "1500000")
    seller.fill("input[name=region]", "Fukuoka")
    seller.fill("input[name=pack-serial_number]", SERIAL)
    seller.fill("input[name=pack-manufacturer]", "AESC")
    seller.select_option("select[name=pack-chemistry]", "NMC532")
    seller.fill("input[name=pack-rated_capacity_kwh]", "40")
    seller.fill("input[name=pack-rated_capacity_ah]", "56.3")
    seller.fill("input[name=pack-mass_kg]", "303")
    seller.fill("input[name=pack-first_used_on]", "2019-04-01")
    checks.visit(seller, "00-new-pack-listing-form")
    seller.locator("main form button[type=submit]").click()

    seller.wait_for_url("**/catalog/listings/*/")
    expect(seller.locator(".messages")).to_contain_text(
        _(language, "Draft saved. Publish it when it is ready.")
    )
    expect(seller.locator("h1 .badge")).to_have_text(_(language, "Draft"))
    return seller.url


def provider_certifies_the_pack(open_page, checks: PageChecks) -> None:
    language = checks.language
    lab = open_page(language, phone=checks.phone)
    log_in(lab, "diagnostics", PASSWORD)
    lab.goto("/diagnostics/certificates/new/")
    lab.fill("input[name=manufacturer]", "AESC")
    lab.fill("input[name=serial_number]", SERIAL)
    lab.select_option("select[name=registered_method]", index=1)
    lab.fill("input[name=tested_on]", "2026-11-02")
    lab.fill("input[name=measured_energy_kwh]", "34")
    lab.fill("input[name=test_temperature_c]", "25")
    lab.locator("main form button[type=submit]").click()

    lab.wait_for_url("**/diagnostics/certificates/*-*/")
    expect(lab.locator(".messages")).to_contain_text(_(language, "Certificate issued."))
    checks.visit(lab, "02-certificate-issued")
    certificate = SohCertificate.objects.get(pack__serial_number=SERIAL)
    assert certificate.soh_pct == Decimal("85.0")


def dealer_offers_a_capacity_warranty(seller, checks: PageChecks) -> None:
    language = checks.language
    seller.locator("#diagnostics-panel a[href*='/guarantees/new/']").click()
    seller.select_option("select[name=guarantee_type]", "capacity_warranty")
    seller.fill("input[name=term_years]", "3")
    seller.fill("input[name=guaranteed_soh_pct]", "70")  # pays pro rata below 70 % SOH
    checks.visit(seller, "03-guarantee-form")
    seller.locator("main form button[type=submit]").click()

    expect(seller.locator(".messages")).to_contain_text(
        _(language, "Guarantee offered; buyers see it on the listing.")
    )
    guarantee = ResidualValueGuarantee.objects.get(pack__serial_number=SERIAL)
    assert (guarantee.guarantee_type, guarantee.term_years) == ("capacity_warranty", 3)
    assert guarantee.guaranteed_soh_pct == Decimal("70")


@pytest.fixture
def people(db):
    return dealer(), diagnostics_provider()


def test_dealer_lists_a_certified_guaranteed_pack_on_a_desktop(open_page, people):
    checks = PageChecks(
        "journey1-desktop-en",
        doc_pages=frozenset({"04-listing-published"}),
    )

    listing = dealer_lists_certifies_guarantees_and_publishes(open_page, checks)

    assert listing.pack.soh_source == "certificate"


def test_dealer_lists_a_certified_guaranteed_pack_on_a_phone(open_page, people):
    checks = PageChecks(
        "journey1-phone-en", phone=True, doc_pages=frozenset({"04-listing-published"})
    )

    listing = dealer_lists_certifies_guarantees_and_publishes(open_page, checks)

    assert listing.status == "published"


def test_the_listing_form_finds_fields_by_label_and_submits_with_the_keyboard(open_page, people):
    page = open_page("en")
    log_in(page, "dealer", PASSWORD)
    page.goto("/catalog/new/battery_pack/")

    # Labels name every field: a screen reader (and get_by_label) finds them by their text.
    page.get_by_label("Title").focus()
    page.keyboard.type("Leaf 24 kWh pack")
    for field, value in (
        ("Serial number / pack ID", "AZE0-2013-000042"),
        ("Manufacturer", "AESC"),
    ):
        page.get_by_label(field).focus()
        page.keyboard.type(value)
    page.get_by_label("Chemistry").focus()
    page.keyboard.press("End")  # a <select> moves by keys; End picks the last chemistry
    page.get_by_label("Rated capacity (kWh)").focus()
    page.keyboard.type("24")
    # Tab from the last filled field to the submit button, then Enter.
    page.get_by_label("Grade").focus()
    page.keyboard.press("Tab")
    expect(page.locator("main form button[type=submit]")).to_be_focused()
    page.keyboard.press("Enter")

    page.wait_for_url("**/catalog/listings/*/")
    listing = Listing.objects.select_related("pack").get(title="Leaf 24 kWh pack")
    assert (listing.status, listing.pack.serial_number) == ("draft", "AZE0-2013-000042")
    assert listing.pack.rated_capacity_kwh == Decimal("24.00")


def test_the_dealer_logs_in_with_tab_and_enter_only(open_page, people):
    page = open_page("en")
    page.goto("/accounts/login/")

    tab_to(page, "main input[name=username]")
    page.keyboard.type("dealer")
    page.keyboard.press("Tab")
    expect(page.locator("main input[name=password]")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    page.wait_for_url("**/dashboard/")
    expect(page.locator("h1").first).to_have_text("Dealer dashboard")
