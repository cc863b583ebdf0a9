"""Schema of the diagnose endpoint and the method catalogue.

The request is validated by the engine (diagnostics.engine.inputs), the same code the command
and the HTML form use, so these serializers only describe the shapes for the OpenAPI schema.
Numbers are JSON numbers written from Decimal text (see diagnostics/jsonio.py).
"""

from rest_framework import serializers

from marketplace.core.api.serializers import StrictSerializer


def _number(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=20, decimal_places=6, coerce_to_string=False, **kwargs
    )


class MeasurementInputSerializer(StrictSerializer):
    method = serializers.CharField()
    measured_capacity_kwh = _number(required=False)
    soce_pct = _number(required=False)
    soh_pct = _number(required=False)


class DiagnoseInputSerializer(StrictSerializer):
    chemistry = serializers.CharField(
        help_text="LFP, NMC, NMC111, NMC532, NMC622, NMC811, NCA, LMO"
    )
    rated_capacity_kwh = _number()
    measured_capacity_kwh = _number(
        required=False, help_text="Give exactly one of measured_capacity_kwh, soce_pct, soh_pct."
    )
    soce_pct = _number(required=False)
    soh_pct = _number(required=False)
    method = serializers.CharField(help_text="A method code from /api/v1/diagnostics/methods/.")
    age_years = _number()
    odometer_km = _number(required=False)
    cycles = _number(required=False)
    resistance_increase_pct = _number(required=False)
    safety_flags = serializers.ListField(
        child=serializers.ChoiceField(
            choices=["swelling", "leakage", "thermal_event", "crash_damage", "water_ingress"]
        ),
        help_text="Send [] when there are none; any flag forces recycling.",
    )
    measurements = MeasurementInputSerializer(
        many=True, required=False, help_text="Further results for the same pack, combined."
    )


class DiagnoseOutputSerializer(StrictSerializer):
    soh_pct = _number()
    soh_low_pct = _number()
    soh_high_pct = _number()
    grade = serializers.CharField()
    recommended_use = serializers.CharField()
    years_to_70_pct = _number(allow_null=True, help_text="null: not reached within the horizon")
    years_to_60_pct = _number(allow_null=True, help_text="null: not reached within the horizon")
    residual_value_jpy = _number()
    breakdown = serializers.DictField(help_text="Every step: inputs, uncertainty, model, prices.")


class SourcedTextSerializer(StrictSerializer):
    value = serializers.CharField()
    source = serializers.CharField()
    quality = serializers.CharField()


class SourcedNumberSerializer(StrictSerializer):
    value = _number(allow_null=True)
    source = serializers.CharField()
    quality = serializers.CharField()


class SourcedListSerializer(StrictSerializer):
    value = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField()
    quality = serializers.CharField()


class MethodSerializer(StrictSerializer):
    code = serializers.CharField()
    name = serializers.CharField()
    reference_code = serializers.CharField()
    measures = SourcedListSerializer()
    typical_duration = SourcedTextSerializer()
    equipment = SourcedTextSerializer()
    u95_pp = SourcedNumberSerializer()
    gives_headline_soh = serializers.BooleanField()
    reproducibility = serializers.CharField()


class MethodCatalogueSerializer(StrictSerializer):
    version = serializers.CharField()
    methods = MethodSerializer(many=True)


class RegisteredMethodSerializer(StrictSerializer):
    id = serializers.IntegerField()
    organisation = serializers.IntegerField(source="organisation_id")
    method_code = serializers.CharField()
    instrument_make = serializers.CharField()
    instrument_model = serializers.CharField()
    instrument_serial = serializers.CharField()
    calibration_date = serializers.DateField(allow_null=True)
    accreditation = serializers.CharField()
    stated_u95_pp = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    retired_at = serializers.DateTimeField(allow_null=True)


class RegisteredMethodInput(StrictSerializer):
    method_code = serializers.CharField(max_length=40)
    instrument_make = serializers.CharField(max_length=120)
    instrument_model = serializers.CharField(max_length=120)
    instrument_serial = serializers.CharField(max_length=120, required=False, default="")
    calibration_date = serializers.DateField(required=False, allow_null=True, default=None)
    accreditation = serializers.CharField(max_length=200, required=False, default="")
    stated_u95_pp = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None
    )


# --- Certificates ----------------------------------------------------------------------

MAX_ID = 2**31 - 1
SAFETY_FLAGS = ["swelling", "leakage", "thermal_event", "crash_damage", "water_ingress"]


def _decimal(max_digits: int, places: int, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=max_digits, decimal_places=places, coerce_to_string=False, **kwargs
    )


def _optional_decimal(max_digits: int, places: int, **kwargs) -> serializers.DecimalField:
    return _decimal(max_digits, places, required=False, allow_null=True, default=None, **kwargs)


class CertificateValuesInput(StrictSerializer):
    """Measured values, test conditions and findings; units are in the names."""

    registered_method = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="Id of one of your organisation's active registered methods.",
    )
    tested_on = serializers.DateField()
    measured_energy_kwh = _optional_decimal(
        9, 3, min_value=0, help_text="Headline SOH_E; or give soce_pct or measured_capacity_ah."
    )
    measured_capacity_ah = _optional_decimal(9, 2, min_value=0)
    soce_pct = _optional_decimal(6, 2, min_value=0)
    resistance_mohm = _optional_decimal(9, 3, min_value=0)
    resistance_increase_pct = _optional_decimal(6, 2, min_value=0)
    cell_voltage_spread_mv = _optional_decimal(7, 1, min_value=0)
    temperature_min_c = _optional_decimal(5, 1)
    temperature_max_c = _optional_decimal(5, 1)
    cycle_count = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=1_000_000
    )
    equivalent_full_cycles = _optional_decimal(9, 1, min_value=0)
    odometer_km = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=10_000_000
    )
    age_years = _optional_decimal(
        5, 2, min_value=0, help_text="Defaults to the pack's first-use or manufacture date."
    )
    test_temperature_c = _optional_decimal(5, 1)
    test_c_rate = _optional_decimal(5, 2, min_value=0)
    test_soc_window = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    balanced_before_test = serializers.BooleanField(required=False, allow_null=True, default=None)
    test_notes = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    safety_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=SAFETY_FLAGS), required=False, default=list
    )
    raw_data = serializers.FileField(
        required=False,
        allow_null=True,
        default=None,
        help_text="CSV time series with time, voltage and current columns; at most 5 MB.",
    )


class CertificateIssueInput(CertificateValuesInput):
    pack = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID
    )
    module_lot = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID
    )

    def validate(self, attrs):
        if (attrs.get("pack") is None) == (attrs.get("module_lot") is None):
            raise serializers.ValidationError(
                {"pack": ["Give exactly one of pack and module_lot."]}
            )
        return attrs


class CertificateSupersedeInput(CertificateValuesInput):
    reason = serializers.CharField(max_length=1000)


class ReasonInput(StrictSerializer):
    reason = serializers.CharField(max_length=1000, allow_blank=True)


class NamedRefSerializer(StrictSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SubjectSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=["pack", "module_lot"])
    id = serializers.IntegerField()
    label = serializers.CharField()


class CertificateEventSerializer(StrictSerializer):
    kind = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class CertificateSerializer(StrictSerializer):
    uuid = serializers.UUIDField()
    status = serializers.CharField()
    provider = NamedRefSerializer()
    subject = SubjectSerializer()
    registered_method = serializers.IntegerField()
    method_code = serializers.CharField()
    measurand = serializers.CharField()
    tested_on = serializers.DateField()
    issued_at = serializers.DateTimeField()
    measured = serializers.DictField(help_text="Measured values; units in the names.")
    conditions = serializers.DictField(help_text="Test conditions.")
    safety_flags = serializers.ListField(child=serializers.CharField())
    u95_pp = _decimal(5, 2)
    soh_pct = _decimal(6, 2)
    soh_low_pct = _decimal(6, 2)
    soh_high_pct = _decimal(6, 2)
    grade = serializers.CharField()
    recommended_use = serializers.CharField()
    years_to_70_pct = _decimal(5, 1, allow_null=True)
    years_to_60_pct = _decimal(5, 1, allow_null=True)
    residual_value_jpy = _decimal(14, 0)
    data_versions = serializers.DictField()
    content_sha256 = serializers.CharField()
    raw_data_sha256 = serializers.CharField()
    raw_data_url = serializers.CharField(
        allow_null=True, help_text="Only for the provider, the owner and staff."
    )
    supersedes = serializers.UUIDField(allow_null=True)
    superseded_by = serializers.UUIDField(allow_null=True)
    verify_url = serializers.CharField()
    events = CertificateEventSerializer(many=True)


class VerificationSerializer(StrictSerializer):
    uuid = serializers.UUIDField()
    status = serializers.CharField()
    provider = serializers.CharField()
    subject = serializers.CharField()
    tested_on = serializers.DateField()
    issued_at = serializers.DateTimeField()
    soh_pct = _decimal(6, 2)
    soh_low_pct = _decimal(6, 2)
    soh_high_pct = _decimal(6, 2)
    grade = serializers.CharField()
    content_sha256 = serializers.CharField()
    computed_sha256 = serializers.CharField()
    content_matches = serializers.BooleanField()
    raw_data_matches = serializers.BooleanField(
        allow_null=True, help_text="null: the certificate has no raw data file."
    )
    superseded_by = serializers.UUIDField(allow_null=True)


class AssessmentSerializer(StrictSerializer):
    pack = serializers.IntegerField()
    certificate_count = serializers.IntegerField()
    soh_pct = _decimal(6, 2, allow_null=True)
    soh_low_pct = _decimal(6, 2, allow_null=True)
    soh_high_pct = _decimal(6, 2, allow_null=True)
    u95_pp = _decimal(5, 1, allow_null=True)
    grade = serializers.CharField()
    recommended_use = serializers.CharField()
    conflict = serializers.BooleanField()
    safety_flags = serializers.ListField(child=serializers.CharField())
    damaged_for_transport = serializers.BooleanField(
        help_text="A safety finding on a valid certificate: recycle; ships as a damaged battery."
    )
    years_to_70_pct = _decimal(5, 1, allow_null=True)
    years_to_60_pct = _decimal(5, 1, allow_null=True)
    residual_value_jpy = _decimal(14, 0, allow_null=True)
    certificates = serializers.ListField(child=serializers.UUIDField())
    updated_at = serializers.DateTimeField(allow_null=True)


# --- Guarantees ------------------------------------------------------------------------


class GuaranteeInput(StrictSerializer):
    pack = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    guarantee_type = serializers.ChoiceField(choices=["buy_back", "capacity_warranty", "fixed"])
    term_years = serializers.IntegerField(min_value=1, max_value=100)
    term_km = serializers.IntegerField(
        min_value=1, max_value=1_000_000, required=False, allow_null=True, default=None,
        help_text="Optional distance limit: the cover ends at the term or this many km, "
        "whichever comes first.",
    )  # fmt: skip
    guaranteed_soh_pct = _optional_decimal(6, 2, min_value=0)
    guaranteed_value_jpy = _optional_decimal(14, 0, min_value=0)
    fixed_payout_jpy = _optional_decimal(14, 0, min_value=0)


class GuaranteeSerializer(StrictSerializer):
    id = serializers.IntegerField()
    pack = serializers.IntegerField()
    guarantor = NamedRefSerializer(allow_null=True, help_text="null: the platform guarantees.")
    guarantee_type = serializers.CharField()
    term_years = serializers.IntegerField()
    term_km = serializers.IntegerField(allow_null=True)
    guaranteed_soh_pct = _decimal(6, 2, allow_null=True, help_text="The SOH floor.")
    guaranteed_value_jpy = _decimal(14, 0, allow_null=True)
    fixed_payout_jpy = _decimal(14, 0, allow_null=True)
    premium_jpy = _decimal(14, 0)
    expected_payout_jpy = _decimal(14, 0)
    breach_probability = _decimal(6, 4, allow_null=True)
    status = serializers.CharField()
    pricing = serializers.DictField(help_text="Scenarios, weights and formula of the premium.")
    created_at = serializers.DateTimeField()
    order = serializers.IntegerField(allow_null=True)
    beneficiary = NamedRefSerializer(allow_null=True)
    coverage_starts_at = serializers.DateTimeField(allow_null=True)
    coverage_ends_on = serializers.DateField(allow_null=True)
    coverage_start_odometer_km = serializers.IntegerField(allow_null=True)
    coverage_end_odometer_km = serializers.IntegerField(allow_null=True)


class ClaimInput(StrictSerializer):
    certificate = serializers.UUIDField(
        help_text="A new certificate of the guaranteed pack, issued after the purchase."
    )


class PaymentInput(StrictSerializer):
    payment_reference = serializers.CharField(max_length=200)


class ClaimSerializer(StrictSerializer):
    id = serializers.IntegerField()
    guarantee = serializers.IntegerField()
    certificate = serializers.UUIDField()
    claimant = NamedRefSerializer()
    filed_at = serializers.DateTimeField()
    soh_floor_pct = _decimal(6, 2)
    assessed_soh_pct = _decimal(6, 2, help_text="The top of the certificate's 95 % band.")
    is_breach = serializers.BooleanField()
    payout_jpy = _decimal(14, 0, allow_null=True)
    status = serializers.CharField(help_text="not_breached, payout_due or paid")
    decision = serializers.DictField()
    paid_at = serializers.DateTimeField(allow_null=True)
    payment_reference = serializers.CharField()
