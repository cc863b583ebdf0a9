"""Schema of the diagnose endpoint and the method catalogue.

The request is validated by the engine (diagnostics.engine.inputs), the same code the command
and the HTML form use, so these serializers only describe the shapes for the OpenAPI schema.
Numbers are JSON numbers written from Decimal text (see diagnostics/jsonio.py).
"""

from rest_framework import serializers


def _number(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=20, decimal_places=6, coerce_to_string=False, **kwargs
    )


class MeasurementInputSerializer(serializers.Serializer):
    method = serializers.CharField()
    measured_capacity_kwh = _number(required=False)
    soce_pct = _number(required=False)
    soh_pct = _number(required=False)


class DiagnoseInputSerializer(serializers.Serializer):
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


class DiagnoseOutputSerializer(serializers.Serializer):
    soh_pct = _number()
    soh_low_pct = _number()
    soh_high_pct = _number()
    grade = serializers.CharField()
    recommended_use = serializers.CharField()
    years_to_70_pct = _number(allow_null=True, help_text="null: not reached within the horizon")
    years_to_60_pct = _number(allow_null=True, help_text="null: not reached within the horizon")
    residual_value_jpy = _number()
    breakdown = serializers.DictField(help_text="Every step: inputs, uncertainty, model, prices.")


class SourcedTextSerializer(serializers.Serializer):
    value = serializers.CharField()
    source = serializers.CharField()
    quality = serializers.CharField()


class SourcedNumberSerializer(serializers.Serializer):
    value = _number(allow_null=True)
    source = serializers.CharField()
    quality = serializers.CharField()


class SourcedListSerializer(serializers.Serializer):
    value = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField()
    quality = serializers.CharField()


class MethodSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    reference_code = serializers.CharField()
    measures = SourcedListSerializer()
    typical_duration = SourcedTextSerializer()
    equipment = SourcedTextSerializer()
    u95_pp = SourcedNumberSerializer()
    gives_headline_soh = serializers.BooleanField()
    reproducibility = serializers.CharField()


class MethodCatalogueSerializer(serializers.Serializer):
    version = serializers.CharField()
    methods = MethodSerializer(many=True)


class RegisteredMethodSerializer(serializers.Serializer):
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


class RegisteredMethodInput(serializers.Serializer):
    method_code = serializers.CharField(max_length=40)
    instrument_make = serializers.CharField(max_length=120)
    instrument_model = serializers.CharField(max_length=120)
    instrument_serial = serializers.CharField(max_length=120, required=False, default="")
    calibration_date = serializers.DateField(required=False, allow_null=True, default=None)
    accreditation = serializers.CharField(max_length=200, required=False, default="")
    stated_u95_pp = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None
    )
