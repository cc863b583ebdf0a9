"""Providers' registered methods, SOH certificates, pack assessments and guarantees.

A certificate is immutable once issued: there is no update service, only supersede (a new
certificate that names the old one) and revoke (with a reason). Its content hash lets anyone
holding the link check that the stored statement has not been altered.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from diagnostics.choices import (
    CertificateEventKind,
    CertificateStatus,
    ClaimStatus,
    GuaranteeStatus,
    GuaranteeType,
)
from diagnostics.exceptions import CertificateImmutable


def method_name(code: str) -> str:
    """The method catalogue's name for a method code, in the active language (the code if
    the catalogue no longer lists it). The API keeps the code; pages show this."""
    from diagnostics.reference import reference_data

    method = reference_data().methods.get(code)
    return gettext(method.name) if method is not None else code


class RegisteredMethod(models.Model):
    """One diagnostic method a provider organisation offers, on one instrument."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="registered_methods",
        verbose_name=_("organisation"),
    )
    # A code of diagnostics/data/methods.yaml; checked by the service, not a DB choice, because
    # the catalogue is versioned data that grows without a migration.
    method_code = models.CharField(_("method"), max_length=40)
    instrument_make = models.CharField(_("instrument make"), max_length=120)
    instrument_model = models.CharField(_("instrument model"), max_length=120)
    instrument_serial = models.CharField(_("instrument serial number"), max_length=120, blank=True)
    calibration_date = models.DateField(_("last calibration"), null=True, blank=True)
    accreditation = models.CharField(
        _("accreditation"), max_length=200, blank=True, help_text=_("e.g. ISO/IEC 17025 number")
    )
    stated_u95_pp = models.DecimalField(
        _("stated uncertainty u95 (pp)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty to use the catalogue default for the method."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation_id", "method_code", "instrument_make", "instrument_model"]
        verbose_name = _("registered method")
        verbose_name_plural = _("registered methods")
        constraints = [
            # One active registration per method and instrument; retired ones stay for the
            # certificates that cite them.
            models.UniqueConstraint(
                fields=[
                    "organisation",
                    "method_code",
                    "instrument_make",
                    "instrument_model",
                    "instrument_serial",
                ],
                condition=Q(is_active=True),
                name="diagnostics_registered_method_unique_active",
            ),
            models.CheckConstraint(
                condition=Q(stated_u95_pp__isnull=True) | Q(stated_u95_pp__gt=0),
                name="diagnostics_registered_method_u95_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method_name}: {self.instrument_make} {self.instrument_model}"

    @property
    def method_name(self) -> str:
        return method_name(self.method_code)


def _pct(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=6, decimal_places=2, **kwargs)


def _optional(field_class, verbose_name, **kwargs):
    return field_class(verbose_name, null=True, blank=True, **kwargs)


def _subject_constraint(name: str) -> models.CheckConstraint:
    """Exactly one of pack and module lot."""
    return models.CheckConstraint(
        name=name,
        condition=(
            Q(pack__isnull=False, module_lot__isnull=True)
            | Q(pack__isnull=True, module_lot__isnull=False)
        ),
    )


class CertificateQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # The status is the only column that moves after issue (supersede/revoke services);
        # every other column is hashed content. bulk_update() comes through here too.
        if set(kwargs) - {"status"}:
            raise CertificateImmutable()
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        # Refused before Django opens its transaction, so the caller's stays usable.
        if set(fields) - {"status"}:
            raise CertificateImmutable()
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def delete(self):
        raise CertificateImmutable()


def _raw_data_path(instance: "SohCertificate", filename: str) -> str:
    # Unguessable name: raw data is private and only served by the permission-checking view.
    return f"diagnostics/raw/{instance.uuid.hex}/{uuid.uuid4().hex}.csv"


class SohCertificate(models.Model):
    """One provider's statement about one test of one pack or module lot.

    Measured values carry their unit in the field name. The headline figures (`soh_pct` to
    `residual_value_jpy`) are computed by the engine at issue, with `data_versions` naming the
    data they came from, and are part of the hashed content.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="issued_certificates",
        verbose_name=_("provider"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_method = models.ForeignKey(
        RegisteredMethod,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("method and instrument"),
    )
    method_code = models.CharField(_("method"), max_length=40)
    u95_pp = models.DecimalField(_("uncertainty u95 (pp)"), max_digits=5, decimal_places=2)
    pack = models.ForeignKey(
        "catalog.BatteryPack",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="soh_certificates",
        verbose_name=_("battery pack"),
    )
    module_lot = models.ForeignKey(
        "catalog.ModuleLot",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="soh_certificates",
        verbose_name=_("module lot"),
    )
    # The subject as it was named at issue ("AESC AZE0-000123"); part of the hashed content,
    # so a later edit of the catalog item does not silently change what was certified.
    subject_label = models.CharField(_("certified item"), max_length=250)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )

    # Measured values
    measured_energy_kwh = _optional(
        models.DecimalField, _("measured energy (kWh)"), max_digits=9, decimal_places=3
    )
    measured_capacity_ah = _optional(
        models.DecimalField, _("measured capacity (Ah)"), max_digits=9, decimal_places=2
    )
    soce_pct = _optional(_pct, _("SOCE (%)"))
    resistance_mohm = _optional(
        models.DecimalField, _("internal resistance (mOhm)"), max_digits=9, decimal_places=3
    )
    resistance_increase_pct = _optional(_pct, _("resistance increase (%)"))
    cell_voltage_spread_mv = _optional(
        models.DecimalField, _("cell voltage spread (mV)"), max_digits=7, decimal_places=1
    )
    temperature_min_c = _optional(
        models.DecimalField, _("lowest cell temperature (°C)"), max_digits=5, decimal_places=1
    )
    temperature_max_c = _optional(
        models.DecimalField, _("highest cell temperature (°C)"), max_digits=5, decimal_places=1
    )
    cycle_count = _optional(models.PositiveIntegerField, _("cycle count"))
    equivalent_full_cycles = _optional(
        models.DecimalField, _("equivalent full cycles"), max_digits=9, decimal_places=1
    )
    odometer_km = _optional(models.PositiveIntegerField, _("odometer (km)"))
    age_years = models.DecimalField(_("age at test (years)"), max_digits=5, decimal_places=2)

    # Test conditions
    test_temperature_c = _optional(
        models.DecimalField, _("test temperature (°C)"), max_digits=5, decimal_places=1
    )
    test_c_rate = _optional(models.DecimalField, _("test C-rate"), max_digits=5, decimal_places=2)
    test_soc_window = models.CharField(
        _("SOC window"), max_length=40, blank=True, help_text=_("e.g. 0-100 %")
    )
    balanced_before_test = _optional(models.BooleanField, _("balanced before the test"))
    test_notes = models.TextField(_("test notes"), blank=True)
    tested_on = models.DateField(_("test date"))
    safety_flags = models.JSONField(_("safety findings"), default=list, blank=True)

    raw_data = models.FileField(
        _("raw data (CSV)"), upload_to=_raw_data_path, max_length=255, blank=True
    )
    raw_data_name = models.CharField(_("raw data file name"), max_length=255, blank=True)
    raw_data_sha256 = models.CharField(max_length=64, blank=True)

    # Computed at issue by the engine
    soh_pct = _pct(_("SOH (%)"))
    soh_low_pct = _pct(_("SOH lower bound (%)"))
    soh_high_pct = _pct(_("SOH upper bound (%)"))
    measurand = models.CharField(_("measurand"), max_length=10)
    grade = models.CharField(_("grade"), max_length=2)
    recommended_use = models.CharField(_("recommended use"), max_length=100)
    years_to_70_pct = _optional(
        models.DecimalField, _("years to 70 %"), max_digits=5, decimal_places=1
    )
    years_to_60_pct = _optional(
        models.DecimalField, _("years to 60 %"), max_digits=5, decimal_places=1
    )
    residual_value_jpy = models.DecimalField(
        _("residual value (JPY)"), max_digits=14, decimal_places=0
    )
    data_versions = models.JSONField(default=dict)
    breakdown = models.JSONField(default=dict)

    issued_at = models.DateTimeField(_("issued at"))
    content_sha256 = models.CharField(_("content hash (SHA-256)"), max_length=64)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CertificateStatus.choices,
        default=CertificateStatus.ISSUED,
        db_index=True,
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-tested_on", "-issued_at", "-pk"]
        verbose_name = _("SOH certificate")
        verbose_name_plural = _("SOH certificates")
        constraints = [_subject_constraint("diagnostics_certificate_one_subject")]

    def __str__(self) -> str:
        return f"{self.uuid} ({self.get_status_display()})"

    def save(self, *args, **kwargs) -> None:
        # The last guard of immutability, below every front door (admin, API, shell, a
        # future form): a stored certificate is never written again. Status changes use a
        # conditional update() in the services.
        if not self._state.adding:
            raise CertificateImmutable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise CertificateImmutable()

    @property
    def subject(self):
        return self.pack if self.pack_id else self.module_lot

    @property
    def method_name(self) -> str:
        return method_name(self.method_code)

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.ISSUED


class CertificateEvent(models.Model):
    """Audit trail: who issued, superseded or revoked a certificate, and why."""

    certificate = models.ForeignKey(SohCertificate, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=CertificateEventKind.choices)
    from_status = models.CharField(max_length=20, choices=CertificateStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CertificateStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.from_status or '-'} -> {self.to_status}"


class PackAssessment(models.Model):
    """The combined estimate of a pack or module lot from its valid certificates.

    Recomputed whenever a certificate of the item is issued, superseded or revoked; the
    catalog keeps the headline and grade (for filters), this row keeps the rest.
    """

    pack = models.OneToOneField(
        "catalog.BatteryPack",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assessment",
    )
    module_lot = models.OneToOneField(
        "catalog.ModuleLot",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assessment",
    )
    certificate_count = models.PositiveIntegerField(default=0)
    soh_pct = _optional(_pct, _("SOH (%)"))
    soh_low_pct = _optional(_pct, _("SOH lower bound (%)"))
    soh_high_pct = _optional(_pct, _("SOH upper bound (%)"))
    u95_pp = _optional(models.DecimalField, _("u95 (pp)"), max_digits=5, decimal_places=1)
    grade = models.CharField(_("grade"), max_length=2, blank=True)
    recommended_use = models.CharField(_("recommended use"), max_length=100, blank=True)
    conflict = models.BooleanField(_("certificates conflict"), default=False)
    # Safety findings on any valid certificate: the pack is graded for recycling and ships as
    # a damaged or defective battery (grading.yaml `safety_flags`; compliance reads this).
    safety_flags = models.JSONField(_("safety findings"), default=list, blank=True)
    damaged_for_transport = models.BooleanField(_("damaged for transport"), default=False)
    years_to_70_pct = _optional(
        models.DecimalField, _("years to 70 %"), max_digits=5, decimal_places=1
    )
    years_to_60_pct = _optional(
        models.DecimalField, _("years to 60 %"), max_digits=5, decimal_places=1
    )
    residual_value_jpy = _optional(
        models.DecimalField, _("residual value (JPY)"), max_digits=14, decimal_places=0
    )
    breakdown = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pack assessment")
        constraints = [_subject_constraint("diagnostics_assessment_one_subject")]

    def __str__(self) -> str:
        return f"{self.pack_id or self.module_lot_id}: {self.soh_pct} ({self.grade})"


class ResidualValueGuarantee(models.Model):
    """A promise on a pack by its seller or the platform: if a certificate within the term
    shows the SOH below the floor, pay a fixed benefit, the shortfall pro rata, or buy the
    pack back at a guaranteed price.

    The premium is priced by the platform from the spread of remaining-life forecasts
    (diagnostics/engine/guarantee.py) and stored with its breakdown at offer time. When the
    pack is sold, the award attaches the offer to the order and the coverage starts.
    """

    pack = models.ForeignKey(
        "catalog.BatteryPack",
        on_delete=models.PROTECT,
        related_name="guarantees",
        verbose_name=_("battery pack"),
    )
    # Empty: the platform itself is the guarantor (offered by staff).
    guarantor = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guarantees_given",
        verbose_name=_("guarantor"),
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    guarantee_type = models.CharField(_("type"), max_length=20, choices=GuaranteeType.choices)
    term_years = models.PositiveSmallIntegerField(_("term (years)"))
    term_km = _optional(models.PositiveIntegerField, _("term (km driven)"))
    guaranteed_value_jpy = _optional(
        models.DecimalField, _("guaranteed buy-back price (JPY)"), max_digits=14, decimal_places=0
    )
    fixed_payout_jpy = _optional(
        models.DecimalField, _("fixed benefit (JPY)"), max_digits=14, decimal_places=0
    )
    # The SOH floor. Buy-back offers made before floors existed have none and cannot be claimed.
    guaranteed_soh_pct = _optional(_pct, _("SOH floor (%)"))
    premium_jpy = models.DecimalField(_("premium (JPY)"), max_digits=14, decimal_places=0)
    expected_payout_jpy = models.DecimalField(
        _("expected payout (JPY)"), max_digits=14, decimal_places=0
    )
    pricing = models.JSONField(default=dict)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=GuaranteeStatus.choices,
        default=GuaranteeStatus.OFFERED,
        db_index=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Coverage, set when the award attaches the guarantee to the order.
    order = models.ForeignKey(
        "trading.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guarantees",
        verbose_name=_("order"),
    )
    beneficiary = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guarantees_held",
        verbose_name=_("beneficiary"),
    )
    coverage_starts_at = _optional(models.DateTimeField, _("coverage starts"))
    coverage_ends_on = _optional(models.DateField, _("coverage ends (last day)"))
    coverage_start_odometer_km = _optional(models.PositiveIntegerField, _("odometer at start (km)"))
    coverage_end_odometer_km = _optional(models.PositiveIntegerField, _("odometer limit (km)"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("residual-value guarantee")
        constraints = [
            models.CheckConstraint(
                name="diagnostics_guarantee_payout_terms_match_type",
                condition=(
                    Q(
                        guarantee_type=GuaranteeType.BUY_BACK,
                        guaranteed_value_jpy__gt=0,
                        fixed_payout_jpy__isnull=True,
                    )
                    & (Q(guaranteed_soh_pct__isnull=True) | Q(guaranteed_soh_pct__gt=0))
                    | Q(
                        guarantee_type=GuaranteeType.CAPACITY_WARRANTY,
                        guaranteed_value_jpy__isnull=True,
                        fixed_payout_jpy__isnull=True,
                        guaranteed_soh_pct__gt=0,
                    )
                    | Q(
                        guarantee_type=GuaranteeType.FIXED,
                        guaranteed_value_jpy__isnull=True,
                        fixed_payout_jpy__gt=0,
                        guaranteed_soh_pct__gt=0,
                    )
                ),
            ),
            models.CheckConstraint(
                name="diagnostics_guarantee_term_positive", condition=Q(term_years__gt=0)
            ),
            models.CheckConstraint(
                name="diagnostics_guarantee_sold_has_coverage",
                condition=~Q(status__in=[GuaranteeStatus.ACTIVE, GuaranteeStatus.CLAIMED])
                | Q(
                    order__isnull=False,
                    beneficiary__isnull=False,
                    coverage_starts_at__isnull=False,
                    coverage_ends_on__isnull=False,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_guarantee_type_display()} {self.term_years}y ({self.pack_id})"

    @property
    def is_platform_guarantee(self) -> bool:
        return self.guarantor_id is None


class GuaranteeEvent(models.Model):
    guarantee = models.ForeignKey(
        ResidualValueGuarantee, on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(max_length=20, choices=GuaranteeStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=GuaranteeStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.guarantee_id}: {self.from_status or '-'} -> {self.to_status}"


class GuaranteeClaim(models.Model):
    """The buyer's claim under a guarantee, backed by a new certificate of the same pack.

    Decided when filed (diagnostics/services/guarantees.py `guarantee_claim_file`): the
    decision, its inputs and, on a breach, the payout amount are stored here; the payout is
    this row while its status is `payout_due`, until staff mark it paid.
    """

    guarantee = models.ForeignKey(
        ResidualValueGuarantee, on_delete=models.PROTECT, related_name="claims"
    )
    certificate = models.ForeignKey(
        SohCertificate,
        on_delete=models.PROTECT,
        related_name="guarantee_claims",
        verbose_name=_("certificate"),
    )
    claimant = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="guarantee_claims",
        verbose_name=_("claimant"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"))
    soh_floor_pct = _pct(_("SOH floor (%)"))
    # The SOH the decision used: the top of the certificate's 95 % band (see the service).
    assessed_soh_pct = _pct(_("SOH counted (%)"))
    is_breach = models.BooleanField(_("floor breached"))
    payout_jpy = _optional(models.DecimalField, _("payout (JPY)"), max_digits=14, decimal_places=0)
    decision = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=20, choices=ClaimStatus.choices)
    paid_at = _optional(models.DateTimeField, _("paid at"))
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment_reference = models.CharField(_("payment reference"), max_length=200, blank=True)

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("guarantee claim")
        constraints = [
            # One certificate backs at most one claim under a guarantee.
            models.UniqueConstraint(
                fields=["guarantee", "certificate"], name="diagnostics_claim_unique_certificate"
            ),
            # At most one upheld claim per guarantee: a breach ends the guarantee.
            models.UniqueConstraint(
                fields=["guarantee"],
                condition=Q(is_breach=True),
                name="diagnostics_claim_one_breach_per_guarantee",
            ),
            models.CheckConstraint(
                name="diagnostics_claim_payout_iff_breach",
                condition=Q(is_breach=True, payout_jpy__gte=0) & ~Q(status=ClaimStatus.NOT_BREACHED)
                | Q(is_breach=False, payout_jpy__isnull=True, status=ClaimStatus.NOT_BREACHED),
            ),
            models.CheckConstraint(
                name="diagnostics_claim_paid_has_payment",
                condition=~Q(status=ClaimStatus.PAID) | Q(paid_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"claim {self.pk} on guarantee {self.guarantee_id}: {self.status}"


class GuaranteeClaimEvent(models.Model):
    """Audit trail of a claim: filed (decided) and paid."""

    claim = models.ForeignKey(GuaranteeClaim, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ClaimStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"claim {self.claim_id}: {self.from_status or '-'} -> {self.to_status}"
