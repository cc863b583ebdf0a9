import pytest
from django.urls import reverse

from marketplace.accounts.choices import Role
from tests.factories import UserFactory


@pytest.mark.django_db
def test_home_page_speaks_japanese_when_asked(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ja")

    page = response.content.decode()
    assert '<html lang="ja">' in page
    assert "ログイン" in page
    assert "Log in" not in page


@pytest.mark.django_db
def test_language_switch_sets_the_cookie_and_the_next_page_is_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert '<html lang="en">' in page
    assert "Log in" in page


@pytest.mark.django_db
def test_japanese_dashboard_for_an_unverified_dealer(client, unverified_dealer):
    client.force_login(unverified_dealer)

    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert "ディーラー" in page
    assert "審査待ち" in page


@pytest.mark.parametrize(
    ("role", "heading", "link"),
    [
        (Role.DEALER, "Dealer dashboard", "/catalog/new/"),
        (Role.REUSE_MAKER, "Reuse maker dashboard", "/catalog/watchlist/"),
        (Role.RECYCLER, "Recycler dashboard", "/trading/quote/"),
        (Role.DIAGNOSTICS_PROVIDER, "Diagnostics provider dashboard", "/diagnostics/estimate/"),
        (Role.COMPLIANCE_OFFICER, "Compliance officer dashboard", "/compliance/cases/"),
    ],
)
@pytest.mark.django_db
def test_each_role_sees_its_own_dashboard_with_its_tools(client, role, heading, link):
    client.force_login(UserFactory(role=role))

    page = client.get(reverse("dashboard")).content.decode()

    assert heading in page
    assert f'href="{link}"' in page


@pytest.mark.django_db
def test_staff_dashboard_lists_organisations_waiting(client, staff, unverified_dealer):
    client.force_login(staff)

    page = client.get(reverse("dashboard")).content.decode()

    assert "Platform staff dashboard" in page
    assert unverified_dealer.organisation.legal_name in page


@pytest.mark.django_db
def test_recycler_without_permit_is_told_it_cannot_buy_waste(client):
    client.force_login(UserFactory(role=Role.RECYCLER))

    page = client.get(reverse("dashboard")).content.decode()

    assert "No valid waste-handling permit is recorded" in page


@pytest.mark.django_db
def test_password_reset_sends_a_link_by_email(client, seller, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": seller.email})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


@pytest.mark.django_db
def test_healthz_reports_the_database_and_worker(client):
    body = client.get("/healthz").json()

    assert body["status"] == "ok"
    assert body["worker_last_seen"] is None
