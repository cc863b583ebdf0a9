"""Passport API: parse, load through a selector, call the service, render."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.catalog import selectors as catalog_selectors
from marketplace.catalog.api.serializers import ListingSerializer
from marketplace.circularity import selectors, services
from marketplace.circularity.api.serializers import PassportPrefillSerializer

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
