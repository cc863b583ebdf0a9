"""A new dealer signs up in Japanese, staff verify it in English, and the dealer can trade."""

import pytest
from playwright.sync_api import expect

from marketplace.accounts.models import Organisation
from tests.browser_support import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dealer_signs_up_in_japanese_and_staff_verify_it(open_page, staff):
    dealer = open_page("ja")
    dealer.goto("/signup/")
    expect(dealer.locator("h1")).to_have_text("組織を登録する")
    dealer.fill("input[name=legal_name]", "久留米解体株式会社")
    dealer.select_option("select[name=country]", "JP")
    dealer.fill("input[name=region]", "福岡県")
    dealer.fill("textarea[name=address]", "久留米市西町12")
    dealer.fill("input[name=business_registration_number]", "6290001000777")
    dealer.select_option("select[name=role]", "dealer")
    dealer.fill("input[name=username]", "kurume")
    dealer.fill("input[name=email]", "ops@kurume.example.jp")
    dealer.fill("input[name=password]", PASSWORD)
    dealer.click("main form button[type=submit]")

    dealer.wait_for_url("**/dashboard/")
    expect(dealer.locator("#organisation-status .badge")).to_have_text("審査待ち")
    expect(dealer.locator("#organisation-status")).to_contain_text("出品・入札・購入はできません")

    officer = open_page("en")
    log_in(officer, "staff", PASSWORD)
    officer.click("text=Verification queue")
    officer.click("text=久留米解体株式会社")
    officer.click("button[value=verify]")
    expect(officer.locator(".messages")).to_contain_text("Decision recorded for 久留米解体株式会社")

    dealer.reload()
    expect(dealer.locator("#organisation-status .badge")).to_have_text("審査済み")
    assert Organisation.objects.get(legal_name="久留米解体株式会社").can_trade()


def test_language_switch_in_the_header_changes_the_whole_page(open_page, seller):
    page = open_page("ja")
    log_in(page, "seller", PASSWORD)
    expect(page.locator("h1").first).to_have_text("ディーラー ダッシュボード")

    page.select_option("#language-select", "en")

    expect(page.locator("h1").first).to_have_text("Dealer dashboard")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_rejection_reason_is_required_in_the_review_form(open_page, unverified_dealer):
    from tests.factories import StaffFactory

    StaffFactory(username="reviewer")
    page = open_page("en")
    log_in(page, "reviewer", PASSWORD)
    page.goto(f"/staff/organisations/{unverified_dealer.organisation_id}/")

    page.click("button[value=reject]")

    expect(page.locator(".errorlist")).to_contain_text("This field is required.")
    unverified_dealer.organisation.refresh_from_db()
    assert unverified_dealer.organisation.verification_status == "pending"
