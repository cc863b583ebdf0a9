"""Certificates, assessments and guarantees through /api/v1/diagnostics/."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from diagnostics.models import SohCertificate
from marketplace.accounts.choices import Role, VerificationStatus
from marketplace.catalog.choices import ListingStatus
from tests.diagnostics.conftest import issue, tamper
from tests.factories import UserFactory

URL = "/api/v1/diagnostics/certificates/"
CSV = b"time_s,voltage_v,current_a\n0,398.2,0.0\n1,397.9,-50.1\n"


def _body(registration, pack, **overrides) -> dict:
    body = {
        "registered_method": registration.pk,
        "pack": pack.pk,
        "tested_on": "2026-10-01",
        "measured_energy_kwh": "34.000",
        "age_years": "5",
        "odometer_km": 60000,
        "resistance_increase_pct": "20",
        "safety_flags": [],
    }
    body.update(overrides)
    return body


def _json(response):
    return json.loads(response.content, parse_float=Decimal)


def test_provider_issues_a_certificate(api_client, provider, full_discharge, pack):
    api_client.force_authenticate(provider)

    response = api_client.post(URL, _body(full_discharge, pack), format="json")

    assert response.status_code == 201
    body = _json(response)
    assert (body["soh_pct"], body["soh_low_pct"], body["soh_high_pct"]) == (
        Decimal("85.00"),
        Decimal("83.00"),
        Decimal("87.00"),
    )
    assert body["grade"] == "A"
    assert body["years_to_70_pct"] == Decimal("13.8")
    assert body["residual_value_jpy"] == 362800
    assert body["status"] == "issued"
    assert body["subject"] == {"kind": "pack", "id": pack.pk, "label": f"AESC {pack.serial_number}"}
    assert body["provider"]["name"] == "Kyushu Battery Lab"
    certificate = SohCertificate.objects.get()
    assert body["content_sha256"] == certificate.content_sha256
    assert body["verify_url"] == f"/diagnostics/certificates/{certificate.uuid}/verify/"
    assert [event["kind"] for event in body["events"]] == ["issued"]


def test_provider_uploads_raw_data_with_multipart(
    api_client, provider, full_discharge, pack, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    api_client.force_authenticate(provider)
    body = _body(full_discharge, pack, raw_data=SimpleUploadedFile("run.csv", CSV))
    body.pop("safety_flags")

    response = api_client.post(URL, body, format="multipart")

    assert response.status_code == 201
    certificate = SohCertificate.objects.get()
    assert _json(response)["raw_data_url"] == f"/diagnostics/certificates/{certificate.uuid}/raw/"


@pytest.mark.parametrize("role", [Role.DEALER, Role.REUSE_MAKER])
def test_traders_cannot_issue(api_client, full_discharge, pack, role):
    api_client.force_authenticate(UserFactory(role=role))

    response = api_client.post(URL, _body(full_discharge, pack), format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert SohCertificate.objects.count() == 0


def test_unverified_provider_cannot_issue(api_client, provider, full_discharge, pack):
    provider.organisation.verification_status = VerificationStatus.PENDING
    provider.organisation.save()
    api_client.force_authenticate(provider)

    response = api_client.post(URL, _body(full_discharge, pack), format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "organisation_not_verified"
    assert SohCertificate.objects.count() == 0


def test_anonymous_cannot_issue(api_client, full_discharge, pack):
    response = api_client.post(URL, _body(full_discharge, pack), format="json")

    assert response.status_code in (401, 403)
    assert SohCertificate.objects.count() == 0


def test_unregistered_method_is_a_400_field_error(api_client, provider, pack):
    rival = UserFactory(role=Role.DIAGNOSTICS_PROVIDER)
    theirs = rival.organisation.registered_methods.create(
        method_code="lab_capacity",
        instrument_make="Bitrode",
        instrument_model="FTV",
        registered_by=rival,
    )
    api_client.force_authenticate(provider)

    response = api_client.post(URL, _body(theirs, pack), format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["registered_method"]
    assert SohCertificate.objects.count() == 0


def test_raw_data_that_is_not_csv_is_a_400(api_client, provider, full_discharge, pack):
    api_client.force_authenticate(provider)
    body = _body(full_discharge, pack, raw_data=SimpleUploadedFile("run.pdf", b"%PDF-1.4"))
    body.pop("safety_flags")

    response = api_client.post(URL, body, format="multipart")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["raw_data"]
    assert SohCertificate.objects.count() == 0


def test_there_is_no_edit_endpoint(api_client, provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)
    api_client.force_authenticate(provider)
    url = f"{URL}{certificate.uuid}/"

    assert api_client.put(url, _body(full_discharge, pack), format="json").status_code == 405
    assert api_client.patch(url, {"soh_pct": "99"}, format="json").status_code == 405
    assert api_client.delete(url).status_code == 405
    certificate.refresh_from_db()
    assert certificate.soh_pct == Decimal("85.00")


def test_supersede_through_the_api(api_client, provider, full_discharge, pack):
    old = issue(provider, full_discharge, pack)
    api_client.force_authenticate(provider)
    body = _body(full_discharge, pack, measured_energy_kwh="32", reason="wrong cut-off")
    body.pop("pack")

    response = api_client.post(f"{URL}{old.uuid}/supersede/", body, format="json")

    assert response.status_code == 201
    assert _json(response)["supersedes"] == str(old.uuid)
    assert _json(response)["soh_pct"] == Decimal("80.00")
    old.refresh_from_db()
    assert old.status == "superseded"
    assessment = api_client.get(f"/api/v1/diagnostics/packs/{pack.pk}/assessment/")
    assert _json(assessment)["soh_pct"] == Decimal("80.00")


def test_revoke_without_a_reason_is_a_400(api_client, provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)
    api_client.force_authenticate(provider)

    response = api_client.post(f"{URL}{certificate.uuid}/revoke/", {"reason": ""}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["reason"]
    certificate.refresh_from_db()
    assert certificate.status == "issued"


def test_revoke_with_a_reason(api_client, provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)
    api_client.force_authenticate(provider)

    response = api_client.post(
        f"{URL}{certificate.uuid}/revoke/", {"reason": "wrong pack tested"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert response.json()["events"][-1]["reason"] == "wrong pack tested"


def test_verify_is_public_and_reports_tampering(api_client, provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)
    url = f"{URL}{certificate.uuid}/verify/"

    fresh = api_client.get(url)
    tamper(certificate, grade="A", soh_high_pct="99")
    tampered = api_client.get(url)

    assert fresh.status_code == 200
    assert fresh.json()["content_matches"] is True
    assert fresh.json()["provider"] == "Kyushu Battery Lab"
    assert fresh.json()["subject"] == f"AESC {pack.serial_number}"
    assert fresh.json()["soh_pct"] == 85.0
    assert "measured_energy_kwh" not in fresh.json()
    assert tampered.json()["content_matches"] is False
    assert tampered.json()["content_sha256"] == certificate.content_sha256


def test_verify_of_an_unknown_certificate_is_404(api_client, db):
    response = api_client.get(f"{URL}00000000-0000-0000-0000-000000000000/verify/")

    assert response.status_code == 404


def test_list_is_filtered_to_what_the_user_may_see(
    api_client, provider, full_discharge, pack, seller, buyer, outsider, staff
):
    listed = issue(provider, full_discharge, pack)
    hidden_pack = pack.__class__.objects.create(
        owner=seller.organisation,
        serial_number="UNLISTED-1",
        manufacturer="AESC",
        chemistry="NMC532",
        rated_capacity_kwh=Decimal("40"),
    )
    unlisted = issue(provider, full_discharge, hidden_pack)
    unverified = UserFactory(
        role=Role.REUSE_MAKER, organisation__verification_status=VerificationStatus.PENDING
    )

    def seen(user):
        api_client.force_authenticate(user)
        return {item["uuid"] for item in api_client.get(URL).json()["results"]}

    both = {str(listed.uuid), str(unlisted.uuid)}
    assert seen(provider) == both
    assert seen(seller) == both
    assert seen(staff) == both
    assert seen(buyer) == {str(listed.uuid)}
    assert seen(outsider) == {str(listed.uuid)}
    assert seen(unverified) == set()


def test_draft_listing_hides_certificates_from_buyers(
    api_client, provider, full_discharge, listing, buyer
):
    certificate = issue(provider, full_discharge, listing.pack)
    listing.status = ListingStatus.DRAFT
    listing.save()
    api_client.force_authenticate(buyer)

    assert api_client.get(f"{URL}{certificate.uuid}/").status_code == 404
    assert (
        api_client.get(f"/api/v1/diagnostics/packs/{listing.pack_id}/assessment/").status_code
        == 404
    )


def test_raw_data_link_only_for_owner_provider_and_staff(
    api_client, provider, full_discharge, pack, seller, buyer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    api_client.force_authenticate(provider)
    body = _body(full_discharge, pack, raw_data=SimpleUploadedFile("run.csv", CSV))
    body.pop("safety_flags")
    uuid = api_client.post(URL, body, format="multipart").json()["uuid"]

    api_client.force_authenticate(buyer)
    as_buyer = api_client.get(f"{URL}{uuid}/").json()
    api_client.force_authenticate(seller)
    as_seller = api_client.get(f"{URL}{uuid}/").json()

    assert as_buyer["raw_data_url"] is None
    assert as_seller["raw_data_url"] == f"/diagnostics/certificates/{uuid}/raw/"


def test_assessment_reports_the_conflict(
    api_client, provider, full_discharge, bms_readout, pack, buyer
):
    issue(provider, full_discharge, pack)
    issue(provider, bms_readout, pack, measured_energy_kwh=None, soce_pct=Decimal("70"))
    api_client.force_authenticate(buyer)

    response = api_client.get(f"/api/v1/diagnostics/packs/{pack.pk}/assessment/")

    assert response.status_code == 200
    body = _json(response)
    assert body["conflict"] is True
    assert body["certificate_count"] == 2
    assert body["soh_pct"] == Decimal("84.10")
    assert body["u95_pp"] == Decimal("1.9")


def test_certificate_list_query_count_is_pinned(
    api_client, provider, full_discharge, pack, django_assert_num_queries
):
    for _ in range(3):
        issue(provider, full_discharge, pack)
    api_client.force_authenticate(provider)

    with django_assert_num_queries(3):  # count, page, events
        response = api_client.get(URL)

    assert response.json()["count"] == 3


def test_ids_that_cannot_exist_are_not_found(api_client, buyer):
    api_client.force_authenticate(buyer)

    assert api_client.get("/api/v1/diagnostics/packs/99999999999999/assessment/").status_code == 404
    assert api_client.get("/api/v1/diagnostics/guarantees/99999999999999/").status_code == 404
    assert api_client.get("/api/v1/diagnostics/guarantees/abc/").status_code == 404
    assert api_client.get(f"{URL}?pack=99999999999999999999").json()["count"] == 0
    assert api_client.get(f"{URL}{'-' * 36}/").status_code == 404


def test_unreadable_csv_is_a_400(api_client, provider, full_discharge, pack):
    api_client.force_authenticate(provider)
    huge_field = b"time,voltage,current\n0,3.9," + b"1" * 200_000 + b"\n"
    body = _body(full_discharge, pack, raw_data=SimpleUploadedFile("r.csv", huge_field))
    body.pop("safety_flags")

    response = api_client.post(URL, body, format="multipart")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["raw_data"]
