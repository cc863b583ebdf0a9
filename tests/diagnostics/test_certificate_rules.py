"""The issue's must-show rules for certificates, each with its worked numbers.

The pack: AESC NMC532, 40 kWh, 5 years, 60,000 km (tests/diagnostics/conftest.py).
Catalogue uncertainties (u95): full_discharge 2 pp, bms_readout 8 pp.
"""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template

from diagnostics import selectors, services
from diagnostics.exceptions import CertificateImmutable
from diagnostics.models import CertificateEvent, SohCertificate
from marketplace.core.exceptions import DomainError
from tests.diagnostics.conftest import issue

URL = "/api/v1/diagnostics/certificates/"


def _body(registration, pack, **overrides) -> dict:
    body = {
        "registered_method": registration.pk,
        "pack": pack.pk,
        "tested_on": "2026-10-01",
        "measured_energy_kwh": "34.000",
        "age_years": "5",
        "odometer_km": 60000,
        "safety_flags": [],
    }
    body.update(overrides)
    return body


# --- Normalisation ----------------------------------------------------------------------


def test_a_bms_readout_has_a_wider_band_than_a_discharge_test_of_the_same_pack(
    provider, full_discharge, bms_readout, pack
):
    # Given the same pack measured at 34 kWh of 40 by both methods: SOH_E = 85.0 %
    discharge = issue(provider, full_discharge, pack)
    readout = issue(provider, bms_readout, pack)

    # Then the full discharge test says 83.0-87.0 and the BMS read-out 77.0-93.0
    assert (discharge.soh_low_pct, discharge.soh_pct, discharge.soh_high_pct) == (
        Decimal("83.0"),
        Decimal("85.0"),
        Decimal("87.0"),
    )
    assert (readout.soh_low_pct, readout.soh_pct, readout.soh_high_pct) == (
        Decimal("77.0"),
        Decimal("85.0"),
        Decimal("93.0"),
    )
    assert readout.soh_high_pct - readout.soh_low_pct == 4 * (
        discharge.soh_high_pct - discharge.soh_low_pct
    )


# --- Grading: safety ----------------------------------------------------------------------


def test_a_swollen_pack_grades_recycle_whatever_its_soh(provider, full_discharge, listing, buyer):
    pack = listing.pack
    # Given a full pack (40 kWh of 40: SOH 100.0 %) with swelling found at the test
    certificate = issue(
        provider,
        full_discharge,
        pack,
        measured_energy_kwh=Decimal("40.000"),
        safety_flags=("swelling",),
    )

    # Then it is graded for recycling, with no reuse value
    assert (certificate.soh_pct, certificate.grade) == (Decimal("100.0"), "R")
    assert certificate.recommended_use == "recycling"
    assert certificate.residual_value_jpy == Decimal("0")
    # And the pack is marked damaged for transport, on the assessment and on the listing
    assessment = selectors.assessment_of(pack)
    assert (assessment.grade, assessment.safety_flags, assessment.damaged_for_transport) == (
        "R",
        ["swelling"],
        True,
    )
    assert selectors.item_is_damaged_for_transport(pack) is True
    pack.refresh_from_db()
    assert pack.grade == "R"

    class Request:
        user = buyer
        path = "/"

    html = Template("{% load diagnostics_tags %}{% listing_diagnostics_panel listing %}").render(
        Context({"request": Request(), "listing": listing})
    )
    assert "Damaged or defective battery" in html
    assert "special provision 376" in html


def test_revoking_the_swelling_finding_clears_the_damage_mark(provider, full_discharge, pack):
    flagged = issue(provider, full_discharge, pack, safety_flags=("swelling",))

    services.certificate_revoke(actor=provider, certificate=flagged, reason="wrong pack tested")

    assert selectors.item_is_damaged_for_transport(pack) is False


# --- An issued certificate cannot be edited through any path -----------------------------


def _unchanged(certificate) -> None:
    stored = SohCertificate.objects.get(pk=certificate.pk)
    assert (stored.soh_pct, stored.grade, stored.content_sha256) == (
        Decimal("85.00"),
        "A",
        certificate.content_sha256,
    )
    assert CertificateEvent.objects.filter(certificate=certificate).count() == 1


def test_the_model_refuses_a_second_save(provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)
    certificate.soh_pct = Decimal("99.0")

    with pytest.raises(CertificateImmutable):
        certificate.save()
    with pytest.raises(CertificateImmutable):
        certificate.save(update_fields=["soh_pct"])

    _unchanged(certificate)


def test_queryset_writes_of_content_are_refused(provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)
    certificate.grade = "B1"

    with pytest.raises(CertificateImmutable):
        SohCertificate.objects.filter(pk=certificate.pk).update(soh_pct=Decimal("99.0"))
    with pytest.raises(CertificateImmutable):
        SohCertificate.objects.bulk_update([certificate], ["grade"])
    with pytest.raises(CertificateImmutable):
        SohCertificate.objects.get(pk=certificate.pk).delete()
    with pytest.raises(CertificateImmutable):
        SohCertificate.objects.filter(pk=certificate.pk).delete()

    _unchanged(certificate)


def test_the_admin_shows_but_does_not_change_a_certificate(
    client, provider, full_discharge, pack, django_user_model
):
    certificate = issue(provider, full_discharge, pack)
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    url = f"/admin/diagnostics/sohcertificate/{certificate.pk}/change/"

    page = client.get(url)
    posted = client.post(url, {"soh_pct": "99.0", "grade": "A"})
    deleted = client.post(
        f"/admin/diagnostics/sohcertificate/{certificate.pk}/delete/", {"post": "yes"}
    )

    assert page.status_code == 200
    assert 'name="soh_pct"' not in page.content.decode()  # read-only
    assert posted.status_code == 403
    assert deleted.status_code == 403
    _unchanged(certificate)


def test_the_api_has_no_way_to_edit(api_client, provider, full_discharge, pack, staff):
    certificate = issue(provider, full_discharge, pack)
    url = f"{URL}{certificate.uuid}/"

    for user in (provider, staff):
        api_client.force_authenticate(user)
        assert api_client.put(url, _body(full_discharge, pack), format="json").status_code == 405
        assert api_client.patch(url, {"soh_pct": "99"}, format="json").status_code == 405
        assert api_client.delete(url).status_code == 405

    _unchanged(certificate)


def test_a_revoked_certificate_shows_as_revoked_on_the_public_page(
    client, provider, full_discharge, pack
):
    certificate = issue(provider, full_discharge, pack)
    services.certificate_revoke(actor=provider, certificate=certificate, reason="wrong pack")

    page = client.get(f"/diagnostics/certificates/{certificate.uuid}/verify/")
    api = client.get(f"{URL}{certificate.uuid}/verify/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "Revoked" in body
    assert certificate.content_sha256 in body
    assert "34.000" not in body  # no private measurements
    assert json.loads(api.content)["status"] == "revoked"


# --- Bad input: a clear 4xx and nothing stored -------------------------------------------


def _refused(api_client, provider, body, field, format="json"):
    api_client.force_authenticate(provider)
    response = api_client.post(URL, body, format=format)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert SohCertificate.objects.count() == 0
    assert CertificateEvent.objects.count() == 0
    return response.json()["error"]["fields"][field][0]


def test_measured_energy_above_rated_by_more_than_the_uncertainty(
    api_client, provider, full_discharge, pack
):
    # 40 kWh rated, full discharge u95 2 pp: at most 40.8 kWh
    message = _refused(
        api_client,
        provider,
        _body(full_discharge, pack, measured_energy_kwh="40.900"),
        "measured_energy_kwh",
    )

    assert message == (
        "40.900 kWh is more than the rating (40.00 kWh) plus the method's uncertainty of 2 pp; "
        "at most 40.8 kWh. Check the unit."
    )


def test_measured_energy_above_rated_within_the_uncertainty_is_a_full_pack(
    provider, full_discharge, pack
):
    certificate = issue(provider, full_discharge, pack, measured_energy_kwh=Decimal("40.800"))

    assert (certificate.soh_pct, certificate.soh_low_pct, certificate.soh_high_pct) == (
        Decimal("100.0"),
        Decimal("98.0"),
        Decimal("102.0"),
    )
    assert certificate.measured_energy_kwh == Decimal("40.800")  # the reading as measured


def test_an_soce_over_100_pct(api_client, provider, full_discharge, pack):
    body = _body(full_discharge, pack, soce_pct="100.5")
    body.pop("measured_energy_kwh")

    message = _refused(api_client, provider, body, "soce_pct")

    assert message == "Must not be more than 100: an SOH is a share of the rating."


def test_an_unknown_method_registration(api_client, provider, full_discharge, pack):
    _refused(
        api_client,
        provider,
        _body(full_discharge, pack, registered_method=999999),
        "registered_method",
    )


def test_a_raw_file_named_csv_that_is_not_csv(
    api_client, provider, full_discharge, pack, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    body = _body(
        full_discharge, pack, raw_data=SimpleUploadedFile("run.csv", b"%PDF-1.4\n\x00\x01")
    )
    body.pop("safety_flags")

    message = _refused(api_client, provider, body, "raw_data", format="multipart")

    assert message == "The raw data file is not text."
    assert not list(tmp_path.rglob("*"))


def test_the_service_refuses_the_same_bad_input(provider, full_discharge, pack):
    with pytest.raises(DomainError) as raised:
        issue(provider, full_discharge, pack, measured_energy_kwh=Decimal("41.000"))

    assert raised.value.status == 400
    assert list(raised.value.fields) == ["measured_energy_kwh"]
    assert SohCertificate.objects.count() == 0


def test_the_certificate_carries_a_qr_code_to_its_public_verification_page(
    client, provider, full_discharge, pack
):
    certificate = issue(provider, full_discharge, pack)
    client.force_login(provider)
    url = f"http://testserver/diagnostics/certificates/{certificate.uuid}/verify/"

    detail = client.get(f"/diagnostics/certificates/{certificate.uuid}/").content.decode()
    public = client.get(f"/diagnostics/certificates/{certificate.uuid}/verify/").content.decode()

    for html in (detail, public):
        assert 'class="certificate-qr"' in html
        assert f"<desc>{url}</desc>" in html
