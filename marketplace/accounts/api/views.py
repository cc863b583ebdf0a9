from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

from marketplace.accounts import selectors, services
from marketplace.accounts.api import serializers
from marketplace.accounts.models import ApiToken, Organisation, Permit
from marketplace.accounts.permissions import IsPlatformStaff
from marketplace.core.exceptions import DomainError


class SignUpView(GenericAPIView):
    """Register an organisation and its first user; staff verify it before it can trade."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "signup"
    serializer_class = serializers.SignUpSerializer

    @extend_schema(responses={201: serializers.MeSerializer})
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _, user = services.organisation_sign_up(**serializer.validated_data)
        return Response(serializers.MeSerializer(user).data, status=status.HTTP_201_CREATED)


class MeView(GenericAPIView):
    serializer_class = serializers.MeSerializer

    def get(self, request):
        return Response(self.get_serializer(request.user).data)


class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Your own organisation (staff see all). Others' details are private: 404."""

    serializer_class = serializers.OrganisationSerializer
    queryset = Organisation.objects.none()  # for the schema; get_queryset() scopes to the user
    filterset_fields = ["verification_status", "country"]
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self):
        return selectors.organisations_for_user(user=self.request.user)

    def get_object(self):
        return selectors.organisation_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def perform_update(self, serializer):
        serializer.instance = services.organisation_update(
            organisation=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=None, responses=serializers.OrganisationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsPlatformStaff])
    def verify(self, request, pk=None):
        organisation = services.organisation_verify(
            organisation=self.get_object(), actor=request.user
        )
        return Response(self.get_serializer(organisation).data)

    @extend_schema(
        request=serializers.ReasonSerializer, responses=serializers.OrganisationSerializer
    )
    @action(detail=True, methods=["post"], permission_classes=[IsPlatformStaff])
    def reject(self, request, pk=None):
        body = serializers.ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        organisation = services.organisation_reject(
            organisation=self.get_object(), actor=request.user, reason=body.validated_data["reason"]
        )
        return Response(self.get_serializer(organisation).data)

    @extend_schema(
        request=serializers.ReasonSerializer, responses=serializers.OrganisationSerializer
    )
    @action(detail=True, methods=["post"], permission_classes=[IsPlatformStaff])
    def suspend(self, request, pk=None):
        body = serializers.ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        organisation = services.organisation_suspend(
            organisation=self.get_object(), actor=request.user, reason=body.validated_data["reason"]
        )
        return Response(self.get_serializer(organisation).data)


class PermitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = serializers.PermitSerializer
    queryset = Permit.objects.none()

    def get_queryset(self):
        return selectors.permits_for_user(user=self.request.user)

    def get_object(self):
        return selectors.permit_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def perform_create(self, serializer):
        user = self.request.user
        if user.organisation is None:
            raise DomainError(_("Platform staff add permits from the organisation's admin page."))
        serializer.instance = services.permit_add(
            organisation=user.organisation, actor=user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.permit_remove(permit=instance, actor=self.request.user)


class TokenCreationThrottle(UserRateThrottle):
    """Per user; the rate is read from settings on each request, not once at import."""

    scope = "tokens"

    def get_rate(self) -> str:
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your API tokens. Creating one returns its key once; DELETE revokes it."""

    serializer_class = serializers.ApiTokenSerializer
    queryset = ApiToken.objects.none()

    def get_throttles(self):
        # Creating keys is the one write here an attacker with a stolen session would repeat.
        if self.action == "create":
            return [*super().get_throttles(), TokenCreationThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        return selectors.api_tokens_for_user(user=self.request.user)

    def get_object(self):
        return selectors.api_token_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(responses={201: serializers.ApiTokenCreatedSerializer})
    def create(self, request):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        token, key = services.api_token_create(user=request.user, name=body.validated_data["name"])
        token.key = key
        return Response(
            serializers.ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED
        )

    def perform_destroy(self, instance):
        services.api_token_revoke(token=instance, actor=self.request.user)
