from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compliance.choices import (
    AlertKind,
    CaseStatus,
    CheckCode,
    CheckOutcome,
    ConsentRole,
    ConsentStatus,
    EventKind,
    ExtraDocument,
    Material,
    MovementKind,
    RiskLevel,
)
from compliance.models import (
    CaseAlert,
    CaseCheck,
    CaseDocument,
    CaseEvent,
    ConsentRequest,
    ShipmentCase,
)
from compliance.ruleset import CONSENT_ROLES, MATERIAL_CODES, REGIMES
from compliance.selectors import current_checks
from compliance.services.precheck import PrecheckInputError, parse_precheck_input
from marketplace.accounts.models import Organisation
from marketplace.catalog.models import Listing
from marketplace.core.api.serializers import StrictModelSerializer, StrictSerializer


class PrecheckRequestSerializer(StrictSerializer):
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


class BlockSerializer(StrictSerializer):
    code = serializers.CharField()
    reason = serializers.CharField()
    source = serializers.CharField()


class ConsentSerializer(StrictSerializer):
    country = serializers.CharField()
    # A plain string in the schema: an enum named "role" would collide with accounts' Role.
    role = serializers.CharField(help_text=" | ".join(CONSENT_ROLES))
    tacit_after_days = serializers.IntegerField(allow_null=True)


class TransportSerializer(StrictSerializer):
    un_number = serializers.CharField(allow_null=True)
    special_provisions = serializers.ListField(child=serializers.CharField())
    packing_instruction = serializers.CharField(allow_null=True)


class PrecheckResultSerializer(StrictSerializer):
    """Documents the response; the view returns the service's dict as it is."""

    allowed = serializers.BooleanField()
    regime = serializers.ChoiceField(choices=REGIMES)
    blocks = BlockSerializer(many=True)
    consents_required = ConsentSerializer(many=True)
    documents = serializers.ListField(child=serializers.CharField())
    transport = TransportSerializer()
    needs_officer_review = serializers.BooleanField()
    rules_version = serializers.CharField()


class RulesFileSerializer(StrictSerializer):
    name = serializers.CharField()
    rows = serializers.IntegerField()


class RulesetSummarySerializer(StrictSerializer):
    version = serializers.CharField()
    effective_from = serializers.DateField()
    files = RulesFileSerializer(many=True)
    total_rows = serializers.IntegerField()


# --- Shipment cases ---------------------------------------------------------------------
# Status-like fields are plain strings in the schema with their values in the help text: an
# enum named "status", "role" or "material" would collide with other apps' enums.


def _choice_text(choices) -> serializers.CharField:
    return serializers.CharField(read_only=True, help_text=" | ".join(choices.values))


class CaseCheckSerializer(StrictModelSerializer):
    code = _choice_text(CheckCode)
    outcome = _choice_text(CheckOutcome)

    class Meta:
        model = CaseCheck
        fields = [
            "id",
            "code",
            "outcome",
            "explanation",
            "rule_ids",
            "sources",
            "confidence",
            "rules_version",
            "acknowledged_at",
        ]

    rule_ids = serializers.ListField(child=serializers.CharField())
    sources = serializers.ListField(child=serializers.CharField())


class CaseConsentSerializer(StrictModelSerializer):
    country = serializers.CharField(source="country.code")
    role = _choice_text(ConsentRole)
    status = _choice_text(ConsentStatus)

    class Meta:
        model = ConsentRequest
        fields = [
            "id",
            "country",
            "role",
            "tacit_after_days",
            "status",
            "notification_sent_on",
            "tacit_deadline",
            "decided_on",
            "valid_from",
            "valid_until",
            "reference_number",
            "note",
        ]


class CaseDocumentSerializer(StrictModelSerializer):
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = CaseDocument
        fields = [
            "id",
            "code",
            "label",
            "required_by_rules",
            "received",
            "received_at",
            "original_name",
            "size_bytes",
            "has_file",
            "note",
        ]

    def get_has_file(self, document: CaseDocument) -> bool:
        return bool(document.file)


class CaseEventSerializer(StrictModelSerializer):
    kind = _choice_text(EventKind)
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "kind",
            "from_status",
            "to_status",
            "actor",
            "reason",
            "details",
            "created_at",
            "prev_hash",
            "hash",
        ]


class CaseAlertSerializer(StrictModelSerializer):
    kind = _choice_text(AlertKind)

    class Meta:
        model = CaseAlert
        fields = ["kind", "subject", "due_on", "message", "raised_at"]


class CaseListSerializer(StrictModelSerializer):
    listing_title = serializers.CharField(source="listing.title")
    seller_organisation_name = serializers.CharField(source="seller_organisation.legal_name")
    buyer_organisation_name = serializers.CharField(source="buyer_organisation.legal_name")
    origin = serializers.CharField(source="origin.code")
    destination = serializers.CharField(source="destination.code")
    transit = serializers.ListField(child=serializers.CharField())
    next_deadline = serializers.DateField(
        allow_null=True, help_text=_("The earliest tacit-consent deadline still running.")
    )
    overdue_consents = serializers.IntegerField()
    status = _choice_text(CaseStatus)
    material = _choice_text(Material)
    risk_level = _choice_text(RiskLevel)
    risk_reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("material:<code> or inference:<rule id>: why two officers approve."),
    )

    class Meta:
        model = ShipmentCase
        fields = [
            "id",
            "status",
            "risk_level",
            "risk_reasons",
            "listing",
            "listing_title",
            "seller_organisation",
            "seller_organisation_name",
            "buyer_organisation",
            "buyer_organisation_name",
            "origin",
            "destination",
            "transit",
            "material",
            "regime",
            "rules_version",
            "order_reference",
            "order_id",
            "next_deadline",
            "overdue_consents",
            "created_at",
            "updated_at",
        ]


class CaseDetailSerializer(CaseListSerializer):
    checks = serializers.SerializerMethodField()
    consents = CaseConsentSerializer(many=True)
    documents = CaseDocumentSerializer(many=True)
    events = CaseEventSerializer(many=True)
    classified_material = _choice_text(Material)
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    first_approved_by = serializers.CharField(
        source="first_approved_by.username", allow_null=True, default=None
    )
    alerts = CaseAlertSerializer(many=True)

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "classified_material",
            "material_override_reason",
            "checked_at",
            "decided_at",
            "decided_by",
            "decision_reason",
            "first_approved_by",
            "first_approved_at",
            "first_approval_reason",
            "information_request",
            "shipment_left_on",
            "receipt_due_on",
            "received_on",
            "recovery_due_on",
            "recovered_on",
            "alerts",
            "checks",
            "consents",
            "documents",
            "events",
        ]

    @extend_schema_field(CaseCheckSerializer(many=True))
    def get_checks(self, case: ShipmentCase) -> list[dict]:
        return CaseCheckSerializer(current_checks(case), many=True).data


class CaseOpenSerializer(StrictSerializer):
    listing = serializers.PrimaryKeyRelatedField(queryset=Listing.objects.all())
    buyer_organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text=_("Officers and staff name the buyer; a buyer opens for its own organisation."),
    )
    destination = serializers.CharField(max_length=8, help_text=_("ISO 3166-1 alpha-2"))
    transit = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, default=list
    )
    order_reference = serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True
    )


class CaseDecisionSerializer(StrictSerializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True)
    acknowledge = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text=_("Ids of review checks the officer acknowledges with this approval."),
    )


class CaseReasonSerializer(StrictSerializer):
    reason = serializers.CharField()


class CaseRecheckSerializer(StrictSerializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class ConsentUpdateSerializer(StrictSerializer):
    status = serializers.CharField(required=False, help_text=" | ".join(ConsentStatus.values))
    notification_sent_on = serializers.DateField(required=False, allow_null=True)
    decided_on = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("End of the consent's validity; default from the rules (one year)."),
    )
    reference_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)

    def validate_status(self, value: str) -> str:
        if value not in ConsentStatus.values:
            raise serializers.ValidationError(
                _("Choose one of %(choices)s.") % {"choices": ", ".join(ConsentStatus.values)}
            )
        return value


class DocumentAddSerializer(StrictSerializer):
    kind = serializers.CharField(help_text=" | ".join(ExtraDocument.values))
    label = serializers.CharField(
        max_length=255,
        required=False,
        default="",
        allow_blank=True,
        help_text=_("Name of the document; needed for kind other."),
    )


class DocumentUpdateSerializer(StrictSerializer):
    received = serializers.BooleanField()
    file = serializers.FileField(required=False, help_text=_("PDF, PNG or JPEG, up to 10 MB."))
    note = serializers.CharField(required=False, allow_blank=True)


class CaseRespondSerializer(StrictSerializer):
    comment = serializers.CharField(help_text=_("The answer to the officer's request."))
    document = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("Id of the checklist document the file is for."),
    )
    file = serializers.FileField(required=False, help_text=_("PDF, PNG or JPEG, up to 10 MB."))


class CaseRouteSerializer(StrictSerializer):
    transit = serializers.ListField(
        child=serializers.CharField(max_length=8),
        allow_empty=True,
        help_text=_("ISO 3166-1 alpha-2 codes of every transit country, in order."),
    )
    reason = serializers.CharField()


class MovementSerializer(StrictSerializer):
    kind = serializers.CharField(help_text=" | ".join(MovementKind.values))
    occurred_on = serializers.DateField(
        help_text=_("The day the goods left, were received, or their recovery was completed.")
    )
    note = serializers.CharField(required=False, default="", allow_blank=True)
