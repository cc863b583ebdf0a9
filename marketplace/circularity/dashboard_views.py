"""Outflow dashboard (public and staff), CSV downloads, the organisation's circularity page
and the staff page of the domestic-first policy. Same services as the API."""

import csv
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from marketplace.accounts.services import ensure_staff
from marketplace.circularity import reference
from marketplace.circularity.charts import build_stacked_bars
from marketplace.circularity.forms import DomesticFirstPolicyForm, OutflowFilterForm
from marketplace.circularity.services import outflow, policy, score
from marketplace.circularity.services.outflow import PUBLIC, STAFF, OutflowReport
from marketplace.circularity.services.outflow_csv import csv_rows
from marketplace.core.exceptions import DomainError
from marketplace.core.forms import apply_domain_error
from marketplace.trading.choices import OrderStatus
from marketplace.trading.selectors import orders_for_user


def _charts(report: OutflowReport) -> list:
    """kWh stayed vs exported and sales by outcome, oldest month first; suppressed or
    hidden month totals are left out of the public charts."""
    months = [
        row for row in reversed(report.months) if row.total_shown and not row.total.suppressed
    ]
    kwh = build_stacked_bars(
        title=_("Capacity sold: stayed in the country and exported"),
        unit="kWh",
        series=(("domestic", _("stayed")), ("exported", _("exported"))),
        columns=[
            (row.month.strftime("%Y-%m"), (row.total.kwh_domestic, row.total.kwh_exported))
            for row in months
        ],
    )
    outcomes = build_stacked_bars(
        title=_("Completed sales by outcome"),
        unit=_("sales"),
        series=(
            ("reuse", _("reuse in the country")),
            ("recycling", _("recycling in the country")),
            ("exported", _("exported")),
        ),
        columns=[
            (
                row.month.strftime("%Y-%m"),
                tuple(
                    Decimal(n)
                    for n in (
                        row.total.sales_reuse,
                        row.total.sales_recycling,
                        row.total.sales_exported,
                    )
                ),
            )
            for row in months
        ],
    )
    return [kwh, outcomes]


def _report(request: HttpRequest, audience: str) -> tuple[OutflowFilterForm, Any]:
    form = OutflowFilterForm(request.GET or None)
    try:
        filters = outflow.outflow_filters(request.GET)
    except DomainError as error:
        form.is_valid()
        apply_domain_error(form, error)
        return form, None
    return form, outflow.outflow_report(filters=filters, audience=audience)


def _dashboard(request: HttpRequest, audience: str) -> HttpResponse:
    form, report = _report(request, audience)
    context = {
        "form": form,
        "report": report,
        "charts": _charts(report) if report else [],
        "audience": audience,
        "reference": reference.reference(),
        "csv_query": report.filters.as_query() if report else {},
        "domestic_first": policy.domestic_first_current(),
    }
    status = 400 if report is None else 200
    return render(request, "circularity/outflow.html", context, status=status)


def _csv(request: HttpRequest, audience: str) -> HttpResponse:
    filters = outflow.outflow_filters(request.GET)  # a bad month is a 400 (DomainError)
    report = outflow.outflow_report(filters=filters, audience=audience)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = "outflow-staff.csv" if audience == STAFF else "outflow.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    for row in csv_rows(report):
        writer.writerow(row)
    return response


def outflow_dashboard(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, PUBLIC)


def outflow_csv(request: HttpRequest) -> HttpResponse:
    return _csv(request, PUBLIC)


@login_required
def staff_outflow_dashboard(request: HttpRequest) -> HttpResponse:
    ensure_staff(user=request.user)
    return _dashboard(request, STAFF)


@login_required
def staff_outflow_csv(request: HttpRequest) -> HttpResponse:
    ensure_staff(user=request.user)
    return _csv(request, STAFF)


@login_required
def organisation_circularity(request: HttpRequest) -> HttpResponse:
    """The signed-in member's organisation: what it bought and kept in use, sale by sale."""
    if request.user.organisation_id is None:
        return redirect("circularity:staff-outflow")
    summary = score.organisation_circularity(organisation_id=request.user.organisation_id)
    purchases = list(
        orders_for_user(user=request.user)
        .filter(buyer_organisation_id=request.user.organisation_id)
        .exclude(status=OrderStatus.CANCELLED)
        .select_related("listing__pack", "listing__module_lot", "listing__black_mass_lot")[:100]
    )
    return render(
        request,
        "circularity/organisation.html",
        {
            "summary": summary,
            "purchases": list(zip(purchases, outflow.figures_of(purchases), strict=True)),
            "reference": reference.reference(),
        },
    )


@login_required
def domestic_first_policy(request: HttpRequest) -> HttpResponse:
    """Staff: the rule in force per listing type, a form for a new version, the history."""
    ensure_staff(user=request.user)
    form = DomesticFirstPolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            policy.policy_record(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("New domestic-first policy version recorded."))
            return redirect("circularity:domestic-first-policy")
    return render(
        request,
        "circularity/domestic_first_policy.html",
        {
            "form": form,
            "current": policy.domestic_first_current(),
            "history": policy.policy_history()[:200],
        },
        status=400 if form.errors else 200,
    )
