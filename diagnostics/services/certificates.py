"""SOH certificates: issue, supersede, revoke; and the combined assessment of a pack.

There is no update: a certificate is a signed-off statement. Every write recomputes the
item's assessment from its valid certificates and hands the headline to the catalog through
`item_record_certified_soh`, in the same transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from diagnostics.choices import (
    CERTIFICATE_TRANSITIONS,
    CertificateEventKind,
    CertificateStatus,
    GuaranteeStatus,
)
from diagnostics.content import content_sha256
from diagnostics.engine import DiagnoseRequest, DiagnosisResult, diagnose_readings, parse_request
from diagnostics.engine.inputs import Measurement
from diagnostics.engine.normalise import HUNDRED, Reading
from diagnostics.exceptions import DiagnoseInputError
from diagnostics.models import (
    CertificateEvent,
    GuaranteeEvent,
    PackAssessment,
    RegisteredMethod,
    ResidualValueGuarantee,
    SohCertificate,
)
from diagnostics.rawdata import check_raw_data
from diagnostics.reference import reference_data
from diagnostics.selectors import metal_prices_on
from diagnostics.services.common import clean_reason, field_error, json_safe
from marketplace.accounts.choices import Role
from marketplace.accounts.models import Organisation, User
from marketplace.catalog.models import BatteryPack, ModuleLot
from marketplace.catalog.services import item_record_certified_soh
from marketplace.core.exceptions import (
    DomainError,
    InvalidTransition,
    OrganisationNotVerified,
    PermissionDeniedError,
)

DAYS_PER_YEAR = Decimal(365)
AGE_STEP = Decimal("0.01")

# Engine field -> certificate field, so a front door shows each error on its own input.
_ENGINE_FIELDS = {
    "measured_capacity_kwh": "measured_energy_kwh",
    "soh_pct": "measured_capacity_ah",
    "cycles": "equivalent_full_cycles",
    "chemistry": "subject",
    "rated_capacity_kwh": "subject",
    "method": "registered_method",
}


@dataclass(frozen=True)
class CertificateValues:
    """What the provider enters: measured values, test conditions and findings."""

    tested_on: datetime.date
    measured_energy_kwh: Decimal | None = None
    measured_capacity_ah: Decimal | None = None
    soce_pct: Decimal | None = None
    resistance_mohm: Decimal | None = None
    resistance_increase_pct: Decimal | None = None
    cell_voltage_spread_mv: Decimal | None = None
    temperature_min_c: Decimal | None = None
    temperature_max_c: Decimal | None = None
    cycle_count: int | None = None
    equivalent_full_cycles: Decimal | None = None
    odometer_km: int | None = None
    age_years: Decimal | None = None
    test_temperature_c: Decimal | None = None
    test_c_rate: Decimal | None = None
    test_soc_window: str = ""
    balanced_before_test: bool | None = None
    test_notes: str = ""
    safety_flags: tuple[str, ...] = ()


Subject = BatteryPack | ModuleLot


# --- Policies -------------------------------------------------------------------------


def ensure_certifier(*, user: User) -> Organisation:
    """Only members of a verified diagnostics-provider organisation issue certificates."""
    if not user.is_authenticated or user.organisation is None:
        raise PermissionDeniedError(_("Only diagnostics providers can issue certificates."))
    if user.role != Role.DIAGNOSTICS_PROVIDER:
        raise PermissionDeniedError(_("Only diagnostics providers can issue certificates."))
    if not user.organisation.can_trade():
        raise OrganisationNotVerified()
    return user.organisation


def _check_method(*, organisation: Organisation, registered_method_id: int) -> RegisteredMethod:
    registration = RegisteredMethod.objects.filter(
        pk=registered_method_id, organisation=organisation, is_active=True
    ).first()
    if registration is None:
        raise field_error(
            "registered_method",
            _("Choose one of your organisation's active registered methods."),
        )
    method = reference_data().methods.get(registration.method_code)
    if method is None or not method.gives_headline_soh:
        raise field_error(
            "registered_method",
            _(
                "This method gives no headline SOH; certify it with a capacity or energy "
                "method and enter the resistance on that certificate."
            ),
        )
    return registration


def _check_subject(*, organisation: Organisation, subject: Subject) -> None:
    # A provider certifying its own organisation's stock is not an independent statement.
    if subject.owner_id == organisation.pk:
        raise PermissionDeniedError(
            _("A provider cannot certify a pack or module lot its own organisation owns.")
        )


def _rated_kwh(subject: Subject) -> Decimal:
    return (
        subject.rated_capacity_kwh
        if isinstance(subject, BatteryPack)
        else subject.total_capacity_kwh
    )


def _subject_label(subject: Subject) -> str:
    if isinstance(subject, BatteryPack):
        return f"{subject.manufacturer} {subject.serial_number}"
    return f"{subject.manufacturer or '-'} {subject.lot_number} ({subject.module_type})"


def _age_years(subject: Subject, values: CertificateValues) -> Decimal:
    if values.age_years is not None:
        return values.age_years
    start = None
    if isinstance(subject, BatteryPack):
        start = subject.first_used_on or subject.manufactured_on
    if start is None:
        raise field_error(
            "age_years", _("Enter the age: the item has no first-use or manufacture date.")
        )
    days = Decimal((values.tested_on - start).days)
    if days < 0:
        raise field_error("tested_on", _("The test date is before the item's first use."))
    return (days / DAYS_PER_YEAR).quantize(AGE_STEP, rounding=ROUND_HALF_UP)


def _headline(
    subject: Subject, values: CertificateValues, u95_pp: Decimal
) -> tuple[str, Decimal, str]:
    """(engine value field, value, measurand): energy first, then SOCE, then Ah capacity.

    Whole packs report energy (SOH_E / SOCE, diagnostics.md 1.1); Ah capacity (SOH_C) counts
    when the item has a rated Ah to divide by. A measured value may exceed the rating by at
    most the registration's u95 (noise on a healthy pack; the SOH is then 100 %); more is an
    entry or unit error.
    """
    if values.measured_energy_kwh is not None:
        rated_kwh = _rated_kwh(subject)
        _check_not_above_rating(
            "measured_energy_kwh", values.measured_energy_kwh, rated_kwh, u95_pp, "kWh"
        )
        return "measured_capacity_kwh", min(values.measured_energy_kwh, rated_kwh), "SOH_E"
    if values.soce_pct is not None:
        return "soce_pct", values.soce_pct, "SOCE"
    if values.measured_capacity_ah is not None:
        rated_ah = getattr(subject, "rated_capacity_ah", None)
        if not rated_ah:
            raise field_error(
                "measured_capacity_ah",
                _("The item has no rated capacity in Ah; enter the measured energy in kWh."),
            )
        _check_not_above_rating(
            "measured_capacity_ah", values.measured_capacity_ah, rated_ah, u95_pp, "Ah"
        )
        return "soh_pct", min(values.measured_capacity_ah / rated_ah * HUNDRED, HUNDRED), "SOH_C"
    raise field_error(
        "measured_energy_kwh",
        _("Enter the measured energy (kWh), the SOCE (%) or the measured capacity (Ah)."),
    )


def _check_not_above_rating(
    field: str, measured: Decimal, rated: Decimal, u95_pp: Decimal, unit: str
) -> None:
    limit = rated * (HUNDRED + u95_pp) / HUNDRED
    if measured > limit:
        raise field_error(
            field,
            _(
                "%(measured)s %(unit)s is more than the rating (%(rated)s %(unit)s) plus the "
                "method's uncertainty of %(u95)s pp; at most %(limit)s %(unit)s. Check the unit."
            )
            % {
                "measured": measured,
                "rated": rated,
                "u95": u95_pp.normalize(),
                "limit": limit.quantize(Decimal("0.001")).normalize(),
                "unit": unit,
            },
        )


def _engine_request(
    subject: Subject, values: CertificateValues, method_code: str, age: Decimal, u95_pp: Decimal
) -> DiagnoseRequest:
    field, value, _measurand = _headline(subject, values, u95_pp)
    cycles = values.equivalent_full_cycles
    if cycles is None and values.cycle_count is not None:
        cycles = Decimal(values.cycle_count)
    raw = {
        "chemistry": subject.chemistry,
        "rated_capacity_kwh": _rated_kwh(subject),
        field: value,
        "method": method_code,
        "age_years": age,
        "odometer_km": values.odometer_km,
        "cycles": cycles,
        "resistance_increase_pct": values.resistance_increase_pct,
        "safety_flags": list(values.safety_flags),
    }
    try:
        return parse_request(raw)
    except DiagnoseInputError as error:
        fields: dict[str, list[str]] = {}
        for name, messages in (error.fields or {}).items():
            fields.setdefault(_ENGINE_FIELDS.get(name, name), []).extend(messages)
        raise DomainError(error.message, fields=fields) from error


def _u95(registration: RegisteredMethod) -> Decimal:
    """The provider's stated uncertainty for its instrument, else the catalogue default."""
    if registration.stated_u95_pp is not None:
        return registration.stated_u95_pp
    return reference_data().methods[registration.method_code].u95_pp.value


def _check_values(values: CertificateValues) -> None:
    if values.tested_on > timezone.localdate():
        raise field_error("tested_on", _("The test date cannot be in the future."))
    low, high = values.temperature_min_c, values.temperature_max_c
    if low is not None and high is not None and low > high:
        raise field_error(
            "temperature_min_c", _("The lowest temperature cannot exceed the highest.")
        )


# --- Issue ----------------------------------------------------------------------------


def _build(
    *,
    actor: User,
    organisation: Organisation,
    registration: RegisteredMethod,
    subject: Subject,
    values: CertificateValues,
    raw_data: UploadedFile | None,
    supersedes: SohCertificate | None,
) -> SohCertificate:
    _check_values(values)
    age = _age_years(subject, values)
    u95 = _u95(registration)
    request = _engine_request(subject, values, registration.method_code, age, u95)
    raw_content, raw_sha256 = check_raw_data(raw_data) if raw_data is not None else (None, "")
    field, value, measurand = _headline(subject, values, u95)
    measurement = request.measurements[0]
    soh = value / _rated_kwh(subject) * HUNDRED if field == "measured_capacity_kwh" else value
    reading = Reading(
        method=reference_data().methods[registration.method_code],
        measurand=measurand,
        input_field=measurement.value_field,
        input_value=measurement.value,
        soh_pct=soh,
        u95_pp=u95,
    )
    result = diagnose_readings(request, [reading], metal_prices=metal_prices_on(values.tested_on))
    entered = asdict(values)
    entered["safety_flags"] = list(request.safety_flags)
    entered["age_years"] = age
    certificate = SohCertificate(
        provider=organisation,
        issued_by=actor,
        registered_method=registration,
        method_code=registration.method_code,
        u95_pp=u95,
        pack=subject if isinstance(subject, BatteryPack) else None,
        module_lot=subject if isinstance(subject, ModuleLot) else None,
        subject_label=_subject_label(subject),
        supersedes=supersedes,
        **entered,
        raw_data_sha256=raw_sha256,
        raw_data_name=(raw_data.name or "")[:255] if raw_data is not None else "",
        soh_pct=result.soh_pct,
        soh_low_pct=result.soh_low_pct,
        soh_high_pct=result.soh_high_pct,
        measurand=measurand,
        grade=result.grade,
        recommended_use=result.recommended_use,
        years_to_70_pct=result.years_to_70_pct,
        years_to_60_pct=result.years_to_60_pct,
        residual_value_jpy=result.residual_value_jpy,
        data_versions=reference_data().versions,
        breakdown=json_safe(result.breakdown),
        issued_at=timezone.now(),
        status=CertificateStatus.ISSUED,
    )
    certificate.content_sha256 = content_sha256(certificate)
    if raw_content is not None:
        certificate.raw_data.save("raw.csv", ContentFile(raw_content), save=False)
    certificate.save()
    CertificateEvent.objects.create(
        certificate=certificate,
        kind=CertificateEventKind.ISSUED,
        to_status=CertificateStatus.ISSUED,
        actor=actor,
        reason=_("Supersedes %(uuid)s") % {"uuid": supersedes.uuid} if supersedes else "",
    )
    return certificate


def certificate_issue(
    *,
    actor: User,
    registered_method_id: int,
    subject: Subject,
    values: CertificateValues,
    raw_data: UploadedFile | None = None,
) -> SohCertificate:
    """Issue a certificate for a pack or module lot; the item's assessment follows."""
    organisation = ensure_certifier(user=actor)
    registration = _check_method(
        organisation=organisation, registered_method_id=registered_method_id
    )
    _check_subject(organisation=organisation, subject=subject)
    with transaction.atomic():
        certificate = _build(
            actor=actor,
            organisation=organisation,
            registration=registration,
            subject=subject,
            values=values,
            raw_data=raw_data,
            supersedes=None,
        )
        assessment_refresh(subject=subject, actor=actor)
    return certificate


def _move(
    *, certificate: SohCertificate, to_status: str, actor: User, reason: str, kind: str
) -> None:
    if to_status not in CERTIFICATE_TRANSITIONS[certificate.status]:
        raise InvalidTransition(
            _("A certificate that is %(status)s cannot be %(action)s.")
            % {"status": certificate.get_status_display().lower(), "action": kind}
        )
    updated = SohCertificate.objects.filter(pk=certificate.pk, status=certificate.status).update(
        status=to_status
    )
    if updated != 1:
        raise InvalidTransition()
    CertificateEvent.objects.create(
        certificate=certificate,
        kind=kind,
        from_status=certificate.status,
        to_status=to_status,
        actor=actor,
        reason=reason,
    )
    certificate.status = to_status


def certificate_supersede(
    *,
    actor: User,
    certificate: SohCertificate,
    registered_method_id: int,
    values: CertificateValues,
    reason: str,
    raw_data: UploadedFile | None = None,
) -> SohCertificate:
    """Replace an issued certificate by a new one for the same item; the old one stays,
    marked superseded and pointing at its successor."""
    organisation = ensure_certifier(user=actor)
    if certificate.provider_id != organisation.pk:
        raise PermissionDeniedError(_("Only the issuing provider can supersede a certificate."))
    reason = clean_reason(reason, required_message=_("Say why the certificate is replaced."))
    registration = _check_method(
        organisation=organisation, registered_method_id=registered_method_id
    )
    with transaction.atomic():
        # Two members may supersede the same certificate at once; the lock makes the second
        # see the first's successor and fail instead of forking the chain.
        old = SohCertificate.objects.select_for_update().get(pk=certificate.pk)
        if CertificateStatus.SUPERSEDED not in CERTIFICATE_TRANSITIONS[old.status]:
            raise InvalidTransition(
                _("Only an issued certificate can be superseded; this one is %(status)s.")
                % {"status": old.get_status_display().lower()}
            )
        subject = old.subject
        new = _build(
            actor=actor,
            organisation=organisation,
            registration=registration,
            subject=subject,
            values=values,
            raw_data=raw_data,
            supersedes=old,
        )
        _move(
            certificate=old,
            to_status=CertificateStatus.SUPERSEDED,
            actor=actor,
            reason=reason,
            kind=CertificateEventKind.SUPERSEDED,
        )
        assessment_refresh(subject=subject, actor=actor)
    certificate.refresh_from_db()
    return new


def certificate_revoke(*, actor: User, certificate: SohCertificate, reason: str) -> SohCertificate:
    """Withdraw a certificate (the issuing provider, or platform staff); a reason is required."""
    if not actor.is_authenticated:
        raise PermissionDeniedError()
    if not actor.is_staff:
        organisation = ensure_certifier(user=actor)
        if certificate.provider_id != organisation.pk:
            raise PermissionDeniedError(_("Only the issuing provider can revoke a certificate."))
    reason = clean_reason(reason, required_message=_("Say why the certificate is revoked."))
    with transaction.atomic():
        locked = SohCertificate.objects.select_for_update().get(pk=certificate.pk)
        _move(
            certificate=locked,
            to_status=CertificateStatus.REVOKED,
            actor=actor,
            reason=reason,
            kind=CertificateEventKind.REVOKED,
        )
        assessment_refresh(subject=locked.subject, actor=actor)
    certificate.refresh_from_db()
    return certificate


# --- Assessment -----------------------------------------------------------------------


def valid_certificates(subject: Subject):
    return subject.soh_certificates.filter(status=CertificateStatus.ISSUED).order_by(
        "tested_on", "issued_at", "pk"
    )


def combined_diagnosis(subject: Subject) -> tuple[DiagnosisResult, list[SohCertificate]] | None:
    """The engine run on the item's valid certificates, or None when it has none.

    Certificates tested within the combination window of the latest test are combined by
    inverse-variance weighting; the latest one supplies age and usage. Any safety finding
    on any valid certificate counts, and the worst resistance increase in the window.
    """
    certificates = list(valid_certificates(subject))
    if not certificates:
        return None
    reference = reference_data()
    latest = certificates[-1]
    window = int(reference.assessment.combination_window_days.value)
    since = latest.tested_on - datetime.timedelta(days=window)
    combined = [item for item in certificates if item.tested_on >= since]
    readings = [
        Reading(
            method=reference.methods[item.method_code],
            measurand=item.measurand,
            input_field="soh_pct",
            input_value=item.soh_pct,
            soh_pct=item.soh_pct,
            u95_pp=item.u95_pp,
        )
        for item in combined
    ]
    resistances = [
        item.resistance_increase_pct
        for item in combined
        if item.resistance_increase_pct is not None
    ]
    flags = tuple(dict.fromkeys(flag for item in certificates for flag in item.safety_flags))
    cycles = latest.equivalent_full_cycles
    if cycles is None and latest.cycle_count is not None:
        cycles = Decimal(latest.cycle_count)
    request = DiagnoseRequest(
        chemistry=subject.chemistry,
        rated_capacity_kwh=_rated_kwh(subject),
        measurements=tuple(
            Measurement(method=item.method_code, value_field="soh_pct", value=item.soh_pct)
            for item in combined
        ),
        age_years=latest.age_years,
        odometer_km=Decimal(latest.odometer_km) if latest.odometer_km is not None else None,
        cycles=cycles,
        resistance_increase_pct=max(resistances) if resistances else None,
        safety_flags=flags,
    )
    prices = metal_prices_on()
    return diagnose_readings(request, readings, reference, metal_prices=prices), combined


def _void_stale_offers(*, pack: BatteryPack, actor: User | None) -> None:
    """An offered guarantee was priced from the certificates of its day; once they change,
    buyers must not see that premium any more. Active guarantees are contracts and stay."""
    offers = list(pack.guarantees.filter(status=GuaranteeStatus.OFFERED))
    for offer in offers:
        updated = ResidualValueGuarantee.objects.filter(
            pk=offer.pk, status=GuaranteeStatus.OFFERED
        ).update(status=GuaranteeStatus.VOID)
        if updated == 1:
            GuaranteeEvent.objects.create(
                guarantee=offer,
                from_status=GuaranteeStatus.OFFERED,
                to_status=GuaranteeStatus.VOID,
                actor=actor,
                reason=_("The pack's certificates changed; offer the guarantee again."),
            )


def assessment_refresh(*, subject: Subject, actor: User | None = None) -> PackAssessment:
    """Recompute the item's combined estimate and write its headline to the catalog; void
    guarantee offers priced from the previous certificates."""
    key = "pack" if isinstance(subject, BatteryPack) else "module_lot"
    assessment, _created = PackAssessment.objects.get_or_create(**{key: subject})
    # Two certificates of one item may be issued at once; each recomputation must see the
    # other's certificate, so they queue on the assessment row.
    assessment = PackAssessment.objects.select_for_update().get(pk=assessment.pk)
    outcome = combined_diagnosis(subject)
    if outcome is None:
        values = dict.fromkeys(
            (
                "soh_pct",
                "soh_low_pct",
                "soh_high_pct",
                "u95_pp",
                "years_to_70_pct",
                "years_to_60_pct",
                "residual_value_jpy",
            )
        )
        values.update(
            certificate_count=0,
            grade="",
            recommended_use="",
            conflict=False,
            safety_flags=[],
            damaged_for_transport=False,
        )
        values["breakdown"] = {}
        # No valid certificate is left: the catalog must not keep showing a revoked figure.
        item_record_certified_soh(
            item=subject, soh_pct=None, soh_low_pct=None, soh_high_pct=None, grade=""
        )
    else:
        result, combined = outcome
        values = {
            "certificate_count": len(combined),
            "soh_pct": result.soh_pct,
            "soh_low_pct": result.soh_low_pct,
            "soh_high_pct": result.soh_high_pct,
            "u95_pp": result.u95_pp,
            "grade": result.grade,
            "recommended_use": result.recommended_use,
            "conflict": result.conflict,
            "safety_flags": list(result.breakdown["grading"]["safety_flags"]),
            "damaged_for_transport": bool(result.breakdown["grading"]["safety_flags"]),
            "years_to_70_pct": result.years_to_70_pct,
            "years_to_60_pct": result.years_to_60_pct,
            "residual_value_jpy": result.residual_value_jpy,
            "breakdown": json_safe(result.breakdown),
        }
        item_record_certified_soh(
            item=subject,
            soh_pct=result.soh_pct,
            soh_low_pct=result.soh_low_pct,
            soh_high_pct=result.soh_high_pct,
            grade=result.grade,
        )
    for name, value in values.items():
        setattr(assessment, name, value)
    assessment.save()
    if isinstance(subject, BatteryPack):
        _void_stale_offers(pack=subject, actor=actor)
    return assessment
