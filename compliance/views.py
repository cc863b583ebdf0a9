from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic import TemplateView

from compliance import selectors
from compliance.forms import PrecheckForm
from compliance.ruleset import get_ruleset
from compliance.services.precheck import PrecheckInputError, precheck
from marketplace.accounts.choices import Role
from marketplace.accounts.permissions import RoleRequiredMixin
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
