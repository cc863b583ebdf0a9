"""HTML pages: issue form, certificate, verification, SOH history and the listing panel."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory

from diagnostics import services
from diagnostics.models import SohCertificate
from marketplace.accounts.choices import Role, VerificationStatus
from marketplace.catalog.choices import ListingStatus
from tests.diagnostics.conftest import issue, tamper
from tests.factories import UserFactory

ISSUE_URL = "/diagnostics/certificates/new/"
CSV = b"time_s,voltage_v,current_a\n0,398.2,0.0\n1,397.9,-50.1\n"


def _form(registration, pack, **overrides) -> dict:
    data = {
        "manufacturer": pack.manufacturer,
        "serial_number": pack.serial_number,
        "registered_method": registration.pk,
        "tested_on": "2026-10-01",
        "measured_energy_kwh": "34.000",
        "age_years": "5",
        "odometer_km": "60000",
        "resistance_increase_pct": "20",
        "balanced_before_test": "unknown",
    }
    data.update(overrides)
    return data


def test_provider_issues_through_the_form(client, provider, full_discharge, pack):
    client.force_login(provider)

    response = client.post(ISSUE_URL, _form(full_discharge, pack))

    certificate = SohCertificate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/diagnostics/certificates/{certificate.uuid}/"
    assert certificate.soh_pct == Decimal("85.00")
    assert certificate.issued_by == provider
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert certificate.content_sha256 in page.content.decode()


def test_provider_finds_the_pack_case_insensitively(client, provider, full_discharge, pack):
    client.force_login(provider)

    client.post(ISSUE_URL, _form(full_discharge, pack, manufacturer="aesc"))

    assert SohCertificate.objects.get().pack == pack


def test_issue_form_with_raw_data(client, provider, full_discharge, pack, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(provider)

    client.post(
        ISSUE_URL, {**_form(full_discharge, pack), "raw_data": SimpleUploadedFile("r.csv", CSV)}
    )

    certificate = SohCertificate.objects.get()
    download = client.get(f"/diagnostics/certificates/{certificate.uuid}/raw/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == CSV


def test_issue_form_shows_a_bad_csv_on_the_field(client, provider, full_discharge, pack):
    client.force_login(provider)
    bad = SimpleUploadedFile("r.csv", b"time,voltage\n0,3.9\n")

    response = client.post(ISSUE_URL, {**_form(full_discharge, pack), "raw_data": bad})

    assert response.status_code == 400
    assert "missing: current" in response.content.decode()
    assert SohCertificate.objects.count() == 0


def test_unknown_pack_is_a_form_error(client, provider, full_discharge, pack):
    client.force_login(provider)

    response = client.post(ISSUE_URL, _form(full_discharge, pack, serial_number="NOPE"))

    assert response.status_code == 400
    assert "No pack with this manufacturer and serial number." in response.content.decode()
    assert SohCertificate.objects.count() == 0


@pytest.mark.parametrize("role", [Role.DEALER, Role.REUSE_MAKER])
def test_traders_get_403_on_the_issue_form(client, full_discharge, pack, role):
    client.force_login(UserFactory(role=role))

    assert client.get(ISSUE_URL).status_code == 403
    assert client.post(ISSUE_URL, _form(full_discharge, pack)).status_code == 403
    assert SohCertificate.objects.count() == 0


def test_unverified_provider_gets_403_on_the_issue_form(client, provider, full_discharge, pack):
    provider.organisation.verification_status = VerificationStatus.PENDING
    provider.organisation.save()
    client.force_login(provider)

    assert client.post(ISSUE_URL, _form(full_discharge, pack)).status_code == 403
    assert SohCertificate.objects.count() == 0


def test_provider_list_page(client, provider, full_discharge, pack):
    issue(provider, full_discharge, pack)
    client.force_login(provider)

    response = client.get("/diagnostics/certificates/")

    assert response.status_code == 200
    assert pack.serial_number in response.content.decode()


def test_revoke_from_the_page_requires_a_reason(client, provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)
    client.force_login(provider)
    url = f"/diagnostics/certificates/{certificate.uuid}/revoke/"

    client.post(url, {"reason": ""})
    certificate.refresh_from_db()
    assert certificate.status == "issued"

    client.post(url, {"reason": "tested the wrong pack"})
    certificate.refresh_from_db()
    assert certificate.status == "revoked"


def test_supersede_from_the_page(client, provider, full_discharge, pack):
    old = issue(provider, full_discharge, pack)
    client.force_login(provider)
    data = _form(full_discharge, pack, measured_energy_kwh="32", reason="wrong cut-off")

    response = client.post(f"/diagnostics/certificates/{old.uuid}/supersede/", data)

    new = SohCertificate.objects.get(supersedes=old)
    assert response["Location"] == f"/diagnostics/certificates/{new.uuid}/"
    old.refresh_from_db()
    assert old.status == "superseded"


def test_verify_page_is_public(client, provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)

    response = client.get(f"/diagnostics/certificates/{certificate.uuid}/verify/")

    body = response.content.decode()
    assert response.status_code == 200
    assert certificate.content_sha256 in body
    assert "matches its recorded content hash" in body
    assert "Kyushu Battery Lab" in body
    assert "85.00 %" in body
    assert "34.000" not in body  # measurements stay private


def test_verify_page_flags_a_tampered_row(client, provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)
    tamper(certificate, residual_value_jpy=1)

    response = client.get(f"/diagnostics/certificates/{certificate.uuid}/verify/")

    assert "does not match its recorded content hash" in response.content.decode()


def test_raw_data_is_private_to_owner_provider_and_staff(
    client, provider, full_discharge, pack, seller, buyer, staff, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    certificate = services.certificate_issue(
        actor=provider,
        registered_method_id=full_discharge.pk,
        subject=pack,
        values=services.CertificateValues(
            tested_on=datetime.date(2026, 10, 1),
            measured_energy_kwh=Decimal("34"),
            age_years=Decimal("5"),
        ),
        raw_data=SimpleUploadedFile("r.csv", CSV),
    )
    url = f"/diagnostics/certificates/{certificate.uuid}/raw/"

    def status(user):
        client.force_login(user)
        return client.get(url).status_code

    assert [status(user) for user in (provider, seller, staff, buyer)] == [200, 200, 200, 404]
    client.logout()
    assert client.get(url).status_code == 302


# --- SOH history -----------------------------------------------------------------------


def test_history_page_is_shown_to_a_verified_buyer(client, provider, full_discharge, pack, buyer):
    issue(
        provider,
        full_discharge,
        pack,
        tested_on=datetime.date(2024, 10, 1),
        measured_energy_kwh=Decimal("36"),
        age_years=Decimal("3"),
    )
    issue(provider, full_discharge, pack)
    client.force_login(buyer)

    response = client.get(f"/diagnostics/packs/{pack.pk}/history/")

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('<g class="certificate issued"') == 2
    assert 'class="forecast"' in body
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert "<script" not in svg


def test_history_page_is_hidden_from_anonymous_visitors(client, provider, full_discharge, pack):
    issue(provider, full_discharge, pack)

    response = client.get(f"/diagnostics/packs/{pack.pk}/history/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") or "login" in response["Location"]


def test_history_page_is_hidden_from_unverified_organisations(
    client, provider, full_discharge, pack
):
    issue(provider, full_discharge, pack)
    client.force_login(
        UserFactory(
            role=Role.REUSE_MAKER, organisation__verification_status=VerificationStatus.PENDING
        )
    )

    assert client.get(f"/diagnostics/packs/{pack.pk}/history/").status_code == 404


def test_history_of_a_draft_listing_is_for_the_seller_only(
    client, provider, full_discharge, listing, seller, buyer
):
    issue(provider, full_discharge, listing.pack)
    listing.status = ListingStatus.DRAFT
    listing.save()
    url = f"/diagnostics/packs/{listing.pack_id}/history/"

    client.force_login(buyer)
    assert client.get(url).status_code == 404
    client.force_login(seller)
    assert client.get(url).status_code == 200


# --- Listing panel ---------------------------------------------------------------------


def _panel(listing, user) -> str:
    request = RequestFactory().get(f"/catalog/listings/{listing.pk}/")
    request.user = user
    template = Template("{% load diagnostics_tags %}{% listing_diagnostics_panel listing %}")
    return template.render(Context({"listing": listing, "request": request, "user": user}))


def test_listing_panel_shows_the_conflict(provider, full_discharge, bms_readout, listing, buyer):
    issue(provider, full_discharge, listing.pack)
    issue(provider, bms_readout, listing.pack, measured_energy_kwh=None, soce_pct=Decimal("70"))

    html = _panel(listing, buyer)

    assert "The certificates conflict" in html
    assert "84.1 %" in html
    assert f"/diagnostics/packs/{listing.pack_id}/history/" in html


def test_listing_panel_without_conflict_has_no_warning(provider, full_discharge, listing, buyer):
    issue(provider, full_discharge, listing.pack)

    html = _panel(listing, buyer)

    assert "The certificates conflict" not in html
    assert "85.0 %" in html


def test_listing_panel_shows_the_guarantee_offer(provider, full_discharge, listing, seller, buyer):
    issue(provider, full_discharge, listing.pack)
    services.guarantee_offer(
        actor=seller,
        pack=listing.pack,
        guarantee_type="capacity_warranty",
        term_years=5,
        guaranteed_soh_pct=Decimal("80"),
    )

    html = _panel(listing, buyer)

    assert "Pro-rata capacity warranty" in html
    assert "premium ¥11,370" in html


def test_listing_panel_is_hidden_from_anonymous_visitors(provider, full_discharge, listing):
    issue(provider, full_discharge, listing.pack)

    html = _panel(listing, AnonymousUser())

    assert "85.0 %" not in html
    assert "signed-in members of verified organisations" in html


def test_dealer_offers_a_guarantee_through_the_form(client, provider, full_discharge, pack, seller):
    issue(provider, full_discharge, pack)
    client.force_login(seller)
    url = f"/diagnostics/packs/{pack.pk}/guarantees/new/"

    response = client.post(
        url, {"guarantee_type": "capacity_warranty", "term_years": "5", "guaranteed_soh_pct": "80"}
    )

    assert response.status_code == 302
    assert pack.guarantees.get().premium_jpy == Decimal("11370")


def test_buyer_cannot_open_the_guarantee_form(client, provider, full_discharge, pack, buyer):
    issue(provider, full_discharge, pack)
    client.force_login(buyer)

    assert client.get(f"/diagnostics/packs/{pack.pk}/guarantees/new/").status_code == 403


def test_pages_render_in_japanese(client, provider, full_discharge, pack, buyer):
    certificate = issue(provider, full_discharge, pack)
    client.force_login(buyer)
    client.cookies["django_language"] = "ja"

    pages = [
        f"/diagnostics/certificates/{certificate.uuid}/verify/",
        f"/diagnostics/certificates/{certificate.uuid}/",
        f"/diagnostics/packs/{pack.pk}/history/",
    ]

    assert [client.get(url).status_code for url in pages] == [200, 200, 200]
