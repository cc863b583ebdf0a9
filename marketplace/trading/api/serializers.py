from rest_framework import serializers

from marketplace.core.api.serializers import StrictModelSerializer, StrictSerializer
from marketplace.trading.choices import PENALTY_ELEMENTS, Element
from marketplace.trading.models import ReferencePrice


class ReferencePriceSerializer(StrictModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ReferencePrice
        fields = [
            "id",
            "element",
            "price_jpy_per_kg",
            "effective_date",
            "source",
            "source_url",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "created_by", "created_at"]
        # Uniqueness is the service's rule (409 with a message), not a serializer validator.
        validators: list = []


def _exact_decimal(**kwargs) -> serializers.DecimalField:
    """Any decimal, kept exactly: no rounding, no digit limits here (the valuation checks them)."""
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)


class PenaltySerializer(StrictSerializer):
    element = serializers.ChoiceField(choices=sorted(PENALTY_ELEMENTS))
    threshold_pct = _exact_decimal()
    jpy_per_dry_tonne_per_pct_over = _exact_decimal()


class QuoteRequestSerializer(StrictSerializer):
    """Input of the quote: the command's JSON; prices may be left out to use today's prices."""

    wet_kg = _exact_decimal()
    moisture_pct = _exact_decimal()
    assay_pct = serializers.DictField(
        child=_exact_decimal(), help_text='Dry assay, wt% per element, e.g. {"Ni": 20}.'
    )
    payables_pct = serializers.DictField(
        child=_exact_decimal(),
        help_text="Payable % of the reference price per element: "
        + ", ".join(Element.values)
        + ".",
    )
    prices_jpy_per_kg = serializers.DictField(
        child=_exact_decimal(),
        required=False,
        help_text="JPY per kg of contained metal; leave out to use the current reference prices.",
    )
    penalties = PenaltySerializer(many=True, required=False)


def _number(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=None, decimal_places=None, coerce_to_string=False, **kwargs
    )


class QuoteLineSerializer(StrictSerializer):
    element = serializers.CharField()
    assay_pct = _number()
    contained_kg = _number()
    payable_pct = _number(allow_null=True)
    price_jpy_per_kg = _number(allow_null=True)
    payable_value_jpy = _number(help_text="Exact, unrounded.")
    penalty_threshold_pct = _number(allow_null=True)
    penalty_jpy_per_dry_tonne_per_pct_over = _number(allow_null=True)
    penalty_jpy = _number(help_text="Exact, unrounded.")
    value_jpy = _number(help_text="payable_value_jpy − penalty_jpy, exact.")


class QuoteSerializer(StrictSerializer):
    """Documentation of the response; numbers are JSON numbers written from exact decimals."""

    dry_kg = _number()
    contained_kg = serializers.DictField(child=_number())
    value_jpy = serializers.IntegerField(help_text="Whole yen, ROUND_HALF_UP, rounded once.")
    lines = QuoteLineSerializer(many=True)
