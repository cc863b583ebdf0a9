"""Reads: the active compliance rules (rules page, API) and shipment cases, permission-aware."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from compliance.choices import (
    CLOSED_CASE_STATUSES,
    DECIDABLE_CASE_STATUSES,
    CaseStatus,
    ConsentStatus,
)
from compliance.models import (
    CaseAlert,
    CaseCheck,
    CaseDocument,
    CaseEvent,
    ConsentRequest,
    ShipmentCase,
)
from compliance.ruleset import Rule, Ruleset
from compliance.services.cases import user_is_officer
from marketplace.accounts.models import User


@dataclass(frozen=True)
class RuleRow:
    kind: str
    id: str
    condition: str
    effect: str
    reason: str
    source: str
    confidence: str


def ruleset_summary(*, ruleset: Ruleset) -> dict:
    files = [{"name": name, "rows": rows} for name, rows in ruleset.file_rows.items()]
    return {
        "version": ruleset.version,
        "effective_from": ruleset.effective_from,
        "files": files,
        "total_rows": sum(rows for rows in ruleset.file_rows.values()),
    }


def ruleset_rule_rows(*, ruleset: Ruleset) -> list[RuleRow]:
    """Every pre-check rule in evaluation order, with its sources spelled out."""
    rules: list[Rule] = [
        *ruleset.blocking_rules,
        *ruleset.regime_rules,
        ruleset.fallback,
        *ruleset.overlay_rules,
    ]
    rows = []
    for rule in rules:
        if rule.kind == "block":
            effect = rule.outcome or "prohibited"
        elif rule.kind == "regime":
            effect = rule.regime or ""
        else:
            effect = ", ".join(rule.documents)
        rows.append(
            RuleRow(
                kind=rule.kind,
                id=rule.id,
                condition=rule.when_text,
                effect=effect,
                reason=rule.reason,
                source=ruleset.citation(rule.source),
                confidence=rule.confidence,
            )
        )
    return rows


# --- Shipment cases ---------------------------------------------------------------------


def _case_visibility(user: User) -> Q | None:
    """None: every case. Officers and staff see all; the parties see their own."""
    if user_is_officer(user):
        return None
    if user.organisation_id is None:
        return Q(pk__in=[])
    return Q(seller_organisation_id=user.organisation_id) | Q(
        buyer_organisation_id=user.organisation_id
    )


def cases_for_user(*, user: User, today: datetime.date | None = None) -> QuerySet[ShipmentCase]:
    """Cases the user may see, with what the queue shows: the next tacit-consent deadline
    and how many consents are past theirs without a recorded answer."""
    today = today or timezone.localdate()
    requested = Q(consents__status=ConsentStatus.REQUESTED)
    queryset = ShipmentCase.objects.select_related(
        "listing", "seller_organisation", "buyer_organisation", "decided_by", "first_approved_by"
    ).annotate(
        next_deadline=Min("consents__tacit_deadline", filter=requested),
        overdue_consents=Count(
            "consents", filter=requested & Q(consents__tacit_deadline__lt=today)
        ),
    )
    visibility = _case_visibility(user)
    return queryset if visibility is None else queryset.filter(visibility)


def case_get_for_user(*, user: User, pk: Any) -> ShipmentCase:
    """The case with its checks, consents, documents and events; 404 for everyone else."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    case = (
        cases_for_user(user=user)
        .filter(pk=pk)
        .prefetch_related(
            Prefetch("checks", queryset=CaseCheck.objects.order_by("pk")),
            "consents",
            "documents",
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
            "alerts",
        )
        .first()
    )
    if case is None:
        raise Http404
    return case


def current_checks(case: ShipmentCase) -> list[CaseCheck]:
    """The checks of the case's current rules version (older runs stay as history)."""
    return [check for check in case.checks.all() if check.rules_version == case.rules_version]


def consent_get_for_user(*, user: User, case: ShipmentCase, pk: Any) -> ConsentRequest:
    consent = next((c for c in case.consents.all() if str(c.pk) == str(pk)), None)
    if consent is None:
        raise Http404
    consent.case = case
    return consent


def document_get_for_user(*, user: User, case: ShipmentCase, pk: Any) -> CaseDocument:
    document = next((d for d in case.documents.all() if str(d.pk) == str(pk)), None)
    if document is None:
        raise Http404
    document.case = case
    return document


def officer_queue_counts(*, today: datetime.date | None = None) -> dict[str, int]:
    """Counts for the officer's dashboard panel."""
    today = today or timezone.localdate()
    by_status = dict(
        ShipmentCase.objects.filter(status__in=DECIDABLE_CASE_STATUSES)
        .values_list("status")
        .annotate(total=Count("pk"))
    )
    overdue = (
        ConsentRequest.objects.filter(status=ConsentStatus.REQUESTED, tacit_deadline__lt=today)
        .exclude(case__status__in=CLOSED_CASE_STATUSES)
        .count()
    )
    alerts = (
        CaseAlert.objects.filter(case__recovered_on__isnull=True)
        .exclude(case__status__in=CLOSED_CASE_STATUSES)
        .count()
    )
    return {
        "awaiting_officer": by_status.get(CaseStatus.AWAITING_OFFICER, 0),
        "awaiting_second_officer": by_status.get(CaseStatus.AWAITING_SECOND_OFFICER, 0),
        "blocked": by_status.get(CaseStatus.BLOCKED, 0),
        "overdue_consents": overdue,
        "alerts": alerts,
    }


def country_on_route(code: str) -> Q:
    code = code.strip().upper()
    # transit is a JSON list; `contains` on a list works on PostgreSQL, not SQLite, so the
    # text form is matched (codes are two letters, quoted in the JSON).
    return Q(origin=code) | Q(destination=code) | Q(transit__icontains=f'"{code}"')


def opened_before(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=max(days, 0))
