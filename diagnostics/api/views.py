"""Diagnostics API: the diagnose calculation and the method catalogue."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics import jsonio, selectors, services
from diagnostics.api import serializers
from diagnostics.engine import diagnose, parse_request
from diagnostics.models import RegisteredMethod
from marketplace.accounts.choices import Role
from marketplace.accounts.permissions import has_role


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


class RegisteredMethodViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your organisation's registered methods and instruments (diagnostics providers)."""

    permission_classes = [has_role(Role.DIAGNOSTICS_PROVIDER)]
    serializer_class = serializers.RegisteredMethodSerializer
    queryset = RegisteredMethod.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.registered_methods_for_user(user=self.request.user)

    def get_object(self):
        return selectors.registered_method_get_for_user(
            user=self.request.user, pk=self.kwargs["pk"]
        )

    @extend_schema(
        request=serializers.RegisteredMethodInput,
        responses={201: serializers.RegisteredMethodSerializer},
    )
    def create(self, request):
        body = serializers.RegisteredMethodInput(data=request.data)
        body.is_valid(raise_exception=True)
        registration = services.registered_method_add(actor=request.user, **body.validated_data)
        return Response(
            serializers.RegisteredMethodSerializer(registration).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=serializers.RegisteredMethodSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        registration = services.registered_method_retire(
            registration=self.get_object(), actor=request.user
        )
        return Response(serializers.RegisteredMethodSerializer(registration).data)
