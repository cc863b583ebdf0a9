from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from compliance.ruleset import CONSENT_ROLES, MATERIAL_CODES, REGIMES
from compliance.services.precheck import PrecheckInputError, parse_precheck_input


class PrecheckRequestSerializer(serializers.Serializer):
    material = serializers.ChoiceField(choices=MATERIAL_CODES)
    origin = serializers.CharField(max_length=8, help_text=_("ISO 3166-1 alpha-2, e.g. JP"))
    destination = serializers.CharField(max_length=8, help_text=_("ISO 3166-1 alpha-2"))
    transit = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, default=list
    )
    date = serializers.DateField(
        required=False, allow_null=True, help_text=_("Shipment date; today if omitted.")
    )
    assay = serializers.DictField(
        child=serializers.DecimalField(
            max_digits=7, decimal_places=4, min_value=0, max_value=100, coerce_to_string=False
        ),
        required=False,
        default=dict,
        help_text=_('Mass percentages by element symbol, e.g. {"Ni": "20.5"}.'),
    )

    def validate(self, attrs: dict) -> dict:
        # The service owns the rules for valid input; this maps its errors onto fields.
        try:
            attrs["request"] = parse_precheck_input(
                material=attrs["material"],
                origin=attrs["origin"],
                destination=attrs["destination"],
                transit=attrs.get("transit") or [],
                on=attrs.get("date"),
                assay=attrs.get("assay") or {},
            )
        except PrecheckInputError as error:
            raise serializers.ValidationError(error.fields) from None
        return attrs


class BlockSerializer(serializers.Serializer):
    code = serializers.CharField()
    reason = serializers.CharField()
    source = serializers.CharField()


class ConsentSerializer(serializers.Serializer):
    country = serializers.CharField()
    # A plain string in the schema: an enum named "role" would collide with accounts' Role.
    role = serializers.CharField(help_text=" | ".join(CONSENT_ROLES))
    tacit_after_days = serializers.IntegerField(allow_null=True)


class TransportSerializer(serializers.Serializer):
    un_number = serializers.CharField(allow_null=True)
    special_provisions = serializers.ListField(child=serializers.CharField())
    packing_instruction = serializers.CharField(allow_null=True)


class PrecheckResultSerializer(serializers.Serializer):
    """Documents the response; the view returns the service's dict as it is."""

    allowed = serializers.BooleanField()
    regime = serializers.ChoiceField(choices=REGIMES)
    blocks = BlockSerializer(many=True)
    consents_required = ConsentSerializer(many=True)
    documents = serializers.ListField(child=serializers.CharField())
    transport = TransportSerializer()
    needs_officer_review = serializers.BooleanField()
    rules_version = serializers.CharField()


class RulesFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    rows = serializers.IntegerField()


class RulesetSummarySerializer(serializers.Serializer):
    version = serializers.CharField()
    effective_from = serializers.DateField()
    files = RulesFileSerializer(many=True)
    total_rows = serializers.IntegerField()
