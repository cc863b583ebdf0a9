import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from compliance import selectors
from compliance.forms import (
    CaseDecisionForm,
    CaseFilterForm,
    CaseRespondForm,
    ConsentForm,
    DocumentAddForm,
    DocumentForm,
    MaterialOverrideForm,
    MovementForm,
    PrecheckForm,
)
from compliance.models import ShipmentCase
from compliance.ruleset import get_ruleset
from compliance.services import case_changes, movements
from compliance.services import cases as case_services
from compliance.services.precheck import PrecheckInputError, precheck
from marketplace.accounts.choices import Role
from marketplace.accounts.permissions import RoleRequiredMixin
from marketplace.core.exceptions import DomainError
from marketplace.core.forms import apply_domain_error


@login_required
def precheck_page(request: HttpRequest) -> HttpResponse:
    """The pre-check as a form. GET, so a result can be bookmarked and shared."""
    ruleset = get_ruleset()
    form = PrecheckForm(request.GET if "material" in request.GET else None)
    result = None
    request_input = None
    if form.is_bound and form.is_valid():
        try:
            request_input = form.precheck_input()
        except PrecheckInputError as error:
            apply_domain_error(form, error)
        else:
            result = precheck(request_input, ruleset=ruleset)
    documents = [ruleset.documents[code] for code in result.documents] if result is not None else []
    return render(
        request,
        "compliance/precheck.html",
        {
            "form": form,
            "result": result,
            "request_input": request_input,
            "documents": documents,
            "rules_version": ruleset.version,
        },
    )


class RulesView(RoleRequiredMixin, TemplateView):
    """The active rules with their sources and confidence, for officers and staff."""

    allowed_roles = frozenset({Role.COMPLIANCE_OFFICER})
    template_name = "compliance/rules.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ruleset = get_ruleset()
        context.update(
            summary=selectors.ruleset_summary(ruleset=ruleset),
            rules=selectors.ruleset_rule_rows(ruleset=ruleset),
            country_sets=[
                {"set": row, "members": sorted(row.members), "source": ruleset.citation(row.source)}
                for row in ruleset.country_sets.values()
            ],
            deadlines=[
                {"row": row, "source": ruleset.citation(row.source)}
                for row in ruleset.deadlines.values()
            ],
            materials=[
                {
                    "material": material,
                    "transport": [
                        {"row": entry, "source": ruleset.citation(entry.source)}
                        for entry in material.transport
                    ],
                    "codes": [
                        {"row": code, "source": ruleset.citation(code.source)}
                        for code in material.codes
                    ],
                }
                for material in ruleset.materials.values()
            ],
            sources=list(ruleset.sources.values()),
        )
        return context


# --- Shipment cases ---------------------------------------------------------------------


def _deadline_iso(deadline: datetime.date | None) -> str:
    """The moment a tacit consent is deemed: the end of its deadline day, local time."""
    if deadline is None:
        return ""
    end = datetime.datetime.combine(deadline + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(end).isoformat()


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The officer's queue (every case); the parties' list of their own cases."""
    form = CaseFilterForm(request.GET or None)
    queryset = selectors.cases_for_user(user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["destination"]:
            queryset = queryset.filter(destination=data["destination"])
        if data["material"]:
            queryset = queryset.filter(material=data["material"])
        if data["risk_level"]:
            queryset = queryset.filter(risk_level=data["risk_level"])
        if data["country"]:
            queryset = queryset.filter(selectors.country_on_route(data["country"]))
        if data["older_than_days"] is not None:
            queryset = queryset.filter(
                created_at__lte=selectors.opened_before(data["older_than_days"])
            )
    # The queue reads oldest first: the longest-waiting case is decided first.
    rows = list(queryset.order_by("created_at", "pk")[:200])
    for row in rows:
        row.deadline_iso = _deadline_iso(row.next_deadline)
    return render(
        request,
        "compliance/case_list.html",
        {
            "form": form,
            "cases": rows,
            "is_officer": case_services.user_is_officer(request.user),
            "counts": selectors.officer_queue_counts()
            if case_services.user_is_officer(request.user)
            else None,
        },
    )


def _may_act(user, case: ShipmentCase) -> bool:
    try:
        case_services.ensure_may_decide(user=user, case=case)
    except DomainError:
        return False
    return True


def _render_case(
    request: HttpRequest, case: ShipmentCase, *, status: int = 200, **forms_in_error
) -> HttpResponse:
    today = timezone.localdate()
    checks = selectors.current_checks(case)
    review_checks = [
        check for check in checks if check.outcome == "review" and check.acknowledged_at is None
    ]
    may_act = _may_act(request.user, case)
    consents = []
    for consent in case.consents.all():
        form = forms_in_error.get(f"consent_{consent.pk}") or ConsentForm(
            initial={
                "status": consent.status,
                "notification_sent_on": consent.notification_sent_on,
                "decided_on": consent.decided_on,
                "valid_until": consent.valid_until,
                "reference_number": consent.reference_number,
                "note": consent.note,
            },
            prefix=f"consent-{consent.pk}",
        )
        consents.append(
            {
                "consent": consent,
                "form": form,
                "deadline_iso": _deadline_iso(consent.tacit_deadline),
                "granted": consent.is_granted_on(today),
                "overdue": consent.status == "requested"
                and consent.tacit_deadline is not None
                and consent.tacit_deadline < today,
            }
        )
    documents = [
        {
            "document": document,
            "form": forms_in_error.get(f"document_{document.pk}")
            or DocumentForm(
                initial={"received": document.received, "note": document.note},
                prefix=f"document-{document.pk}",
            ),
        }
        for document in case.documents.all()
    ]
    is_party = case_changes.user_is_party(user=request.user, case=case)
    context = {
        "case": case,
        "is_party": is_party,
        "respond_form": forms_in_error.get("respond")
        or CaseRespondForm(documents=case.documents.all()),
        "movement_form": forms_in_error.get("movement") or MovementForm(),
        "may_record_movement": case.status == "approved" and (may_act or is_party),
        "alerts": list(case.alerts.all()),
        "checks": checks,
        "consents": consents,
        "documents": documents,
        "events": list(case.events.all()),
        "may_act": may_act,
        "decision_form": forms_in_error.get("decision")
        or CaseDecisionForm(review_checks=review_checks),
        "document_add_form": forms_in_error.get("document_add") or DocumentAddForm(),
        "material_form": forms_in_error.get("material")
        or MaterialOverrideForm(initial={"material": case.material}),
        "problems": case_services.approval_problems(case=case, today=today)
        if case.status == "awaiting_officer"
        else [],
    }
    return render(request, "compliance/case_detail.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, selectors.case_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def case_decide(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    case_services.ensure_may_decide(user=request.user, case=case)
    review_checks = [
        check
        for check in selectors.current_checks(case)
        if check.outcome == "review" and check.acknowledged_at is None
    ]
    form = CaseDecisionForm(request.POST, review_checks=review_checks)
    if form.is_valid():
        decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
        try:
            if decision == CaseDecisionForm.APPROVE:
                approved = case_services.case_approve(
                    case=case,
                    actor=request.user,
                    reason=reason,
                    acknowledge_check_ids=form.acknowledged_ids(),
                )
                if approved.status == "approved":
                    messages.success(request, _("Case approved."))
                else:
                    messages.success(
                        request, _("First approval recorded; a second officer must confirm it.")
                    )
            elif decision == CaseDecisionForm.REJECT:
                case_services.case_reject(case=case, actor=request.user, reason=reason)
                messages.success(request, _("Case rejected."))
            elif decision == CaseDecisionForm.REQUEST_INFORMATION:
                case_changes.case_request_information(case=case, actor=request.user, reason=reason)
                messages.success(request, _("The parties were asked for information."))
            else:
                case_services.case_request_recheck(case=case, actor=request.user, reason=reason)
                messages.success(request, _("The checks are running again."))
        except DomainError as error:
            if error.status == 403:
                raise
            apply_domain_error(form, error)
        else:
            return redirect("compliance:case-detail", pk=case.pk)
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    return _render_case(request, case, status=400, decision=form)


@login_required
@require_POST
def case_material(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    case_services.ensure_may_decide(user=request.user, case=case)
    form = MaterialOverrideForm(request.POST)
    if form.is_valid():
        try:
            case_services.case_override_material(
                case=case,
                actor=request.user,
                material=form.cleaned_data["material"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            if error.status == 403:
                raise
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Material changed; the checks are running again."))
            return redirect("compliance:case-detail", pk=case.pk)
    return _render_case(request, case, status=400, material=form)


@login_required
@require_POST
def consent_update(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    consent = selectors.consent_get_for_user(user=request.user, case=case, pk=consent_pk)
    case_services.ensure_may_decide(user=request.user, case=case)
    form = ConsentForm(request.POST, prefix=f"consent-{consent.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            case_services.consent_record(
                consent=consent,
                actor=request.user,
                status=data["status"],
                notification_sent_on=data["notification_sent_on"],
                decided_on=data["decided_on"],
                valid_until=data["valid_until"],
                reference_number=data["reference_number"],
                note=data["note"],
            )
        except DomainError as error:
            if error.status == 403:
                raise
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("compliance:case-detail", pk=case.pk)
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    return _render_case(request, case, status=400, **{f"consent_{consent.pk}": form})


@login_required
@require_POST
def document_update(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    document = selectors.document_get_for_user(user=request.user, case=case, pk=document_pk)
    case_services.ensure_may_decide(user=request.user, case=case)
    form = DocumentForm(request.POST, request.FILES, prefix=f"document-{document.pk}")
    if form.is_valid():
        try:
            case_services.document_mark(
                document=document,
                actor=request.user,
                received=form.cleaned_data["received"],
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            if error.status == 403:
                raise
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Document updated."))
            return redirect("compliance:case-detail", pk=case.pk)
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    return _render_case(request, case, status=400, **{f"document_{document.pk}": form})


@login_required
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    case_services.ensure_may_decide(user=request.user, case=case)
    form = DocumentAddForm(request.POST)
    if form.is_valid():
        try:
            case_services.document_add(
                case=case,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                label=form.cleaned_data["label"],
            )
        except DomainError as error:
            if error.status == 403:
                raise
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Document added to the checklist."))
            return redirect("compliance:case-detail", pk=case.pk)
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    return _render_case(request, case, status=400, document_add=form)


@login_required
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """Never a public media URL: only those who may see the case get its documents."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    document = selectors.document_get_for_user(user=request.user, case=case, pk=document_pk)
    if not document.file:
        raise Http404
    return FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=document.content_type == "application/pdf",
        filename=document.original_name,
    )


@login_required
@require_POST
def case_respond(request: HttpRequest, pk: int) -> HttpResponse:
    """The seller or buyer answers the officer's request for information."""
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    form = CaseRespondForm(request.POST, request.FILES, documents=case.documents.all())
    if form.is_valid():
        data = form.cleaned_data
        document = (
            selectors.document_get_for_user(user=request.user, case=case, pk=data["document"])
            if data["document"]
            else None
        )
        try:
            case_changes.case_respond(
                case=case,
                actor=request.user,
                comment=data["comment"],
                document=document,
                upload=data["file"],
            )
        except DomainError as error:
            if error.status == 403:
                raise
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Answer sent; the checks are running again."))
            return redirect("compliance:case-detail", pk=case.pk)
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    return _render_case(request, case, status=400, respond=form)


@login_required
@require_POST
def case_movement(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    form = MovementForm(request.POST)
    if form.is_valid():
        try:
            movements.movement_record(case=case, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            if error.status == 403:
                raise
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Movement recorded."))
            return redirect("compliance:case-detail", pk=case.pk)
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    return _render_case(request, case, status=400, movement=form)
