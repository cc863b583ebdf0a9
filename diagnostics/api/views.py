"""Diagnostics API: diagnose, method catalogue, registered methods, certificates, guarantees."""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics import jsonio, printing, selectors, services
from diagnostics.api import serializers
from diagnostics.content import CONDITION_FIELDS, MEASURED_FIELDS
from diagnostics.engine import diagnose, parse_request
from diagnostics.models import (
    GuaranteeClaim,
    RegisteredMethod,
    ResidualValueGuarantee,
    SohCertificate,
)
from marketplace.accounts.choices import Role
from marketplace.accounts.permissions import has_role
from marketplace.catalog.models import BatteryPack, ModuleLot
from marketplace.core.exceptions import DomainError
from marketplace.core.pdf import render_pdf


class DecimalJSONRenderer(JSONRenderer):
    """Writes Decimals as JSON numbers from their own text, as the diagnose command does."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return jsonio.dumps(data, indent=None).encode("utf-8")


class PdfRenderer(BaseRenderer):
    """Passes the PDF bytes a view made through; errors are switched back to JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return data


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
        result = diagnose(parse_request(request.data), metal_prices=selectors.metal_prices_on())
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


# --- Certificates ----------------------------------------------------------------------


def certificate_data(certificate: SohCertificate, *, user) -> dict:
    """The API shape of a certificate; the raw-data link only for those who may download."""
    may_download = bool(certificate.raw_data) and selectors.may_see_raw_data(
        user=user, certificate=certificate
    )
    successor = getattr(certificate, "superseded_by", None)
    return {
        "uuid": certificate.uuid,
        "status": certificate.status,
        "provider": {"id": certificate.provider_id, "name": certificate.provider.legal_name},
        "subject": {
            "kind": "pack" if certificate.pack_id else "module_lot",
            "id": certificate.pack_id or certificate.module_lot_id,
            "label": certificate.subject_label,
        },
        "registered_method": certificate.registered_method_id,
        "method_code": certificate.method_code,
        "measurand": certificate.measurand,
        "tested_on": certificate.tested_on,
        "issued_at": certificate.issued_at,
        "measured": {name: getattr(certificate, name) for name in MEASURED_FIELDS},
        "conditions": {name: getattr(certificate, name) for name in CONDITION_FIELDS},
        "safety_flags": certificate.safety_flags,
        "u95_pp": certificate.u95_pp,
        "soh_pct": certificate.soh_pct,
        "soh_low_pct": certificate.soh_low_pct,
        "soh_high_pct": certificate.soh_high_pct,
        "grade": certificate.grade,
        "recommended_use": certificate.recommended_use,
        "years_to_70_pct": certificate.years_to_70_pct,
        "years_to_60_pct": certificate.years_to_60_pct,
        "residual_value_jpy": certificate.residual_value_jpy,
        "data_versions": certificate.data_versions,
        "content_sha256": certificate.content_sha256,
        "raw_data_sha256": certificate.raw_data_sha256,
        "raw_data_url": (
            reverse("diagnostics:certificate-raw", args=[certificate.uuid])
            if may_download
            else None
        ),
        "supersedes": certificate.supersedes.uuid if certificate.supersedes_id else None,
        "superseded_by": successor.uuid if successor is not None else None,
        "verify_url": reverse("diagnostics:certificate-verify", args=[certificate.uuid]),
        "events": [
            {
                "kind": event.kind,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "reason": event.reason,
                "created_at": event.created_at,
            }
            for event in certificate.events.all()
        ],
    }


def _values(data: dict) -> services.CertificateValues:
    fields = services.CertificateValues.__dataclass_fields__
    values = {name: data[name] for name in fields if name in data}
    values["safety_flags"] = tuple(data.get("safety_flags") or ())
    return services.CertificateValues(**values)


def _subject(data: dict):
    if data.get("pack") is not None:
        subject = BatteryPack.objects.filter(pk=data["pack"]).first()
        field = "pack"
    else:
        subject = ModuleLot.objects.filter(pk=data["module_lot"]).first()
        field = "module_lot"
    if subject is None:
        message = _("No such item in the catalog.")
        raise DomainError(message, fields={field: [message]})
    return subject


UUID_PATTERN = "[0-9a-fA-F-]{36}"


def _id_param(request, name: str) -> int | None:
    """A filter id from the query string; anything that cannot be an id filters nothing out
    but also cannot overflow the database."""
    raw = request.query_params.get(name, "")
    if not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if selectors.is_valid_id(value) else 0


class CertificateViewSet(viewsets.GenericViewSet):
    """SOH certificates. Diagnostics providers issue, supersede and revoke; a certificate
    cannot be edited. Listed to whoever may see it (EU Battery Regulation Annex VII:
    legitimate interest); the verify action is public."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [DecimalJSONRenderer]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = serializers.CertificateSerializer
    queryset = SohCertificate.objects.none()  # for the schema; requests use get_queryset
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def get_permissions(self):
        if self.action == "verify":
            return [AllowAny()]
        return super().get_permissions()

    def get_queryset(self):
        return (
            selectors.certificates_for_user(user=self.request.user)
            .prefetch_related("events")
            .order_by("-issued_at", "-pk")
        )

    def get_object(self):
        return selectors.certificate_get_for_user(user=self.request.user, uuid=self.kwargs["uuid"])

    def _respond(self, certificate, status_code=status.HTTP_200_OK):
        certificate = selectors.certificate_get_for_user(
            user=self.request.user, uuid=certificate.uuid
        )
        data = certificate_data(certificate, user=self.request.user)
        return Response(serializers.CertificateSerializer(data).data, status=status_code)

    @extend_schema(
        parameters=[
            OpenApiParameter("pack", int, description="Only this pack's certificates"),
            OpenApiParameter("status", str, enum=["issued", "superseded", "revoked"]),
        ]
    )
    def list(self, request):
        queryset = self.get_queryset()
        pack_id = _id_param(request, "pack")
        if pack_id is not None:
            queryset = queryset.filter(pack_id=pack_id)
        if request.query_params.get("status"):
            queryset = queryset.filter(status=request.query_params["status"])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(
            [
                serializers.CertificateSerializer(certificate_data(item, user=request.user)).data
                for item in page
            ]
        )

    def retrieve(self, request, uuid=None):
        data = certificate_data(self.get_object(), user=request.user)
        return Response(serializers.CertificateSerializer(data).data)

    @extend_schema(
        request={
            "application/json": serializers.CertificateIssueInput,
            "multipart/form-data": serializers.CertificateIssueInput,
        },
        responses={201: serializers.CertificateSerializer},
    )
    def create(self, request):
        services.ensure_certifier(user=request.user)
        body = serializers.CertificateIssueInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        certificate = services.certificate_issue(
            actor=request.user,
            registered_method_id=data["registered_method"],
            subject=_subject(data),
            values=_values(data),
            raw_data=data.get("raw_data"),
        )
        return self._respond(certificate, status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "application/json": serializers.CertificateSupersedeInput,
            "multipart/form-data": serializers.CertificateSupersedeInput,
        },
        responses={201: serializers.CertificateSerializer},
    )
    @action(detail=True, methods=["post"])
    def supersede(self, request, uuid=None):
        old = self.get_object()
        body = serializers.CertificateSupersedeInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        certificate = services.certificate_supersede(
            actor=request.user,
            certificate=old,
            registered_method_id=data["registered_method"],
            values=_values(data),
            reason=data["reason"],
            raw_data=data.get("raw_data"),
        )
        return self._respond(certificate, status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ReasonInput, responses=serializers.CertificateSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, uuid=None):
        body = serializers.ReasonInput(data=request.data)
        body.is_valid(raise_exception=True)
        certificate = services.certificate_revoke(
            actor=request.user, certificate=self.get_object(), reason=body.validated_data["reason"]
        )
        return self._respond(certificate)

    @extend_schema(request=None, responses=serializers.VerificationSerializer)
    @action(detail=True, methods=["get"])
    def verify(self, request, uuid=None):
        """Public: anyone with the link checks the stored statement against its hash."""
        certificate = selectors.certificate_get_public(uuid=uuid)
        report = selectors.certificate_verification(certificate=certificate)
        return Response(serializers.VerificationSerializer(report).data)

    @extend_schema(
        request=None,
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The printable certificate (A4) in the request's language, with "
                "the QR code of its public verification URL.",
            ),
            (503, "application/json"): OpenApiResponse(
                {"$ref": "#/components/schemas/Error"},
                description="PDFs cannot be produced on this server now (no WeasyPrint or "
                "Pango); `code` is `pdf_unavailable`.",
            ),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[PdfRenderer])
    def pdf(self, request, uuid=None):
        """The certificate as PDF, for whoever may see the certificate (not public)."""
        certificate = self.get_object()
        document = render_pdf(
            printing.CERTIFICATE_PDF_TEMPLATE,
            printing.certificate_pdf_context(request=request, certificate=certificate),
            request=request,
        )
        filename = printing.certificate_pdf_filename(certificate)
        return Response(document, headers={"Content-Disposition": f'inline; filename="{filename}"'})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(response, "exception", False) and isinstance(
            getattr(response, "accepted_renderer", None), PdfRenderer
        ):
            # An error of the pdf action (401, 404, 503) is the API's one JSON error shape.
            response.accepted_renderer = DecimalJSONRenderer()
            response.accepted_media_type = DecimalJSONRenderer.media_type
        return response


class PackAssessmentView(APIView):
    """A pack's combined estimate from its valid certificates, with the conflict flag."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [DecimalJSONRenderer]

    @extend_schema(responses=serializers.AssessmentSerializer)
    def get(self, request, pk: int):
        pack = selectors.pack_get_for_user(user=request.user, pk=pk)
        assessment = selectors.assessment_of(pack)
        names = (
            "soh_pct",
            "soh_low_pct",
            "soh_high_pct",
            "u95_pp",
            "years_to_70_pct",
            "years_to_60_pct",
            "residual_value_jpy",
            "updated_at",
        )
        data = {name: getattr(assessment, name, None) for name in names}
        data.update(
            pack=pack.pk,
            certificate_count=assessment.certificate_count if assessment else 0,
            grade=assessment.grade if assessment else "",
            recommended_use=assessment.recommended_use if assessment else "",
            conflict=assessment.conflict if assessment else False,
            safety_flags=assessment.safety_flags if assessment else [],
            damaged_for_transport=assessment.damaged_for_transport if assessment else False,
            certificates=[
                item.uuid for item in selectors.certificate_history(pack).filter(status="issued")
            ],
        )
        return Response(serializers.AssessmentSerializer(data).data)


# --- Guarantees ------------------------------------------------------------------------


def guarantee_data(guarantee: ResidualValueGuarantee) -> dict:
    return serializers.GuaranteeSerializer(_guarantee_fields(guarantee)).data


def _named(organisation) -> dict | None:
    if organisation is None:
        return None
    return {"id": organisation.pk, "name": organisation.legal_name}


def _guarantee_fields(guarantee: ResidualValueGuarantee) -> dict:
    probability = guarantee.pricing.get("breach_probability")
    return {
        "id": guarantee.pk,
        "pack": guarantee.pack_id,
        "guarantor": _named(guarantee.guarantor),
        "guarantee_type": guarantee.guarantee_type,
        "term_years": guarantee.term_years,
        "term_km": guarantee.term_km,
        "guaranteed_soh_pct": guarantee.guaranteed_soh_pct,
        "guaranteed_value_jpy": guarantee.guaranteed_value_jpy,
        "fixed_payout_jpy": guarantee.fixed_payout_jpy,
        "premium_jpy": guarantee.premium_jpy,
        "expected_payout_jpy": guarantee.expected_payout_jpy,
        "breach_probability": Decimal(probability) if probability is not None else None,
        "status": guarantee.status,
        "pricing": guarantee.pricing,
        "created_at": guarantee.created_at,
        "order": guarantee.order_id,
        "beneficiary": _named(guarantee.beneficiary),
        "coverage_starts_at": guarantee.coverage_starts_at,
        "coverage_ends_on": guarantee.coverage_ends_on,
        "coverage_start_odometer_km": guarantee.coverage_start_odometer_km,
        "coverage_end_odometer_km": guarantee.coverage_end_odometer_km,
    }


def claim_data(claim: GuaranteeClaim) -> dict:
    return serializers.ClaimSerializer(
        {
            "id": claim.pk,
            "guarantee": claim.guarantee_id,
            "certificate": claim.certificate.uuid,
            "claimant": _named(claim.claimant),
            "filed_at": claim.filed_at,
            "soh_floor_pct": claim.soh_floor_pct,
            "assessed_soh_pct": claim.assessed_soh_pct,
            "is_breach": claim.is_breach,
            "payout_jpy": claim.payout_jpy,
            "status": claim.status,
            "decision": claim.decision,
            "paid_at": claim.paid_at,
            "payment_reference": claim.payment_reference,
        }
    ).data


class GuaranteeViewSet(viewsets.GenericViewSet):
    """Residual-value guarantees: dealers offer them on their own certified packs (staff for
    the platform); buyers see those on packs whose listing they can see. The platform prices
    the premium; the award attaches an offer to the order, and the buyer claims under it."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [DecimalJSONRenderer]
    serializer_class = serializers.GuaranteeSerializer
    queryset = ResidualValueGuarantee.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.guarantees_for_user(user=self.request.user)

    @extend_schema(parameters=[OpenApiParameter("pack", int, description="Only this pack")])
    def list(self, request):
        queryset = self.get_queryset()
        pack_id = _id_param(request, "pack")
        if pack_id is not None:
            queryset = queryset.filter(pack_id=pack_id)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response([guarantee_data(item) for item in page])

    def retrieve(self, request, pk=None):
        return Response(
            guarantee_data(selectors.guarantee_get_for_user(user=request.user, pk=int(pk)))
        )

    @extend_schema(
        request=serializers.GuaranteeInput, responses={201: serializers.GuaranteeSerializer}
    )
    def create(self, request):
        body = serializers.GuaranteeInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        pack = BatteryPack.objects.filter(pk=data["pack"]).first()
        if pack is None:
            message = _("No such pack in the catalog.")
            raise DomainError(message, fields={"pack": [message]})
        guarantee = services.guarantee_offer(
            actor=request.user,
            pack=pack,
            guarantee_type=data["guarantee_type"],
            term_years=data["term_years"],
            term_km=data["term_km"],
            guaranteed_soh_pct=data["guaranteed_soh_pct"],
            guaranteed_value_jpy=data["guaranteed_value_jpy"],
            fixed_payout_jpy=data["fixed_payout_jpy"],
        )
        return Response(guarantee_data(guarantee), status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=serializers.ClaimSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=serializers.ClaimInput,
        responses={201: serializers.ClaimSerializer},
        description="The buyer files a claim with a new certificate; it is decided at once.",
    )
    @action(detail=True, methods=["get", "post"])
    def claims(self, request, pk=None):
        guarantee = selectors.guarantee_get_for_user(user=request.user, pk=int(pk))
        if request.method == "GET":
            visible = selectors.claims_for_user(user=request.user).filter(guarantee=guarantee)
            return Response([claim_data(claim) for claim in visible])
        body = serializers.ClaimInput(data=request.data)
        body.is_valid(raise_exception=True)
        certificate = SohCertificate.objects.filter(uuid=body.validated_data["certificate"]).first()
        if certificate is None:
            message = _("No such certificate.")
            raise DomainError(message, fields={"certificate": [message]})
        claim = services.guarantee_claim_file(
            actor=request.user, guarantee=guarantee, certificate=certificate
        )
        return Response(claim_data(claim), status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ReasonInput, responses=serializers.GuaranteeSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        body = serializers.ReasonInput(data=request.data)
        body.is_valid(raise_exception=True)
        guarantee = services.guarantee_void(
            actor=request.user,
            guarantee=selectors.guarantee_get_for_user(user=request.user, pk=int(pk)),
            reason=body.validated_data["reason"],
        )
        return Response(guarantee_data(guarantee))


class GuaranteeClaimViewSet(viewsets.GenericViewSet):
    """Claims under guarantees: the guarantor sees those against it, the buyer its own,
    staff all; staff mark a due payout paid."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [DecimalJSONRenderer]
    serializer_class = serializers.ClaimSerializer
    queryset = GuaranteeClaim.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.claims_for_user(user=self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([claim_data(claim) for claim in page])

    def retrieve(self, request, pk=None):
        return Response(claim_data(selectors.claim_get_for_user(user=request.user, pk=int(pk))))

    @extend_schema(request=serializers.PaymentInput, responses=serializers.ClaimSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        # Find the claim first: someone who may not see it gets a 404, not a verdict on the body.
        claim = selectors.claim_get_for_user(user=request.user, pk=int(pk))
        body = serializers.PaymentInput(data=request.data)
        body.is_valid(raise_exception=True)
        claim = services.guarantee_claim_mark_paid(
            actor=request.user,
            claim=claim,
            payment_reference=body.validated_data["payment_reference"],
        )
        return Response(claim_data(claim))
