"""HTML front door: method catalogue, estimate form, certificates, SOH history, guarantees.

Same selectors and services as the API; a service's DomainError lands on the form, a
permission refusal is a 403 page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import TemplateView

from diagnostics import jsonio, printing, qr, selectors, services
from diagnostics.engine import diagnose, parse_request
from diagnostics.exceptions import DiagnoseInputError
from diagnostics.forms import (
    SAFETY_FLAG_LABELS,
    CertificateIssueForm,
    CertificateSupersedeForm,
    ClaimForm,
    EstimateForm,
    GuaranteeForm,
    PaymentForm,
    ReasonForm,
)
from diagnostics.labels import MEASURE_LABELS, QUALITY_LABELS
from diagnostics.plots import forecast_plot, history_plot, plot_years
from marketplace.catalog.models import BatteryPack, ModuleLot
from marketplace.core.exceptions import DomainError
from marketplace.core.forms import apply_domain_error
from marketplace.core.pdf import pdf_response

PAGE_SIZE = 25
HISTORY_FORECAST_YEARS = 10

GRADE_USE_LABELS = {
    "A": gettext_lazy("EV reuse"),
    "B1": gettext_lazy("forklifts, AGVs and small mobility"),
    "B2": gettext_lazy("stationary storage"),
    "C": gettext_lazy("backup power"),
    "R": gettext_lazy("recycling"),
}


class MethodCatalogueView(TemplateView):
    """Public: what each diagnostic method measures, how long it takes, its uncertainty."""

    template_name = "diagnostics/methods.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        catalogue = selectors.method_catalogue()
        context["version"] = catalogue["version"]
        context["methods"] = [
            {
                **method,
                "measure_labels": [
                    MEASURE_LABELS.get(measure, measure) for measure in method["measures"]["value"]
                ],
                "u95_quality_label": QUALITY_LABELS.get(method["u95_pp"]["quality"]),
            }
            for method in catalogue["methods"]
        ]
        context["sources"] = selectors.sources()
        return context


class EstimateView(LoginRequiredMixin, TemplateView):
    """Runs the engine on a GET form: a calculation with no side effects, so it can be shared."""

    template_name = "diagnostics/estimate.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = EstimateForm(self.request.GET or None)
        context["form"] = form
        if form.is_bound and form.is_valid():
            try:
                result = diagnose(
                    parse_request(form.engine_input()), metal_prices=selectors.metal_prices_on()
                )
            except DiagnoseInputError as error:
                form.add_engine_errors(error.fields or {"__all__": [error.message]})
            else:
                context.update(_result_context(result))
        return context


def _result_context(result) -> dict:
    until = plot_years(result.years_to_60_pct)
    return {
        "result": result,
        "use_label": GRADE_USE_LABELS.get(result.grade, result.recommended_use),
        "value_text": f"{result.residual_value_jpy:,}",
        "plot": forecast_plot(result.forecast.curve(until)),
        "breakdown": result.breakdown,
        "breakdown_json": jsonio.dumps(result.breakdown),
    }


# --- Certificates ----------------------------------------------------------------------


def _provider_organisation(request: HttpRequest):
    """The same gate as the service, up front, so a non-provider sees 403 and no form."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    try:
        return services.ensure_certifier(user=request.user)
    except DomainError as error:
        raise PermissionDenied(error.message) from error


@login_required
def certificate_list(request: HttpRequest) -> HttpResponse:
    """The provider's own certificates, newest first."""
    organisation = _provider_organisation(request)
    certificates = (
        selectors.certificates_for_user(user=request.user)
        .filter(provider=organisation)
        .order_by("-issued_at", "-pk")
    )
    page = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "diagnostics/certificate_list.html", {"page": page})


def _find_subject(form: CertificateIssueForm):
    data = form.cleaned_data
    if data.get("module_lot_id"):
        subject = ModuleLot.objects.filter(pk=data["module_lot_id"]).first()
        if subject is None:
            form.add_error("module_lot_id", _("No module lot with this ID."))
        return subject
    subject = BatteryPack.objects.filter(
        manufacturer__iexact=data["manufacturer"].strip(),
        serial_number__iexact=data["serial_number"].strip(),
    ).first()
    if subject is None:
        form.add_error("serial_number", _("No pack with this manufacturer and serial number."))
    return subject


@login_required
def certificate_issue(request: HttpRequest) -> HttpResponse:
    organisation = _provider_organisation(request)
    form = CertificateIssueForm(
        request.POST or None, request.FILES or None, organisation_id=organisation.pk
    )
    if request.method == "POST" and form.is_valid():
        subject = _find_subject(form)
        if subject is not None:
            try:
                certificate = services.certificate_issue(
                    actor=request.user,
                    registered_method_id=form.cleaned_data["registered_method"].pk,
                    subject=subject,
                    values=form.certificate_values(),
                    raw_data=form.cleaned_data.get("raw_data"),
                )
            except DomainError as error:
                if error.status == 403:
                    raise PermissionDenied(error.message) from error
                _apply_certificate_error(form, error)
            else:
                messages.success(request, _("Certificate issued."))
                return redirect("diagnostics:certificate-detail", certificate.uuid)
    status = 400 if form.errors else 200
    return render(
        request,
        "diagnostics/certificate_form.html",
        {"form": form, "title": _("Issue an SOH certificate")},
        status=status,
    )


def _apply_certificate_error(form, error: DomainError) -> None:
    # The service names the item "subject"; the form names it by serial number or lot ID.
    if "subject" in error.fields:
        error.fields.setdefault("__all__", []).extend(error.fields.pop("subject"))
    apply_domain_error(form, error)


def certificate_detail(request: HttpRequest, uuid) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    certificate = selectors.certificate_get_for_user(user=request.user, uuid=uuid)
    is_issuer = request.user.organisation_id == certificate.provider_id
    return render(
        request,
        "diagnostics/certificate_detail.html",
        {
            "certificate": certificate,
            "events": certificate.events.select_related("actor"),
            "may_download": selectors.may_see_raw_data(user=request.user, certificate=certificate),
            "may_change": certificate.is_valid and (is_issuer or request.user.is_staff),
            "may_supersede": certificate.is_valid and is_issuer,
            "revoke_form": ReasonForm(),
            "verification": selectors.certificate_verification(certificate=certificate),
            **_verification_qr(request, certificate),
            "flag_labels": [
                SAFETY_FLAG_LABELS.get(flag, flag) for flag in certificate.safety_flags
            ],
        },
    )


@require_safe
def certificate_pdf(request: HttpRequest, uuid) -> HttpResponse:
    """The printable certificate, for whoever may see its page (not part of the public page)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    certificate = selectors.certificate_get_for_user(user=request.user, uuid=uuid)
    return pdf_response(
        printing.CERTIFICATE_PDF_TEMPLATE,
        printing.certificate_pdf_context(request=request, certificate=certificate),
        request=request,
        filename=printing.certificate_pdf_filename(certificate),
    )


@login_required
def certificate_supersede(request: HttpRequest, uuid) -> HttpResponse:
    organisation = _provider_organisation(request)
    old = selectors.certificate_get_for_user(user=request.user, uuid=uuid)
    if old.provider_id != organisation.pk:
        raise PermissionDenied(_("Only the issuing provider can supersede a certificate."))
    form = CertificateSupersedeForm(
        request.POST or None, request.FILES or None, organisation_id=organisation.pk
    )
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.certificate_supersede(
                actor=request.user,
                certificate=old,
                registered_method_id=form.cleaned_data["registered_method"].pk,
                values=form.certificate_values(),
                reason=form.cleaned_data["reason"],
                raw_data=form.cleaned_data.get("raw_data"),
            )
        except DomainError as error:
            _apply_certificate_error(form, error)
        else:
            messages.success(request, _("Certificate superseded by a new one."))
            return redirect("diagnostics:certificate-detail", certificate.uuid)
    return render(
        request,
        "diagnostics/certificate_form.html",
        {"form": form, "title": _("Supersede certificate"), "old": old},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def certificate_revoke(request: HttpRequest, uuid) -> HttpResponse:
    certificate = selectors.certificate_get_for_user(user=request.user, uuid=uuid)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.certificate_revoke(
            actor=request.user,
            certificate=certificate,
            reason=form.cleaned_data.get("reason", ""),
        )
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied(error.message) from error
        messages.error(request, error.message)
    else:
        messages.success(request, _("Certificate revoked."))
    return redirect("diagnostics:certificate-detail", certificate.uuid)


def certificate_verify(request: HttpRequest, uuid) -> HttpResponse:
    """Public: the verifiable statement. Measurements and raw data stay private."""
    certificate = selectors.certificate_get_public(uuid=uuid)
    return render(
        request,
        "diagnostics/certificate_verify.html",
        {
            "certificate": certificate,
            "report": selectors.certificate_verification(certificate=certificate),
            **_verification_qr(request, certificate),
        },
    )


def _verification_qr(request: HttpRequest, certificate) -> dict:
    url = qr.verification_url(request, certificate)
    return {
        "verification_url": url,
        "verification_qr": qr.verification_qr_svg(url=url, title=_("Verify this certificate")),
    }


@login_required
def certificate_raw_data(request: HttpRequest, uuid) -> FileResponse:
    certificate = selectors.certificate_get_for_user(user=request.user, uuid=uuid)
    if not certificate.raw_data or not selectors.may_see_raw_data(
        user=request.user, certificate=certificate
    ):
        raise Http404
    return FileResponse(
        certificate.raw_data.open("rb"),
        content_type="text/csv",
        as_attachment=True,
        filename=certificate.raw_data_name or f"{certificate.uuid}.csv",
    )


# --- SOH history -----------------------------------------------------------------------


def pack_history(request: HttpRequest, pk: int) -> HttpResponse:
    """SOH over time with each certificate's band and the forecast (Annex VII: not public)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    pack = selectors.pack_get_for_user(user=request.user, pk=pk)
    certificates = list(selectors.certificate_history(pack))
    outcome = services.combined_diagnosis(pack)
    latest = next((item for item in reversed(certificates) if item.is_valid), None)
    forecast = None
    if outcome is not None and latest is not None:
        result, _combined = outcome
        # Beyond ten years the forecast would squeeze the measured history into one corner.
        until = min(plot_years(result.years_to_60_pct), HISTORY_FORECAST_YEARS)
        forecast = (latest.tested_on, result.forecast.curve(until))
    return render(
        request,
        "diagnostics/pack_history.html",
        {
            "pack": pack,
            "certificates": certificates,
            "assessment": selectors.assessment_of(pack),
            "plot": history_plot(certificates, forecast) if certificates else None,
        },
    )


# --- Guarantees ------------------------------------------------------------------------


@login_required
def guarantee_offer(request: HttpRequest, pk: int) -> HttpResponse:
    pack = selectors.pack_get_for_user(user=request.user, pk=pk)
    if not request.user.is_staff and pack.owner_id != request.user.organisation_id:
        raise PermissionDenied(_("You can only guarantee your own organisation's packs."))
    form = GuaranteeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.guarantee_offer(actor=request.user, pack=pack, **form.cleaned_data)
        except DomainError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from error
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Guarantee offered; buyers see it on the listing."))
            return redirect("diagnostics:pack-history", pack.pk)
    return render(
        request,
        "diagnostics/guarantee_form.html",
        {
            "form": form,
            "pack": pack,
            "assessment": selectors.assessment_of(pack),
            "guarantees": selectors.shown_guarantees(pack),
        },
        status=400 if form.errors else 200,
    )


@login_required
def guarantee_list(request: HttpRequest) -> HttpResponse:
    """Guarantees the user's organisation gives or holds (staff: all), with their claims."""
    user = request.user
    guarantees = selectors.guarantees_for_user(user=user)
    if not user.is_staff:
        organisation = user.organisation_id
        guarantees = guarantees.filter(
            Q(guarantor_id=organisation) | Q(beneficiary_id=organisation)
        )
    claims = selectors.claims_for_user(user=user)
    return render(
        request,
        "diagnostics/guarantee_list.html",
        {
            "page": Paginator(guarantees.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
                request.GET.get("page")
            ),
            "claims_against": claims.filter(
                Q(guarantee__guarantor__isnull=True)
                if user.is_staff
                else Q(guarantee__guarantor_id=user.organisation_id)
            )[:PAGE_SIZE],
            "claims_filed": claims.filter(claimant_id=user.organisation_id)[:PAGE_SIZE]
            if user.organisation_id
            else [],
        },
    )


@login_required
def guarantee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Terms, cover and claims; the buyer under an active guarantee files a claim here."""
    guarantee = selectors.guarantee_get_for_user(user=request.user, pk=pk)
    may_claim = (
        guarantee.status == "active"
        and request.user.organisation_id is not None
        and guarantee.beneficiary_id == request.user.organisation_id
    )
    form = None
    if may_claim:
        form = ClaimForm(
            request.POST or None,
            certificates=selectors.claimable_certificates(guarantee=guarantee),
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only the buyer under an active guarantee can claim."))
        if form.is_valid():
            try:
                claim = services.guarantee_claim_file(
                    actor=request.user,
                    guarantee=guarantee,
                    certificate=form.cleaned_data["certificate"],
                )
            except DomainError as error:
                if error.status == 403:
                    raise PermissionDenied(error.message) from error
                apply_domain_error(form, error)
            else:
                if claim.is_breach:
                    messages.success(request, _("The claim is upheld: a payout is due."))
                else:
                    messages.info(request, _("The certificate does not show a breach."))
                return redirect("diagnostics:claim-detail", claim.pk)
    return render(
        request,
        "diagnostics/guarantee_detail.html",
        {
            "guarantee": guarantee,
            "claims": selectors.claims_for_user(user=request.user).filter(guarantee=guarantee),
            "events": guarantee.events.select_related("actor"),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision of a claim with its numbers; staff mark a due payout paid."""
    claim = selectors.claim_get_for_user(user=request.user, pk=pk)
    form = PaymentForm(request.POST or None) if request.user.is_staff else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only platform staff can do this."))
        if form.is_valid():
            try:
                services.guarantee_claim_mark_paid(
                    actor=request.user,
                    claim=claim,
                    payment_reference=form.cleaned_data["payment_reference"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("The payout is recorded as paid."))
                return redirect("diagnostics:claim-detail", claim.pk)
    return render(
        request,
        "diagnostics/claim_detail.html",
        {
            "claim": claim,
            "guarantee": claim.guarantee,
            "events": claim.events.select_related("actor"),
            "form": form if claim.status == "payout_due" else None,
        },
        status=400 if form is not None and form.errors else 200,
    )
