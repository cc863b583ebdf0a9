"""Circularity API (passport, outflow, scores, domestic-first policy): parse, load through a
selector, call the service, render."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.models import Organisation
from marketplace.accounts.permissions import IsPlatformStaff
from marketplace.catalog import selectors as catalog_selectors
from marketplace.catalog.api.serializers import ListingSerializer
from marketplace.circularity import reference, selectors, services
from marketplace.circularity.api.serializers import (
    DomesticFirstPolicyInputSerializer,
    DomesticFirstRuleSerializer,
    OrderScoreSerializer,
    OrganisationScoreSerializer,
    OutflowReportSerializer,
    PassportPrefillSerializer,
)
from marketplace.circularity.services import outflow, policy, score
from marketplace.core.exceptions import DomainError
from marketplace.trading.selectors import order_get_for_user

PASSPORT_DESCRIPTION = (
    "The pack's battery passport as Battery Pass data model v1.2.0 JSON: groups "
    "generalProductInformation, performanceAndDurability, carbonFootprint, circularity, "
    "materialComposition, plus x-batteryMarket. Anonymous callers and members of unverified "
    "organisations get the public passport; members of verified organisations, the pack's "
    "owner and staff also get SOH/SOCE, its history and safety documents (EU 2023/1542 "
    "Annex VII). Mapping: docs/passport-mapping.md."
)


class PackPassportView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="circularity_pack_passport",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description=PASSPORT_DESCRIPTION),
            404: OpenApiResponse(description="No such pack, or not visible to you."),
        },
    )
    def get(self, request, pk: int):
        pack = selectors.pack_get_for_user(user=request.user, pk=pk)
        audience = selectors.audience_for(user=request.user, pack=pack)
        url_prefix = request.build_absolute_uri("/").rstrip("/")
        return Response(
            services.passport_export(pack=pack, audience=audience, url_prefix=url_prefix)
        )


class PassportImportView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="circularity_passport_import",
        request={"application/json": OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter(
                "create",
                str,
                enum=["draft"],
                required=False,
                description="draft: also create a draft pack listing (verified trading "
                "organisations only).",
            )
        ],
        responses={
            200: PassportPrefillSerializer,
            201: ListingSerializer,
            400: OpenApiResponse(description="Errors keyed by Battery Pass attribute path."),
            403: OpenApiResponse(description="Creating a listing needs a verified trader."),
        },
        description=(
            "Validate a Battery Pass JSON and return the listing it pre-fills. Quantities "
            'are numbers in the data model\'s unit, or {"value": n, "unit": "Wh"}.'
        ),
    )
    def post(self, request):
        if request.query_params.get("create") == "draft":
            listing = services.passport_listing_create(data=request.data, actor=request.user)
            listing = catalog_selectors.listing_get_for_user(user=request.user, pk=listing.pk)
            return Response(ListingSerializer(listing).data, status=status.HTTP_201_CREATED)
        prefill = services.passport_import(data=request.data, actor=request.user)
        return Response(PassportPrefillSerializer(prefill).data)


# --- Outflow dashboard, scores, domestic-first policy ------------------------------------

OUTFLOW_PARAMETERS = [
    OpenApiParameter("month_from", str, required=False, description="First month, YYYY-MM."),
    OpenApiParameter("month_to", str, required=False, description="Last month, YYYY-MM."),
    OpenApiParameter("region", str, required=False, description="Region / prefecture."),
]


def _cell(cell) -> dict:
    return cell.as_dict()


def _report_data(report) -> dict:
    return {
        "audience": report.audience,
        "filters": report.filters.as_query(),
        "months": [
            {
                "month": row.month.strftime("%Y-%m"),
                "regions": [
                    {"country": r.country, "region": r.region, "figures": _cell(r.cell)}
                    for r in row.regions
                ],
                "total": _cell(row.total) if row.total_shown else None,
            }
            for row in report.months
        ],
        "total": _cell(report.total) if report.total else None,
        "organisations": [
            {
                "organisation": row.organisation_id,
                "name": row.name,
                "as_seller": _cell(row.as_seller),
                "as_buyer": _cell(row.as_buyer),
            }
            for row in report.organisations
        ],
        "unpriced_metals": list(report.unpriced_metals),
        "min_sales_per_cell": report.min_sales_per_cell,
        "reference_version": report.reference_version,
    }


class OutflowView(APIView):
    permission_classes = [permissions.AllowAny]
    audience = outflow.PUBLIC

    @extend_schema(
        operation_id="circularity_outflow",
        parameters=OUTFLOW_PARAMETERS,
        responses={
            200: OutflowReportSerializer,
            400: OpenApiResponse(description="A filter is malformed; errors per field."),
        },
        description=(
            "Completed sales (orders not cancelled) by month and region: stayed vs exported "
            "(count, kWh), contained Li/Ni/Co, their value at reference prices, reuse vs "
            "recycling, CO2 avoided by reuse. Aggregates only: cells with fewer than "
            "min_sales_per_cell sales are suppressed. Formulas: docs/circularity.md."
        ),
    )
    def get(self, request):
        filters = outflow.outflow_filters(request.query_params)
        report = outflow.outflow_report(filters=filters, audience=self.audience)
        return Response(OutflowReportSerializer(_report_data(report)).data)


class StaffOutflowView(OutflowView):
    permission_classes = [IsPlatformStaff]
    audience = outflow.STAFF

    @extend_schema(
        operation_id="circularity_outflow_staff",
        parameters=OUTFLOW_PARAMETERS,
        responses={
            200: OutflowReportSerializer,
            400: OpenApiResponse(description="A filter is malformed; errors per field."),
            403: OpenApiResponse(description="Staff only."),
        },
        description="The full report (no suppression), with totals and organisations.",
    )
    def get(self, request):
        return super().get(request)


class OrderScoreView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="circularity_order_score",
        responses={
            200: OrderScoreSerializer,
            404: OpenApiResponse(description="Not your order, or cancelled."),
        },
    )
    def get(self, request, pk: int):
        order = order_get_for_user(user=request.user, pk=pk)
        figures = score.order_circularity(order)
        if figures is None:
            raise Http404
        return Response(
            OrderScoreSerializer(
                {
                    "order": figures.order_id,
                    "outcome": figures.outcome,
                    "score": str(figures.score),
                    "kwh": str(figures.kwh),
                    "kwh_in_use": str(figures.kwh_in_use),
                    "co2_avoided_kg": str(figures.co2_avoided_kg),
                    "metals_kg": {metal: str(kg) for metal, kg in figures.metals_kg.items()},
                    "metal_value_jpy": str(figures.metal_value_jpy),
                    "reference_version": reference.reference().version,
                }
            ).data
        )


class OrganisationScoreView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="circularity_organisation_score",
        responses={
            200: OrganisationScoreSerializer,
            404: OpenApiResponse(description="Not your organisation (staff see any)."),
        },
        description="What the organisation bought (completed sales), summed.",
    )
    def get(self, request, pk: int):
        if not (request.user.is_staff or request.user.organisation_id == pk):
            raise Http404
        summary = score.organisation_circularity(organisation_id=pk)
        return Response(OrganisationScoreSerializer(summary.as_dict()).data)


def _rule_data(rule) -> dict:
    return {
        "listing_type": rule.listing_type,
        "hours": rule.hours,
        "partner_countries": sorted(rule.partner_countries),
        "exempt_organisations": sorted(rule.exempt_organisation_ids),
        "policy_id": rule.policy_id,
        "effective_from": rule.effective_from,
        "reason": rule.reason,
        "source": rule.source,
    }


class DomesticFirstPolicyView(APIView):
    def get_permissions(self):
        if self.request.method == "GET":
            return [permissions.AllowAny()]
        return [IsPlatformStaff()]

    @extend_schema(
        operation_id="circularity_domestic_first_current",
        responses={200: DomesticFirstRuleSerializer(many=True)},
        description="The domestic-first rule in force now, per listing type.",
    )
    def get(self, request):
        rules = policy.domestic_first_current()
        return Response(DomesticFirstRuleSerializer([_rule_data(r) for r in rules], many=True).data)

    @extend_schema(
        operation_id="circularity_domestic_first_record",
        request=DomesticFirstPolicyInputSerializer,
        responses={
            201: DomesticFirstRuleSerializer,
            400: OpenApiResponse(description="Errors per field."),
            403: OpenApiResponse(description="Staff only."),
        },
        description="Record a new version of the policy for one listing type (staff).",
    )
    def post(self, request):
        data = DomesticFirstPolicyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        wanted = values.pop("exempt_organisations", [])
        organisations = list(Organisation.objects.filter(pk__in=wanted))
        missing = sorted(set(wanted) - {o.pk for o in organisations})
        if missing:
            message = _("Unknown organisation ids: %(ids)s.") % {
                "ids": ", ".join(str(pk) for pk in missing)
            }
            raise DomainError(message, fields={"exempt_organisations": [message]})
        recorded = policy.policy_record(
            actor=request.user, exempt_organisations=organisations, **values
        )
        rule = policy.domestic_first_for(recorded.listing_type, at=recorded.effective_from)
        return Response(
            DomesticFirstRuleSerializer(_rule_data(rule)).data, status=status.HTTP_201_CREATED
        )
