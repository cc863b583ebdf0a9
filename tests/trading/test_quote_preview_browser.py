"""The live "what is my bid worth" preview, in a real browser: typing calls the quote API."""

from datetime import date
from decimal import Decimal

import pytest

from marketplace.trading import services
from tests.browser_support import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_preview_updates_as_the_buyer_types(open_page, staff, buyer):
    from playwright.sync_api import expect

    services.reference_price_record(
        actor=staff,
        element="Ni",
        price_jpy_per_kg=Decimal("2300"),
        effective_date=date(2026, 1, 1),
        source="test",
    )
    page = open_page("en")
    log_in(page, "buyer", PASSWORD)
    page.goto("/trading/quote/")

    page.fill("input[name=wet_kg]", "1000")
    page.fill("input[name=moisture_pct]", "5")
    page.fill("input[name=assay_Ni]", "20")
    page.fill("input[name=payable_Ni]", "75")

    # 950 kg dry × 20 % × 75 % × 2,300 JPY/kg (today's reference price)
    expect(page.locator("#quote-result")).to_contain_text("Value: 327,750 JPY")
    expect(page.locator("#quote-result table tr")).to_have_count(2)

    page.fill("input[name=moisture_pct]", "100")

    expect(page.locator("#quote-result")).to_contain_text("Moisture must be below 100 %")
