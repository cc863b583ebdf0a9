from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.accounts import forms, selectors, services
from marketplace.accounts.choices import Role, VerificationStatus
from marketplace.accounts.models import Organisation
from marketplace.core import ratelimit
from marketplace.core.exceptions import DomainError
from marketplace.core.forms import apply_domain_error
from marketplace.core.selectors import heartbeat_latest

PERMIT_WARNING_DAYS = 60


def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = forms.SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _organisation, user = services.organisation_sign_up(**form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome. Platform staff will verify your organisation before it can trade."),
            )
            return redirect("dashboard")
    return render(request, "accounts/sign_up.html", {"form": form})


def _dashboard_context(request: HttpRequest) -> dict:
    user = request.user
    today = timezone.localdate()
    context: dict = {"today": today}
    if user.organisation_id:
        organisation = user.organisation
        permits = list(organisation.permits.all())
        context.update(
            organisation=organisation,
            permits=permits,
            expiring_permits=[
                p for p in permits if 0 <= (p.expires_on - today).days <= PERMIT_WARNING_DAYS
            ],
            may_buy_waste=services.organisation_may_buy_waste(organisation=organisation, on=today),
            members=selectors.members_for_user(user=user),
        )
    context["token_count"] = (
        selectors.api_tokens_for_user(user=user).filter(revoked_at__isnull=True).count()
    )
    if user.is_staff:
        context.update(
            pending_organisations=selectors.organisations_pending_verification()[:20],
            organisation_counts={
                status.label: Organisation.objects.filter(verification_status=status).count()
                for status in VerificationStatus
            },
            heartbeat=heartbeat_latest(),
        )
    return context


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    role = "staff" if request.user.is_staff else request.user.role
    known = role in {*Role.values, "staff"}
    template = f"dashboard/{role}.html" if known else "dashboard/base.html"
    return render(request, template, _dashboard_context(request))


@login_required
def organisation_detail(request: HttpRequest) -> HttpResponse:
    if request.user.organisation_id is None:
        return redirect("staff-organisations")
    organisation = selectors.organisation_get_for_user(
        user=request.user, pk=request.user.organisation_id
    )
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "members": selectors.members_for_user(user=request.user),
            "events": organisation.events.select_related("actor"),
            "can_edit": request.user.is_organisation_admin,
        },
    )


@login_required
def organisation_edit(request: HttpRequest) -> HttpResponse:
    if request.user.organisation_id is None:
        return redirect("staff-organisations")
    organisation = selectors.organisation_get_for_user(
        user=request.user, pk=request.user.organisation_id
    )
    services.ensure_organisation_admin(user=request.user, organisation=organisation)
    form = forms.OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        try:
            # Reload: ModelForm validation already wrote the new values onto the instance.
            fresh = selectors.organisation_get_for_user(user=request.user, pk=organisation.pk)
            services.organisation_update(organisation=fresh, actor=request.user, **changes)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Organisation details saved."))
            return redirect("organisation")
    return render(request, "accounts/organisation_edit.html", {"form": form})


@login_required
def permit_add(request: HttpRequest) -> HttpResponse:
    if request.user.organisation_id is None:
        return redirect("staff-organisations")
    form = forms.PermitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.permit_add(
                organisation=request.user.organisation, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Permit added."))
            return redirect("organisation")
    return render(request, "accounts/permit_form.html", {"form": form})


@login_required
@require_POST
def permit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    permit = selectors.permit_get_for_user(user=request.user, pk=pk)
    try:
        services.permit_remove(permit=permit, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Permit removed."))
    return redirect("organisation")


TOKEN_CREATION = ratelimit.Limit("token-create", 30, 60 * 60)


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = forms.ApiTokenForm(request.POST or None)
    new_key = None
    status = 200
    if request.method == "POST" and (wait := ratelimit.hit(TOKEN_CREATION, str(request.user.pk))):
        form.add_error(
            None,
            _("Too many new tokens. Try again in %(minutes)d minutes.")
            % {"minutes": max(1, wait // 60)},
        )
        status = 429
    elif request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            form = forms.ApiTokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": selectors.api_tokens_for_user(user=request.user),
            "api_docs_url": reverse("api-docs"),
        },
        status=status,
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_get_for_user(user=request.user, pk=pk)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api-tokens")


@login_required
def staff_organisations(request: HttpRequest) -> HttpResponse:
    services.ensure_staff(user=request.user)
    status = request.GET.get("status", VerificationStatus.PENDING)
    organisations = selectors.organisations_for_user(user=request.user)
    if status in VerificationStatus.values:
        organisations = organisations.filter(verification_status=status)
    return render(
        request,
        "accounts/staff_organisations.html",
        {
            "organisations": organisations.order_by("created_at"),
            "status": status,
            "statuses": VerificationStatus.choices,
        },
    )


@login_required
def staff_organisation_review(request: HttpRequest, pk: int) -> HttpResponse:
    services.ensure_staff(user=request.user)
    organisation = selectors.organisation_get_for_user(user=request.user, pk=pk)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and _decide(request, organisation, form):
        messages.success(request, _("Decision recorded for %(name)s.") % {"name": organisation})
        return redirect("staff-organisations")
    return render(
        request,
        "accounts/staff_organisation_review.html",
        {
            "organisation": organisation,
            "form": form,
            "members": organisation.members.all(),
            "events": organisation.events.select_related("actor"),
            "today": timezone.localdate(),
        },
    )


def _decide(request: HttpRequest, organisation: Organisation, form: forms.ReasonForm) -> bool:
    """Apply the reviewer's decision; False leaves the errors on the form."""
    decision = request.POST.get("decision")
    try:
        if decision == "verify":
            services.organisation_verify(organisation=organisation, actor=request.user)
        elif decision in {"reject", "suspend"}:
            if not form.is_valid():
                return False
            decide = (
                services.organisation_reject
                if decision == "reject"
                else services.organisation_suspend
            )
            decide(
                organisation=organisation, actor=request.user, reason=form.cleaned_data["reason"]
            )
        else:
            raise DomainError(_("Choose a decision and, to reject or suspend, give a reason."))
    except DomainError as error:
        apply_domain_error(form, error)
        return False
    return True
