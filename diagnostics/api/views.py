"""Diagnostics API: the diagnose calculation and the method catalogue."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics import jsonio, selectors
from diagnostics.api import serializers
from diagnostics.engine import diagnose, parse_request


class DecimalJSONRenderer(JSONRenderer):
    """Writes Decimals as JSON numbers from their own text, as the diagnose command does."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return jsonio.dumps(data, indent=None).encode("utf-8")


class DiagnoseView(APIView):
    """Normalise a diagnostic result: SOH band, grade, remaining life, residual value.

    Same input and output as `manage.py diagnose --json`. Any signed-in user may call it;
    nothing is stored.
    """

    permission_classes = [IsAuthenticated]
    renderer_classes = [DecimalJSONRenderer]

    @extend_schema(
        request=serializers.DiagnoseInputSerializer,
        responses={
            200: serializers.DiagnoseOutputSerializer,
            400: OpenApiResponse(description="{error: {code, message, fields}}"),
        },
    )
    def post(self, request):
        result = diagnose(parse_request(request.data))
        return Response(result.as_dict())


class MethodCatalogueView(APIView):
    """The diagnostic method catalogue: what each method measures, its duration, equipment
    and stated uncertainty, each with its source. Public: it is reference data."""

    permission_classes = [AllowAny]
    renderer_classes = [DecimalJSONRenderer]

    @extend_schema(responses=serializers.MethodCatalogueSerializer)
    def get(self, request):
        return Response(selectors.method_catalogue())
