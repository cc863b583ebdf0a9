from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from compliance import selectors
from compliance.api import serializers
from compliance.api.filters import CaseFilter
from compliance.exceptions import CaseInputError
from compliance.models import ShipmentCase
from compliance.ruleset import get_ruleset
from compliance.selectors import ruleset_summary
from compliance.services import case_changes, movements
from compliance.services import cases as case_services
from compliance.services.precheck import precheck
from marketplace.accounts.choices import Role
from marketplace.accounts.permissions import has_role


class PrecheckView(GenericAPIView):
    """Can this lot legally move from origin to destination, and what will that take?

    Same object as `manage.py compliance_precheck --json`.
    """

    serializer_class = serializers.PrecheckRequestSerializer

    @extend_schema(responses={200: serializers.PrecheckResultSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = precheck(serializer.validated_data["request"], ruleset=get_ruleset())
        return Response(result.as_dict())


class RulesetView(GenericAPIView):
    """The active compliance rules: version, effective date and rows per file."""

    permission_classes = [has_role(Role.COMPLIANCE_OFFICER)]
    serializer_class = serializers.RulesetSummarySerializer

    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(ruleset_summary(ruleset=get_ruleset())).data)


# --- Shipment cases ---------------------------------------------------------------------


class CaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Shipment cases of cross-border movements.

    Officers and staff see and act on every case; the seller and buyer organisations see
    their cases read-only; nobody else sees a case (404). An officer whose organisation is a
    party to the case may not act on it (403 conflict_of_interest).
    """

    filterset_class = CaseFilter
    queryset = ShipmentCase.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.cases_for_user(user=self.request.user).order_by("-created_at", "-pk")

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.CaseListSerializer
        return serializers.CaseDetailSerializer

    def get_object(self) -> ShipmentCase:
        return selectors.case_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def _detail(self, case: ShipmentCase, status_code: int = status.HTTP_200_OK) -> Response:
        case = selectors.case_get_for_user(user=self.request.user, pk=case.pk)
        return Response(serializers.CaseDetailSerializer(case).data, status=status_code)

    @extend_schema(
        request=serializers.CaseOpenSerializer,
        responses={201: serializers.CaseDetailSerializer, 200: serializers.CaseDetailSerializer},
    )
    def create(self, request: Request) -> Response:
        """Open the case of a movement (201), or get the live one for it (200)."""
        body = serializers.CaseOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        # Officers and staff open cases for others, so they must say for whom.
        buyer_organisation = data.get("buyer_organisation") or (
            None if case_services.user_is_officer(request.user) else request.user.organisation
        )
        if buyer_organisation is None:
            raise CaseInputError(
                _("Name the buyer organisation."),
                fields={"buyer_organisation": [_("This field is required.")]},
            )
        existing = ShipmentCase.objects.filter(
            listing=data["listing"], buyer_organisation=buyer_organisation
        ).count()
        case = case_services.case_open(
            listing=data["listing"],
            buyer_organisation=buyer_organisation,
            destination=data["destination"],
            transit=data["transit"],
            order_reference=data["order_reference"],
            actor=request.user,
        )
        created = (
            ShipmentCase.objects.filter(
                listing=data["listing"], buyer_organisation=buyer_organisation
            ).count()
            > existing
        )
        return self._detail(case, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=serializers.CaseDecisionSerializer, responses=serializers.CaseDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve: every check passed or acknowledged, consents granted, documents in."""
        case = self.get_object()
        body = serializers.CaseDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case_services.case_approve(
            case=case,
            actor=request.user,
            reason=body.validated_data["reason"],
            acknowledge_check_ids=body.validated_data["acknowledge"],
        )
        return self._detail(case)

    @extend_schema(
        request=serializers.CaseReasonSerializer, responses=serializers.CaseDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        body = serializers.CaseReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case_services.case_reject(
            case=case, actor=request.user, reason=body.validated_data["reason"]
        )
        return self._detail(case)

    @extend_schema(
        request=serializers.CaseReasonSerializer, responses=serializers.CaseDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Close the case because the movement will not happen (the deal fell through)."""
        case = self.get_object()
        body = serializers.CaseReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case_services.case_withdraw(
            case=case, actor=request.user, reason=body.validated_data["reason"]
        )
        return self._detail(case)

    @extend_schema(
        request=serializers.CaseRecheckSerializer, responses=serializers.CaseDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def recheck(self, request: Request, pk: str | None = None) -> Response:
        """Run the checks again (new rules, corrected listing); they run after commit."""
        case = self.get_object()
        body = serializers.CaseRecheckSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case_services.case_request_recheck(
            case=case, actor=request.user, reason=body.validated_data["reason"]
        )
        return self._detail(case)

    @extend_schema(
        request=serializers.ConsentUpdateSerializer,
        responses=serializers.CaseConsentSerializer,
        parameters=[OpenApiParameter("consent_pk", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["patch"], url_path=r"consents/(?P<consent_pk>\d+)")
    def consent(self, request: Request, pk: str | None = None, consent_pk: str = "") -> Response:
        """Record a consent: notification date, written grant or refusal, tacit grant."""
        case = self.get_object()
        consent = selectors.consent_get_for_user(user=request.user, case=case, pk=consent_pk)
        body = serializers.ConsentUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = case_services.consent_record(
            consent=consent, actor=request.user, **body.validated_data
        )
        return Response(serializers.CaseConsentSerializer(updated).data)

    @extend_schema(
        request=serializers.DocumentAddSerializer,
        responses={201: serializers.CaseDocumentSerializer},
    )
    @action(detail=True, methods=["post"], url_path="documents")
    def add_document(self, request: Request, pk: str | None = None) -> Response:
        """Add a document to the checklist (SDS, UN38.3 summary, ...); approval waits for it."""
        case = self.get_object()
        body = serializers.DocumentAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        document = case_services.document_add(case=case, actor=request.user, **body.validated_data)
        return Response(
            serializers.CaseDocumentSerializer(document).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request={
            "multipart/form-data": serializers.DocumentUpdateSerializer,
            "application/json": serializers.DocumentUpdateSerializer,
        },
        responses=serializers.CaseDocumentSerializer,
        parameters=[OpenApiParameter("document_pk", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"documents/(?P<document_pk>\d+)",
        parser_classes=[JSONParser, MultiPartParser, FormParser],
    )
    def document(self, request: Request, pk: str | None = None, document_pk: str = "") -> Response:
        """Tick a document as received (or not), optionally with the file."""
        case = self.get_object()
        document = selectors.document_get_for_user(user=request.user, case=case, pk=document_pk)
        body = serializers.DocumentUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = case_services.document_mark(
            document=document,
            actor=request.user,
            received=body.validated_data["received"],
            upload=body.validated_data.get("file"),
            note=body.validated_data.get("note"),
        )
        return Response(serializers.CaseDocumentSerializer(updated).data)

    @extend_schema(
        request=serializers.CaseReasonSerializer, responses=serializers.CaseDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path="request-information")
    def request_information(self, request: Request, pk: str | None = None) -> Response:
        """Ask the parties for information; the reason is what they read. The case waits
        for their answer, which sends it back to checking."""
        case = self.get_object()
        body = serializers.CaseReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case_changes.case_request_information(
            case=case, actor=request.user, reason=body.validated_data["reason"]
        )
        return self._detail(case)

    @extend_schema(
        request={
            "multipart/form-data": serializers.CaseRespondSerializer,
            "application/json": serializers.CaseRespondSerializer,
        },
        responses=serializers.CaseDetailSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[JSONParser, MultiPartParser, FormParser],
    )
    def respond(self, request: Request, pk: str | None = None) -> Response:
        """The seller or buyer answers a request for information (a comment, optionally a
        file for a checklist document); the checks run again."""
        case = self.get_object()
        body = serializers.CaseRespondSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        document = (
            selectors.document_get_for_user(user=request.user, case=case, pk=data["document"])
            if data.get("document")
            else None
        )
        case_changes.case_respond(
            case=case,
            actor=request.user,
            comment=data["comment"],
            document=document,
            upload=data.get("file"),
        )
        return self._detail(case)

    @extend_schema(
        request=serializers.CaseRouteSerializer, responses=serializers.CaseDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def route(self, request: Request, pk: str | None = None) -> Response:
        """Change the transit countries; the checks run again (new transit consents)."""
        case = self.get_object()
        body = serializers.CaseRouteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case_changes.case_change_transit(case=case, actor=request.user, **body.validated_data)
        return self._detail(case)

    @extend_schema(
        request=serializers.MovementSerializer, responses=serializers.CaseDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def movements(self, request: Request, pk: str | None = None) -> Response:
        """Record a movement event of an approved case (shipment left, receipt confirmed,
        recovery confirmed); the legal deadline it starts is stored on the case."""
        case = self.get_object()
        body = serializers.MovementSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        movements.movement_record(case=case, actor=request.user, **body.validated_data)
        return self._detail(case)
