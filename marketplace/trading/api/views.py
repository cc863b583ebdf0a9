from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from marketplace.accounts.permissions import IsPlatformStaff
from marketplace.core.exceptions import DomainError
from marketplace.trading import pricing, selectors, services
from marketplace.trading.api import serializers
from marketplace.trading.api.renderers import ExactDecimalJSONRenderer
from marketplace.trading.choices import Element
from marketplace.trading.models import ReferencePrice


class ReferencePriceFilter(filters.FilterSet):
    element = filters.ChoiceFilter(choices=Element.choices)
    date_from = filters.DateFilter(field_name="effective_date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="effective_date", lookup_expr="lte")

    class Meta:
        model = ReferencePrice
        fields = ["element", "date_from", "date_to"]


class ReferencePriceListCreateView(generics.ListCreateAPIView):
    """Dated metal reference prices (JPY per kg of contained metal). Anyone signed in reads;
    platform staff record new ones."""

    serializer_class = serializers.ReferencePriceSerializer
    filterset_class = ReferencePriceFilter

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsPlatformStaff()]
        return [IsAuthenticated()]

    def get_queryset(self):
        return selectors.reference_price_history()

    def perform_create(self, serializer):
        serializer.instance = services.reference_price_record(
            actor=self.request.user, **serializer.validated_data
        )


class QuoteView(generics.GenericAPIView):
    """What a black-mass lot (or a payables bid) is worth: the `quote_black_mass` calculation.

    Same input and output as `manage.py quote_black_mass --json`. Without `prices_jpy_per_kg`
    the reference prices effective today are used.
    """

    serializer_class = serializers.QuoteRequestSerializer
    renderer_classes = [ExactDecimalJSONRenderer]

    @extend_schema(
        request=serializers.QuoteRequestSerializer,
        responses={200: serializers.QuoteSerializer},
    )
    def post(self, request):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "prices_jpy_per_kg" not in data:
            data["prices_jpy_per_kg"] = _current_prices_for(data["payables_pct"])
        quote = pricing.quote_black_mass(**data)
        return Response(quote.as_dict(), status=status.HTTP_200_OK)


def _current_prices_for(payables_pct: dict) -> dict:
    current = selectors.reference_prices_on(timezone.localdate())
    for element in payables_pct:
        if element in Element.values and element not in current:
            message = _("No reference price for %(element)s is recorded yet; give one.") % {
                "element": element
            }
            raise DomainError(
                message, code="validation_error", fields={f"prices_jpy_per_kg.{element}": [message]}
            )
    return {element: row.price_jpy_per_kg for element, row in current.items()}
