"""SOH certificates: issue, hash, supersede, revoke, and the pack's combined estimate."""

import datetime
import hashlib
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from diagnostics import selectors, services
from diagnostics.content import (
    CONDITION_FIELDS,
    MEASURED_FIELDS,
    RESULT_FIELDS,
    content_sha256,
)
from diagnostics.engine import diagnose, parse_request
from diagnostics.models import CertificateEvent, PackAssessment, RegisteredMethod, SohCertificate
from marketplace.accounts.choices import Role, VerificationStatus
from marketplace.catalog.choices import Chemistry
from marketplace.core.exceptions import DomainError, InvalidTransition, PermissionDeniedError
from tests.catalog.factories import BatteryPackFactory, ModuleLotFactory
from tests.diagnostics.conftest import TESTED_ON, issue, tamper, values
from tests.factories import UserFactory

CSV = b"time_s,voltage_v,current_a,temp_c\n0,398.2,0.0,24.8\n1,397.9,-50.1,24.8\n"


def test_issuing_computes_exact_headline_figures(provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)

    assert certificate.measurand == "SOH_E"
    assert certificate.u95_pp == Decimal("2")
    assert (certificate.soh_pct, certificate.soh_low_pct, certificate.soh_high_pct) == (
        Decimal("85.0"),
        Decimal("83.0"),
        Decimal("87.0"),
    )
    assert certificate.grade == "A"
    assert certificate.recommended_use == "EV reuse"
    assert certificate.years_to_70_pct == Decimal("13.8")
    assert certificate.years_to_60_pct == Decimal("26.4")
    assert certificate.residual_value_jpy == Decimal("362800")
    assert certificate.status == "issued"
    assert certificate.subject_label == f"AESC {pack.serial_number}"
    assert certificate.data_versions["valuation"] == "2026-11-24.2"
    assert certificate.content_sha256 == content_sha256(certificate)
    assert len(certificate.content_sha256) == 64


def test_certificate_says_what_the_diagnose_command_says(provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)

    expected = diagnose(
        parse_request(
            {
                "chemistry": "NMC532",
                "rated_capacity_kwh": "40",
                "measured_capacity_kwh": "34",
                "method": "full_discharge",
                "age_years": "5",
                "odometer_km": 60000,
                "resistance_increase_pct": "20",
                "safety_flags": [],
            }
        )
    )
    assert certificate.soh_pct == expected.soh_pct
    assert certificate.years_to_70_pct == expected.years_to_70_pct
    assert certificate.years_to_60_pct == expected.years_to_60_pct
    assert certificate.residual_value_jpy == expected.residual_value_jpy


def test_issue_writes_the_headline_to_the_catalog_and_the_assessment(
    provider, full_discharge, pack
):
    certificate = issue(provider, full_discharge, pack)

    pack.refresh_from_db()
    assert (pack.soh_pct, pack.soh_low_pct, pack.soh_high_pct, pack.grade) == (
        Decimal("85.00"),
        Decimal("83.00"),
        Decimal("87.00"),
        "A",
    )
    assert pack.soh_source == "certificate"
    assessment = PackAssessment.objects.get(pack=pack)
    assert assessment.certificate_count == 1
    assert assessment.conflict is False
    assert assessment.u95_pp == Decimal("2.0")
    event = CertificateEvent.objects.get(certificate=certificate)
    assert (event.kind, event.to_status, event.actor) == ("issued", "issued", provider)


def test_capacity_in_ah_gives_soh_c(provider, full_discharge, pack):
    certificate = issue(
        provider,
        full_discharge,
        pack,
        measured_energy_kwh=None,
        measured_capacity_ah=Decimal("45.04"),
    )

    assert certificate.measurand == "SOH_C"
    assert certificate.soh_pct == Decimal("80.0")  # 45.04 / 56.3


def test_instrument_stated_uncertainty_sets_the_band(provider, pack):
    registration = RegisteredMethod.objects.create(
        organisation=provider.organisation,
        method_code="lab_capacity",
        instrument_make="Bitrode",
        instrument_model="FTV",
        stated_u95_pp=Decimal("1.50"),
        registered_by=provider,
    )

    certificate = issue(provider, registration, pack)

    assert (certificate.soh_low_pct, certificate.soh_high_pct) == (
        Decimal("83.5"),
        Decimal("86.5"),
    )


def test_age_comes_from_the_first_use_date(provider, full_discharge, pack):
    pack.first_used_on = datetime.date(2021, 10, 1)
    pack.save()

    certificate = issue(provider, full_discharge, pack, age_years=None)

    assert certificate.age_years == Decimal("5.00")  # 1826 days / 365


@pytest.mark.parametrize(
    "role", [Role.DEALER, Role.REUSE_MAKER, Role.RECYCLER, Role.COMPLIANCE_OFFICER]
)
def test_only_providers_issue(role, full_discharge, pack):
    other = UserFactory(role=role)

    with pytest.raises(PermissionDeniedError):
        issue(other, full_discharge, pack)

    assert SohCertificate.objects.count() == 0
    pack.refresh_from_db()
    assert pack.soh_source == ""


def test_unverified_provider_cannot_issue(provider, full_discharge, pack):
    provider.organisation.verification_status = VerificationStatus.PENDING
    provider.organisation.save()

    with pytest.raises(PermissionDeniedError) as raised:
        issue(provider, full_discharge, pack)

    assert raised.value.code == "organisation_not_verified"
    assert SohCertificate.objects.count() == 0


def test_provider_cannot_certify_its_own_organisations_pack(provider, full_discharge):
    own_pack = BatteryPackFactory(owner=provider.organisation)

    with pytest.raises(PermissionDeniedError):
        issue(provider, full_discharge, own_pack)

    assert SohCertificate.objects.count() == 0


def test_another_providers_method_is_a_field_error(provider, pack):
    rival = UserFactory(role=Role.DIAGNOSTICS_PROVIDER)
    theirs = RegisteredMethod.objects.create(
        organisation=rival.organisation,
        method_code="full_discharge",
        instrument_make="Hioki",
        instrument_model="BT4560",
        registered_by=rival,
    )

    with pytest.raises(DomainError) as raised:
        issue(provider, theirs, pack)

    assert list(raised.value.fields) == ["registered_method"]
    assert SohCertificate.objects.count() == 0


def test_retired_method_is_a_field_error(provider, full_discharge, pack):
    services.registered_method_retire(registration=full_discharge, actor=provider)

    with pytest.raises(DomainError) as raised:
        issue(provider, full_discharge, pack)

    assert list(raised.value.fields) == ["registered_method"]


def test_resistance_only_method_is_refused(provider, pack):
    hppc = RegisteredMethod.objects.create(
        organisation=provider.organisation,
        method_code="hppc",
        instrument_make="Chroma",
        instrument_model="17020",
        registered_by=provider,
    )

    with pytest.raises(DomainError) as raised:
        issue(provider, hppc, pack)

    assert list(raised.value.fields) == ["registered_method"]


def test_headline_measurement_is_required(provider, full_discharge, pack):
    with pytest.raises(DomainError) as raised:
        issue(provider, full_discharge, pack, measured_energy_kwh=None)

    assert list(raised.value.fields) == ["measured_energy_kwh"]
    assert SohCertificate.objects.count() == 0


def test_chemistry_without_an_ageing_model_is_refused(provider, full_discharge):
    lto_pack = BatteryPackFactory(chemistry=Chemistry.LTO)

    with pytest.raises(DomainError) as raised:
        issue(provider, full_discharge, lto_pack)

    assert list(raised.value.fields) == ["subject"]


def test_future_test_date_is_refused(provider, full_discharge, pack):
    with pytest.raises(DomainError) as raised:
        issue(provider, full_discharge, pack, tested_on=datetime.date(2100, 1, 1))

    assert list(raised.value.fields) == ["tested_on"]


def test_any_safety_flag_forces_recycling(provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack, safety_flags=("swelling",))

    assert certificate.grade == "R"
    assert certificate.residual_value_jpy == Decimal("0")
    pack.refresh_from_db()
    assert pack.grade == "R"


# --- Immutability and the content hash -------------------------------------------------


def test_certificates_have_no_update_service():
    assert not [name for name in dir(services) if name.startswith("certificate_update")]


_CHANGES = {
    "measured_energy_kwh": Decimal("34.001"),
    "measured_capacity_ah": Decimal("1"),
    "soce_pct": Decimal("1"),
    "resistance_mohm": Decimal("1"),
    "resistance_increase_pct": Decimal("20.01"),
    "cell_voltage_spread_mv": Decimal("1"),
    "temperature_min_c": Decimal("1"),
    "temperature_max_c": Decimal("1"),
    "cycle_count": 1,
    "equivalent_full_cycles": Decimal("1"),
    "odometer_km": 60001,
    "age_years": Decimal("5.01"),
    "test_temperature_c": Decimal("25.1"),
    "test_c_rate": Decimal("0.33"),
    "test_soc_window": "0-100 %",
    "balanced_before_test": True,
    "test_notes": "rested 2 h",
    "soh_pct": Decimal("85.1"),
    "soh_low_pct": Decimal("83.1"),
    "soh_high_pct": Decimal("87.1"),
    "u95_pp": Decimal("2.1"),
    "measurand": "SOH_C",
    "grade": "B1",
    "recommended_use": "stationary storage",
    "years_to_70_pct": Decimal("13.9"),
    "years_to_60_pct": Decimal("26.5"),
    "residual_value_jpy": Decimal("317443"),
    "tested_on": datetime.date(2026, 9, 30),
    "safety_flags": ["leakage"],
    "raw_data_sha256": "0" * 64,
    "subject_label": "AESC other",
    "method_code": "lab_capacity",
}


def test_every_content_field_is_covered_by_the_change_list():
    assert set(MEASURED_FIELDS + CONDITION_FIELDS + RESULT_FIELDS) <= set(_CHANGES)


def test_hash_changes_when_any_content_changes(provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)
    original = certificate.content_sha256
    unchanged = []

    for field, changed in _CHANGES.items():
        kept = getattr(certificate, field)
        setattr(certificate, field, changed)
        if content_sha256(certificate) == original:
            unchanged.append(field)
        setattr(certificate, field, kept)

    assert unchanged == []
    assert content_sha256(certificate) == original


def test_hash_is_stable_through_the_database_and_a_status_change(provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)
    services.certificate_revoke(actor=provider, certificate=certificate, reason="wrong pack")

    stored = SohCertificate.objects.get(pk=certificate.pk)

    assert content_sha256(stored) == certificate.content_sha256


def test_verification_reports_a_tampered_row(provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)
    tamper(certificate, soh_pct=Decimal("95.0"))

    tampered = selectors.certificate_get_public(uuid=certificate.uuid)
    report = selectors.certificate_verification(certificate=tampered)

    assert report["content_matches"] is False
    assert report["content_sha256"] == certificate.content_sha256
    assert report["computed_sha256"] != certificate.content_sha256


# --- Supersede and revoke --------------------------------------------------------------


def test_supersede_flips_the_old_one_and_the_pack_follows(provider, full_discharge, pack):
    old = issue(provider, full_discharge, pack)

    new = services.certificate_supersede(
        actor=provider,
        certificate=old,
        registered_method_id=full_discharge.pk,
        values=values(measured_energy_kwh=Decimal("32.000")),
        reason="Cut-off voltage was set wrong",
    )

    old.refresh_from_db()
    assert old.status == "superseded"
    assert new.supersedes == old
    assert new.status == "issued"
    assert new.pack == pack
    assert new.soh_pct == Decimal("80.0")
    pack.refresh_from_db()
    assert pack.soh_pct == Decimal("80.00")
    assessment = PackAssessment.objects.get(pack=pack)
    assert (assessment.certificate_count, assessment.soh_pct) == (1, Decimal("80.00"))
    event = old.events.get(kind="superseded")
    assert (event.from_status, event.to_status, event.reason) == (
        "issued",
        "superseded",
        "Cut-off voltage was set wrong",
    )


def test_a_superseded_certificate_cannot_be_superseded_again(provider, full_discharge, pack):
    old = issue(provider, full_discharge, pack)
    services.certificate_supersede(
        actor=provider,
        certificate=old,
        registered_method_id=full_discharge.pk,
        values=values(),
        reason="typo",
    )

    with pytest.raises(InvalidTransition):
        services.certificate_supersede(
            actor=provider,
            certificate=old,
            registered_method_id=full_discharge.pk,
            values=values(),
            reason="again",
        )

    assert SohCertificate.objects.count() == 2


def test_only_the_issuing_provider_supersedes(provider, full_discharge, pack):
    old = issue(provider, full_discharge, pack)
    rival = UserFactory(role=Role.DIAGNOSTICS_PROVIDER)

    with pytest.raises(PermissionDeniedError):
        services.certificate_supersede(
            actor=rival,
            certificate=old,
            registered_method_id=full_discharge.pk,
            values=values(),
            reason="mine now",
        )

    old.refresh_from_db()
    assert old.status == "issued"


@pytest.mark.parametrize("reason", ["", "   "])
def test_revoke_requires_a_reason(provider, full_discharge, pack, reason):
    certificate = issue(provider, full_discharge, pack)

    with pytest.raises(DomainError) as raised:
        services.certificate_revoke(actor=provider, certificate=certificate, reason=reason)

    assert list(raised.value.fields) == ["reason"]
    certificate.refresh_from_db()
    assert certificate.status == "issued"
    assert certificate.events.count() == 1


def test_revoking_the_last_certificate_clears_the_catalog_figure(provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)

    services.certificate_revoke(actor=provider, certificate=certificate, reason="wrong pack")

    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    assert certificate.events.get(kind="revoked").reason == "wrong pack"
    pack.refresh_from_db()
    assert (pack.soh_pct, pack.grade) == (None, "")
    assessment = PackAssessment.objects.get(pack=pack)
    assert (assessment.certificate_count, assessment.soh_pct) == (0, None)


def test_staff_may_revoke_but_a_dealer_may_not(provider, full_discharge, pack, seller, staff):
    certificate = issue(provider, full_discharge, pack)

    with pytest.raises(PermissionDeniedError):
        services.certificate_revoke(actor=seller, certificate=certificate, reason="I dislike it")
    services.certificate_revoke(actor=staff, certificate=certificate, reason="fraud")

    certificate.refresh_from_db()
    assert certificate.status == "revoked"


def test_a_revoked_certificate_cannot_be_revoked_again(provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)
    services.certificate_revoke(actor=provider, certificate=certificate, reason="wrong pack")

    with pytest.raises(InvalidTransition):
        services.certificate_revoke(actor=provider, certificate=certificate, reason="again")


# --- Combination -----------------------------------------------------------------------


def test_two_agreeing_certificates_narrow_the_band(provider, full_discharge, pack):
    issue(provider, full_discharge, pack)
    issue(provider, full_discharge, pack, measured_energy_kwh=Decimal("34.400"))  # 86.0 %

    assessment = PackAssessment.objects.get(pack=pack)
    # s = (85 + 86) / 2; u95 = 2 / sqrt(2) = 1.41 -> 1.4, narrower than either (2.0)
    assert assessment.soh_pct == Decimal("85.50")
    assert assessment.u95_pp == Decimal("1.4")
    assert (assessment.soh_low_pct, assessment.soh_high_pct) == (Decimal("84.10"), Decimal("86.90"))
    assert assessment.conflict is False
    assert assessment.certificate_count == 2


def test_conflicting_certificates_are_flagged(provider, full_discharge, bms_readout, pack):
    issue(provider, full_discharge, pack)  # 85.0 +/- 2
    issue(provider, bms_readout, pack, measured_energy_kwh=None, soce_pct=Decimal("70"))  # +/- 8

    assessment = PackAssessment.objects.get(pack=pack)
    # weights 1/1 and 1/16: s = (85 + 70/16) / (17/16) = 84.12; |70 - 84.12| > 2*sqrt(16 + 0.94)
    assert assessment.soh_pct == Decimal("84.10")
    assert assessment.u95_pp == Decimal("1.9")
    assert assessment.conflict is True
    pack.refresh_from_db()
    assert pack.soh_pct == Decimal("84.10")


def test_revoking_the_outlier_clears_the_conflict(provider, full_discharge, bms_readout, pack):
    issue(provider, full_discharge, pack)
    outlier = issue(provider, bms_readout, pack, measured_energy_kwh=None, soce_pct=Decimal("70"))

    services.certificate_revoke(actor=provider, certificate=outlier, reason="wrong vehicle")

    assessment = PackAssessment.objects.get(pack=pack)
    assert (assessment.conflict, assessment.soh_pct, assessment.certificate_count) == (
        False,
        Decimal("85.00"),
        1,
    )


def test_old_certificates_are_not_combined_with_new_ones(provider, full_discharge, pack):
    issue(
        provider,
        full_discharge,
        pack,
        tested_on=TESTED_ON - datetime.timedelta(days=3 * 365),
        measured_energy_kwh=Decimal("38.000"),
        age_years=Decimal("2.00"),
    )
    issue(provider, full_discharge, pack)

    assessment = PackAssessment.objects.get(pack=pack)
    assert (assessment.soh_pct, assessment.certificate_count, assessment.conflict) == (
        Decimal("85.00"),
        1,
        False,
    )


def test_a_safety_flag_on_any_valid_certificate_forces_recycling(provider, full_discharge, pack):
    issue(provider, full_discharge, pack, safety_flags=("water_ingress",))
    issue(provider, full_discharge, pack)

    assert PackAssessment.objects.get(pack=pack).grade == "R"


# --- Raw data --------------------------------------------------------------------------


def _issue_with_file(provider, registration, pack, upload):
    return services.certificate_issue(
        actor=provider,
        registered_method_id=registration.pk,
        subject=pack,
        values=values(),
        raw_data=upload,
    )


def test_raw_csv_is_stored_with_its_hash(provider, full_discharge, pack, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    certificate = _issue_with_file(
        provider, full_discharge, pack, SimpleUploadedFile("run-42.csv", CSV, "text/csv")
    )

    assert certificate.raw_data_sha256 == hashlib.sha256(CSV).hexdigest()
    assert certificate.raw_data_name == "run-42.csv"
    with certificate.raw_data.open("rb") as handle:
        assert handle.read() == CSV
    assert selectors.certificate_verification(certificate=certificate)["raw_data_matches"] is True


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("run.xlsx", CSV),
        ("run.csv", b"\x89PNG\r\n\x1a\n\x00\x00"),
        ("run.csv", b"time_s,voltage_v,temp_c\n0,398.2,24.8\n"),
        ("run.csv", b"time_s,voltage_v,current_a\n"),
        ("run.csv", b"time_s,voltage_v,current_a\n0,high,1\n"),
        ("run.csv", "time,voltage,current\n0,3.9,1\n".encode("utf-16")),
    ],
    ids=["not-csv", "binary", "missing-current", "no-rows", "not-a-number", "not-utf8"],
)
def test_raw_data_is_refused_unless_a_csv_time_series(
    provider, full_discharge, pack, settings, tmp_path, name, content
):
    settings.MEDIA_ROOT = tmp_path

    with pytest.raises(DomainError) as raised:
        _issue_with_file(provider, full_discharge, pack, SimpleUploadedFile(name, content))

    assert list(raised.value.fields) == ["raw_data"]
    assert SohCertificate.objects.count() == 0
    assert not list(tmp_path.rglob("*.csv"))


def test_oversize_raw_data_is_refused(provider, full_discharge, pack, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    big = CSV + b"2,397.5,-50.0,24.9\n" * 300_000  # > 5 MB

    with pytest.raises(DomainError) as raised:
        _issue_with_file(provider, full_discharge, pack, SimpleUploadedFile("big.csv", big))

    assert "larger than 5 MB" in raised.value.message
    assert SohCertificate.objects.count() == 0


def test_module_lot_certificate_writes_the_lot(provider, full_discharge):
    lot = ModuleLotFactory()  # LMO, 24 kWh in total

    certificate = services.certificate_issue(
        actor=provider,
        registered_method_id=full_discharge.pk,
        subject=lot,
        values=values(measured_energy_kwh=Decimal("18.000"), odometer_km=None),
    )

    assert (certificate.module_lot, certificate.pack) == (lot, None)
    assert certificate.soh_pct == Decimal("75.0")
    lot.refresh_from_db()
    assert (lot.soh_pct, lot.grade, lot.soh_source) == (Decimal("75.00"), "B1", "certificate")
    assert PackAssessment.objects.get(module_lot=lot).certificate_count == 1


def test_a_certificate_names_exactly_one_item(provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)
    certificate.pk = None
    certificate.uuid = uuid.uuid4()
    certificate.module_lot = ModuleLotFactory()
    certificate._state.adding = True  # a new row built from the old one

    with pytest.raises(IntegrityError), transaction.atomic():
        certificate.save()
