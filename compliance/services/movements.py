"""After approval: the movement (shipment left, receipt confirmed, recovery confirmed), the
legal deadlines it starts, consent validity, and the alerts the beat sweep raises.

Deadlines are rule data (deadlines.yaml, each with its source): receipt confirmed within
3 working days of receipt, recovery completed within 1 year of receipt and confirmed within
30 days of completion (Basel Art 6(9), EU WSR Art 16; S14, S18), consents valid for the
window the authority grants (default consent_validity_default). Every movement, expiry and
alert is an audit event.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.audit import record_event
from compliance.choices import (
    CLOSED_CASE_STATUSES,
    CONSENT_GRANTED_STATUSES,
    AlertKind,
    CaseStatus,
    ConsentStatus,
    EventKind,
    MovementKind,
)
from compliance.exceptions import CaseInputError
from compliance.models import CaseAlert, ConsentRequest, ShipmentCase
from compliance.ruleset.model import Deadline
from compliance.services.cases import _rules, ensure_may_decide, user_is_officer
from compliance.services.deadlines import add_deadline
from marketplace.accounts.models import User
from marketplace.core.exceptions import InvalidTransition, PermissionDeniedError

logger = logging.getLogger(__name__)


def _evidence(deadline: Deadline, due_on: datetime.date) -> dict[str, Any]:
    return {
        "deadline": deadline.id,
        "days": deadline.days,
        "unit": deadline.unit,
        "due_on": due_on.isoformat(),
        "source": list(deadline.source),
        "confidence": deadline.confidence,
    }


# --- Movement events ------------------------------------------------------------------

# Who may report what besides officers: the seller ships, the buyer receives and recovers.
_PARTY_FOR = {
    MovementKind.SHIPMENT_LEFT: "seller_organisation_id",
    MovementKind.RECEIPT_CONFIRMED: "buyer_organisation_id",
    MovementKind.RECOVERY_CONFIRMED: "buyer_organisation_id",
}


def _ensure_may_report(user: User, case: ShipmentCase, kind: str) -> None:
    if user_is_officer(user):
        ensure_may_decide(user=user, case=case)
        return
    if user.organisation_id is None or user.organisation_id != getattr(case, _PARTY_FOR[kind]):
        raise PermissionDeniedError(
            _("Only officers, or the organisation that did it, record this movement.")
        )


def movement_record(
    *,
    case: ShipmentCase,
    actor: User,
    kind: str,
    occurred_on: datetime.date,
    note: str = "",
    today: datetime.date | None = None,
) -> ShipmentCase:
    """Record one movement event (once each, in order) and the deadline it starts.

    `occurred_on` is when it happened: the day the goods left, were received, or their
    recovery was completed.
    """
    if kind not in MovementKind.values:
        raise CaseInputError(
            _("Choose a valid movement."), fields={"kind": [_("Choose a valid movement.")]}
        )
    _ensure_may_report(actor, case, kind)
    today = today or timezone.localdate()
    if occurred_on > today:
        raise CaseInputError(
            _("The date cannot be in the future."),
            fields={"occurred_on": [_("Not in the future.")]},
        )
    ruleset = _rules()
    with transaction.atomic():
        locked = ShipmentCase.objects.select_for_update().get(pk=case.pk)
        if locked.status != CaseStatus.APPROVED:
            raise InvalidTransition(_("Only an approved case's goods may move."))
        updates, details = _movement_updates(locked, kind, occurred_on, today, ruleset)
        ShipmentCase.objects.filter(pk=locked.pk).update(**updates, updated_at=timezone.now())
        for name, value in updates.items():
            setattr(locked, name, value)
        record_event(
            case=locked,
            kind=EventKind.MOVEMENT,
            to_status=kind,
            actor=actor,
            reason=note,
            details={"occurred_on": occurred_on.isoformat(), **details},
        )
    return locked


def _movement_updates(
    case: ShipmentCase, kind: str, occurred_on: datetime.date, today: datetime.date, ruleset
) -> tuple[dict[str, Any], dict[str, Any]]:
    deadlines = ruleset.deadlines
    if kind == MovementKind.SHIPMENT_LEFT:
        if case.shipment_left_on is not None:
            raise InvalidTransition(_("The shipment's departure is already recorded."))
        invalid = [
            consent for consent in case.consents.all() if not consent.is_granted_on(occurred_on)
        ]
        if invalid:
            raise InvalidTransition(
                _("No valid consent of %(countries)s on the day the goods left.")
                % {"countries": ", ".join(f"{c.country.code} ({c.role})" for c in invalid)}
            )
        deadline = deadlines["receipt_expected_after_shipment"]
        due = add_deadline(occurred_on, deadline)
        # The movement must be completed while the consents are valid.
        ends = [c.valid_until for c in case.consents.all() if c.valid_until is not None]
        if ends and min(ends) < due:
            due = min(ends)
        return (
            {"shipment_left_on": occurred_on, "receipt_due_on": due},
            {"receipt_due": _evidence(deadline, due)},
        )
    if kind == MovementKind.RECEIPT_CONFIRMED:
        if case.shipment_left_on is None:
            raise InvalidTransition(_("Record the shipment's departure first."))
        if case.received_on is not None:
            raise InvalidTransition(_("The receipt is already confirmed."))
        if occurred_on < case.shipment_left_on:
            raise CaseInputError(
                _("The goods cannot arrive before they left."),
                fields={"occurred_on": [_("On or after the departure date.")]},
            )
        confirmation = deadlines["receipt_confirmation"]
        confirm_by = add_deadline(occurred_on, confirmation)
        recovery = deadlines["recovery_completion_after_receipt"]
        recovery_due = add_deadline(occurred_on, recovery)
        return (
            {"received_on": occurred_on, "recovery_due_on": recovery_due},
            {
                "confirmation": _evidence(confirmation, confirm_by),
                "confirmed_late": today > confirm_by,
                "recovery_due": _evidence(recovery, recovery_due),
            },
        )
    if case.received_on is None:
        raise InvalidTransition(_("Confirm the receipt first."))
    if case.recovered_on is not None:
        raise InvalidTransition(_("The recovery is already confirmed."))
    if occurred_on < case.received_on:
        raise CaseInputError(
            _("Recovery cannot be completed before the goods were received."),
            fields={"occurred_on": [_("On or after the receipt date.")]},
        )
    confirmation = deadlines["recovery_confirmation_after_completion"]
    confirm_by = add_deadline(occurred_on, confirmation)
    return (
        {"recovered_on": occurred_on},
        {
            "confirmation": _evidence(confirmation, confirm_by),
            "confirmed_late": today > confirm_by
            or (case.recovery_due_on is not None and occurred_on > case.recovery_due_on),
        },
    )


# --- Beat: consent expiry and alerts ----------------------------------------------------


def consents_expire_due(*, today: datetime.date | None = None, limit: int = 100) -> int:
    """Mark granted consents past their validity window expired; returns how many were
    looked at (a full batch means more may remain)."""
    today = today or timezone.localdate()
    due = list(
        ConsentRequest.objects.filter(status__in=CONSENT_GRANTED_STATUSES, valid_until__lt=today)
        .order_by("valid_until", "pk")
        .values_list("pk", "case_id", "status", "valid_until")[:limit]
    )
    for consent_id, case_id, status, valid_until in due:
        with transaction.atomic():
            claimed = ConsentRequest.objects.filter(pk=consent_id, status=status).update(
                status=ConsentStatus.EXPIRED, updated_at=timezone.now()
            )
            if claimed:
                record_event(
                    case_id=case_id,
                    kind=EventKind.CONSENT,
                    from_status=status,
                    to_status=ConsentStatus.EXPIRED,
                    reason=_("Consent validity ended on %(date)s.")
                    % {"date": valid_until.isoformat()},
                    details={"consent": consent_id, "valid_until": valid_until.isoformat()},
                )
    return len(due)


def _raise_alert(
    *, case_id: int, kind: str, subject: str, due_on: datetime.date, message: str
) -> bool:
    """Idempotent: the unique constraint keeps one alert per deadline."""
    try:
        with transaction.atomic():
            CaseAlert.objects.create(
                case_id=case_id, kind=kind, subject=subject, due_on=due_on, message=message
            )
            record_event(
                case_id=case_id,
                kind=EventKind.ALERT,
                to_status=kind,
                reason=message,
                details={"subject": subject, "due_on": due_on.isoformat()},
            )
    except IntegrityError:
        return False
    logger.warning("compliance alert: case %s %s due %s", case_id, kind, due_on)
    return True


def alerts_raise_due(*, today: datetime.date | None = None, limit: int = 100) -> int:
    """Alert officers before a consent a live movement relies on expires, and when a
    receipt or recovery confirmation is overdue. Returns how many alerts were new."""
    today = today or timezone.localdate()
    ruleset = _rules()
    lead = ruleset.deadlines["consent_expiry_alert_lead"]
    horizon = add_deadline(today, lead)
    raised = 0
    expiring = (
        ConsentRequest.objects.filter(
            status__in=CONSENT_GRANTED_STATUSES,
            valid_until__gte=today,
            valid_until__lte=horizon,
            case__recovered_on__isnull=True,
        )
        .exclude(case__status__in=CLOSED_CASE_STATUSES)
        .order_by("valid_until", "pk")[:limit]
    )
    for consent in expiring:
        raised += _raise_alert(
            case_id=consent.case_id,
            kind=AlertKind.CONSENT_EXPIRING,
            subject=f"consent:{consent.pk}",
            due_on=consent.valid_until,
            message=_("The consent of %(country)s (%(role)s) expires on %(date)s.")
            % {
                "country": consent.country.code,
                "role": consent.get_role_display(),
                "date": consent.valid_until.isoformat(),
            },
        )
    receipts = ShipmentCase.objects.filter(
        shipment_left_on__isnull=False, received_on__isnull=True, receipt_due_on__lt=today
    ).order_by("receipt_due_on", "pk")[:limit]
    for case in receipts:
        raised += _raise_alert(
            case_id=case.pk,
            kind=AlertKind.RECEIPT_OVERDUE,
            subject="",
            due_on=case.receipt_due_on,
            message=_("The goods left on %(left)s; receipt was due by %(due)s.")
            % {"left": case.shipment_left_on.isoformat(), "due": case.receipt_due_on.isoformat()},
        )
    recoveries = ShipmentCase.objects.filter(
        received_on__isnull=False, recovered_on__isnull=True, recovery_due_on__lt=today
    ).order_by("recovery_due_on", "pk")[:limit]
    for case in recoveries:
        raised += _raise_alert(
            case_id=case.pk,
            kind=AlertKind.RECOVERY_OVERDUE,
            subject="",
            due_on=case.recovery_due_on,
            message=_("Received on %(received)s; recovery was to be confirmed by %(due)s.")
            % {"received": case.received_on.isoformat(), "due": case.recovery_due_on.isoformat()},
        )
    return raised
