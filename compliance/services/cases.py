"""Shipment cases: open, run the checks, decide (approve / reject / re-check / withdraw),
record consents and documents.

Every status change goes through `_move`: it refuses moves CASE_TRANSITIONS does not allow,
applies the change with a conditional update on the status the caller saw, and appends a
CaseEvent (actor, from, to, reason, time). The event rows are the audit trail.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_countries.data import COUNTRIES

from compliance.audit import record_event
from compliance.choices import (
    CASE_TRANSITIONS,
    CHANGEABLE_CASE_STATUSES,
    CLOSED_CASE_STATUSES,
    CONSENT_GRANTED_STATUSES,
    CONSENT_TRANSITIONS,
    CaseStatus,
    CheckOutcome,
    ConsentStatus,
    EventKind,
    ExtraDocument,
    Material,
    RiskLevel,
)
from compliance.exceptions import (
    ApprovalRequirementsNotMet,
    CaseInputError,
    ConflictOfInterest,
    RulesUnavailable,
    SecondOfficerRequired,
)
from compliance.labels import consent_role_label
from compliance.models import CaseCheck, CaseDocument, ConsentRequest, ShipmentCase
from compliance.ruleset import Ruleset, get_ruleset
from compliance.services.checks import build_checks, counterparty_permits_check
from compliance.services.classification import Classification, classify_listing
from compliance.services.deadlines import add_deadline
from compliance.services.precheck import PrecheckInput, precheck
from marketplace.accounts.choices import Role
from marketplace.accounts.models import Organisation, User
from marketplace.catalog.choices import (
    ASSAY_ELEMENTS,
    PUBLIC_STATUSES,
    ListingType,
    ModuleCondition,
)
from marketplace.catalog.models import Listing
from marketplace.core import outbox
from marketplace.core.exceptions import InvalidTransition, PermissionDeniedError

# Catalogue listing types → the classifier's vocabulary (materials.yaml LISTING-TYPE-MAP).
_CLASSIFIER_LISTING_TYPES = {
    ListingType.USED_EV: "used_ev",
    ListingType.BATTERY_PACK: "pack",
    ListingType.MODULE_LOT: "module",
    ListingType.BLACK_MASS: "black_mass",
}
_ORDER_REFERENCE = re.compile(r"order (\d+)")
# Cases past these states keep their consents and documents as a record; nobody edits them.
_FROZEN_STATUSES = frozenset({*CLOSED_CASE_STATUSES, CaseStatus.APPROVED})


# --- Who may act ----------------------------------------------------------------------


def user_is_officer(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.role == Role.COMPLIANCE_OFFICER))


def ensure_may_decide(*, user: User, case: ShipmentCase) -> None:
    """Officers and staff decide; never one whose own organisation is a party to the case."""
    if not user_is_officer(user):
        raise PermissionDeniedError(
            _("Only compliance officers and platform staff may act on shipment cases.")
        )
    if user.organisation_id is not None and user.organisation_id in (
        case.seller_organisation_id,
        case.buyer_organisation_id,
    ):
        raise ConflictOfInterest()


# --- Transitions ----------------------------------------------------------------------


def _move(
    case: ShipmentCase,
    to_status: str,
    *,
    actor: User | None,
    reason: str = "",
    updates: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    from_status = case.status
    if to_status not in CASE_TRANSITIONS[from_status]:
        raise InvalidTransition(
            _("A case that is %(current)s cannot become %(target)s.")
            % {
                "current": CaseStatus(from_status).label,
                "target": CaseStatus(to_status).label,
            }
        )
    fields = {"status": to_status, "updated_at": timezone.now(), **(updates or {})}
    if ShipmentCase.objects.filter(pk=case.pk, status=from_status).update(**fields) != 1:
        raise InvalidTransition()
    for name, value in fields.items():
        setattr(case, name, value)
    record_event(
        case=case,
        kind=EventKind.DECISION if details and "decision" in details else EventKind.STATUS,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason,
        details=details,
    )


def _lock(case: ShipmentCase) -> ShipmentCase:
    """The case row, locked; refused if it changed since the caller loaded it.

    Two officers may decide the same case at once: the second must see the first's decision
    instead of deciding on what it showed them.
    """
    locked = ShipmentCase.objects.select_for_update().get(pk=case.pk)
    if locked.status != case.status:
        raise InvalidTransition(
            _("The case changed while you were looking at it: it is now %(status)s.")
            % {"status": CaseStatus(locked.status).label}
        )
    return locked


def _enqueue_checks(case_id: int) -> None:
    # Through the outbox: recorded with the case, sent on commit, re-sent if the broker was
    # down, so a case never waits forever for checks nobody queued.
    outbox.enqueue("compliance.run_case_checks", case_id=case_id)


# --- Opening --------------------------------------------------------------------------


def listing_classification(
    *, listing: Listing, on: datetime.date, ruleset: Ruleset | None = None
) -> Classification:
    """The classifier's answer for what the catalogue knows about the listing.

    The functional-test evidence is the item's current SOH certificate (its test date and
    method); a safety finding on it marks the item damaged. Packaging is not known before
    the shipment, so a pack classifies as end-of-life waste (the cautious reading) until an
    officer overrides the material with a reason.
    """
    from diagnostics import selectors as diagnostics

    holder = listing.soh_holder
    certificate = diagnostics.current_certificate(holder) if holder is not None else None
    flags = []
    if listing.module_lot is not None and listing.module_lot.condition == ModuleCondition.DAMAGED:
        flags.append("damaged")
    if holder is not None and diagnostics.item_is_damaged_for_transport(holder):
        flags.append("damaged")
    return classify_listing(
        listing_type=_CLASSIFIER_LISTING_TYPES[listing.listing_type],
        soh_certificate_date=certificate.tested_on if certificate else None,
        soh_method=certificate.method_code if certificate else None,
        grade=(holder.grade or None) if holder is not None else None,
        safety_flags=flags,
        on=on,
        ruleset=ruleset,
    )


def listing_assay(listing: Listing) -> dict[str, Decimal]:
    lot = listing.black_mass_lot
    if lot is None:
        return {}
    return {
        symbol: getattr(lot, f"{suffix}_pct")
        for suffix, symbol in ASSAY_ELEMENTS.items()
        if getattr(lot, f"{suffix}_pct") is not None
    }


def order_id_from_reference(reference: str) -> int | None:
    """Trading passes `order_reference=f"order {order.pk}"`; the order's id, or None."""
    match = _ORDER_REFERENCE.fullmatch((reference or "").strip())
    return int(match.group(1)) if match else None


def _country_code(value: Any) -> str:
    return value.strip().upper() if isinstance(value, str) else ""


def _opening_errors(
    *, listing: Listing, buyer_organisation: Organisation, destination: str, transit: list[str]
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if listing.status not in PUBLIC_STATUSES:
        errors["listing"] = [_("Only a published, in-sale or sold listing can be shipped.")]
    if buyer_organisation.pk == listing.seller_id:
        errors["buyer_organisation"] = [_("The buyer cannot be the seller.")]
    if destination not in COUNTRIES:
        errors["destination"] = [_("Enter an ISO 3166-1 alpha-2 country code.")]
    elif destination == listing.country.code:
        errors["destination"] = [
            _("The lot stays in %(country)s: a domestic movement needs no shipment case.")
            % {"country": listing.country.code}
        ]
    bad_transit = [code or "''" for code in transit if code not in COUNTRIES]
    if bad_transit:
        errors["transit"] = [
            _("Not ISO 3166-1 alpha-2 country codes: %(codes)s.")
            % {"codes": ", ".join(bad_transit)}
        ]
    return errors


def case_open(
    *,
    listing: Listing,
    buyer_organisation: Organisation,
    destination: str,
    transit: Iterable[str] = (),
    actor: User | None = None,
    order_reference: str = "",
    today: datetime.date | None = None,
) -> ShipmentCase:
    """Open the shipment case of a cross-border movement, or return the live one.

    `actor` None is the system (trading after an award). A person must be an officer, staff,
    or a member of the buyer organisation. The checks run in a Celery task after commit.
    """
    if actor is not None and not (
        user_is_officer(actor) or actor.organisation_id == buyer_organisation.pk
    ):
        raise PermissionDeniedError(
            _("Only the buyer organisation, compliance officers or staff may open a case.")
        )
    destination_code = _country_code(destination)
    transit_codes = list(dict.fromkeys(_country_code(code) for code in transit))
    errors = _opening_errors(
        listing=listing,
        buyer_organisation=buyer_organisation,
        destination=destination_code,
        transit=transit_codes,
    )
    if errors:
        raise CaseInputError(next(iter(errors.values()))[0], fields=errors)

    live = _live_case(listing, buyer_organisation, destination_code)
    if live is not None:
        return live
    classification = listing_classification(
        listing=listing, on=today or timezone.localdate(), ruleset=_rules()
    )
    try:
        with transaction.atomic():
            case = ShipmentCase.objects.create(
                listing=listing,
                buyer_organisation=buyer_organisation,
                seller_organisation_id=listing.seller_id,
                origin=listing.country.code,
                destination=destination_code,
                transit=[code for code in transit_codes if code != listing.country.code],
                material=classification.material,
                classified_material=classification.material,
                order_reference=order_reference,
                order_id=order_id_from_reference(order_reference),
                opened_by=actor,
            )
            record_event(
                case=case, to_status=CaseStatus.OPENED, actor=actor, reason=order_reference
            )
    except IntegrityError:
        # Opened concurrently (trading's award hook and the buyer, say): the partial unique
        # constraint kept one; that is the case.
        live = _live_case(listing, buyer_organisation, destination_code)
        if live is None:
            raise
        return live
    _enqueue_checks(case.pk)
    return case


def _live_case(
    listing: Listing, buyer_organisation: Organisation, destination: str
) -> ShipmentCase | None:
    return (
        ShipmentCase.objects.filter(
            listing=listing, buyer_organisation=buyer_organisation, destination=destination
        )
        .exclude(status__in=CLOSED_CASE_STATUSES)
        .first()
    )


# --- Checks ---------------------------------------------------------------------------


def _rules() -> Ruleset:
    try:
        return get_ruleset()
    except OSError as error:
        # A rules file being replaced or a network volume hiccup: transient, worth a retry.
        # A malformed file (ImproperlyConfigured) is not, and stays loud.
        raise RulesUnavailable(str(error)) from error


def case_run_checks(*, case: ShipmentCase, today: datetime.date | None = None) -> ShipmentCase:
    """Run every check and move the case to awaiting_officer, or blocked on a failed check.

    Idempotent: only an opened or checking case is checked; the check rows of the current
    rules version are replaced in one transaction; consents and documents already tracked
    keep what officers recorded. A case already past checking is returned unchanged.
    """
    today = today or timezone.localdate()
    ruleset = _rules()
    with transaction.atomic():
        locked = ShipmentCase.objects.select_for_update().get(pk=case.pk)
        if locked.status not in (CaseStatus.OPENED, CaseStatus.CHECKING):
            return locked
        if locked.status == CaseStatus.OPENED:
            _move(locked, CaseStatus.CHECKING, actor=None, reason=_("Checks started."))
        listing = Listing.objects.select_related(
            "module_lot", "black_mass_lot", "pack", "vehicle"
        ).get(pk=locked.listing_id)
        result = precheck(
            PrecheckInput(
                material=locked.material,
                origin=locked.origin.code,
                destination=locked.destination.code,
                transit=tuple(locked.transit),
                on=today,
                assay=listing_assay(listing),
            ),
            ruleset=ruleset,
        )
        classification = listing_classification(listing=listing, on=today, ruleset=ruleset)
        checks = build_checks(
            result=result,
            classification=classification,
            material=locked.material,
            override_reason=locked.material_override_reason,
            ruleset=ruleset,
        )
        checks.append(_counterparty_check(locked, ruleset, today))
        previous = {check.code: check for check in locked.checks.order_by("pk")}
        CaseCheck.objects.filter(case=locked, rules_version=ruleset.version).delete()
        CaseCheck.objects.bulk_create(
            CaseCheck(
                case=locked,
                code=check.code,
                outcome=check.outcome,
                explanation=check.explanation,
                explanation_text=check.text,
                rule_ids=check.rule_ids,
                sources=check.sources,
                confidence=check.confidence,
                rules_version=ruleset.version,
            )
            for check in checks
        )
        _record_check_results(locked, checks, previous, ruleset.version)
        _sync_consents(locked, result.consents_required)
        _sync_documents(locked, result.documents, ruleset)
        risk_reasons = case_risk_reasons(material=locked.material, checks=checks, ruleset=ruleset)
        failed = [check.code for check in checks if check.outcome == CheckOutcome.FAIL]
        target = CaseStatus.BLOCKED if failed else CaseStatus.AWAITING_OFFICER
        reason = (
            _("Blocked by: %(codes)s.")
            % {"codes": ", ".join(block["code"] for block in result.blocks)}
            if failed
            else _("Checks done; an officer decides.")
        )
        _move(
            locked,
            target,
            actor=None,
            reason=reason,
            updates={
                "regime": result.regime,
                "rules_version": ruleset.version,
                "checked_at": timezone.now(),
                "risk_level": RiskLevel.HIGH if risk_reasons else RiskLevel.STANDARD,
                "risk_reasons": risk_reasons,
                # A new run is a new review: an earlier first approval no longer stands.
                "first_approved_by": None,
                "first_approved_at": None,
                "first_approval_reason": "",
            },
        )
    return locked


# Materials whose movement two officers approve, whatever the checks say: a damaged pack can
# ignite in transit (SP376), black mass is hazardous waste under Basel A1180/B1090 debates.
_HIGH_RISK_MATERIALS = {
    Material.DAMAGED_PACK: "damaged_pack",
    Material.BLACK_MASS: "black_mass",
}


def case_risk_reasons(*, material: str, checks: Iterable[Any], ruleset: Ruleset) -> list[str]:
    """Why the case needs a second officer; empty for a standard-risk case.

    A damaged pack, black mass, or any check resting on a rule row (rules.yaml, or a
    materials.yaml classification row) whose confidence is `inference`: a default no
    retrieved source confirms (regulatory.md). Data rows below the rules (an HS code, a
    document definition) lower a check's confidence and send it to review, but do not make
    the case high-risk on their own.
    """
    reasons = []
    if material in _HIGH_RISK_MATERIALS:
        reasons.append(f"material:{_HIGH_RISK_MATERIALS[material]}")
    confidence = _rule_confidences(ruleset)
    for check in checks:
        for rule_id in check.rule_ids:
            reason = f"inference:{rule_id}"
            if confidence.get(rule_id) == "inference" and reason not in reasons:
                reasons.append(reason)
    return reasons


def _rule_confidences(ruleset: Ruleset) -> dict[str, str]:
    rules = [*ruleset.blocking_rules, *ruleset.regime_rules, ruleset.fallback]
    rules += ruleset.overlay_rules
    found = {rule.id: rule.confidence for rule in rules}
    found.update({row.id: row.confidence for row in ruleset.classification.values()})
    return found


def _counterparty_check(case: ShipmentCase, ruleset: Ruleset, today: datetime.date) -> Any:
    from marketplace.accounts.choices import WASTE_BUYING_PERMITS

    material = ruleset.materials[case.material]
    permits = [
        (permit.number, permit.issuing_authority, permit.expires_on.isoformat())
        for permit in case.buyer_organisation.permits.all()
        if permit.kind in WASTE_BUYING_PERMITS and permit.is_valid_on(today)
    ]
    return counterparty_permits_check(
        material_is_waste=material.is_waste, permits=permits, material_label=material.label
    )


def _record_check_results(
    case: ShipmentCase, checks: list[Any], previous: dict[str, CaseCheck], version: str
) -> None:
    """One audit event per check whose result is new or changed since the last run (a new
    document or transit country changes only the checks it affects)."""
    for check in checks:
        before = previous.get(check.code)
        if before is not None and (before.outcome, before.explanation, before.rules_version) == (
            check.outcome,
            check.explanation,
            version,
        ):
            continue
        record_event(
            case=case,
            kind=EventKind.CHECK_RESULT,
            from_status=before.outcome if before is not None else "",
            to_status=check.outcome,
            reason=f"{check.code}: {check.explanation}",
            details={
                "check": check.code,
                "rules_version": version,
                "rule_ids": check.rule_ids,
                "sources": check.sources,
                "confidence": check.confidence,
                # The explanation as structure, for the audit trail in the reader's language.
                "explanation_text": check.text,
            },
        )


def _sync_consents(case: ShipmentCase, required: list[dict[str, Any]]) -> None:
    wanted = {(item["country"], item["role"]): item for item in required}
    existing = {(c.country.code, c.role): c for c in case.consents.all()}
    for key, item in wanted.items():
        if key not in existing:
            ConsentRequest.objects.create(
                case=case,
                country=item["country"],
                role=item["role"],
                tacit_after_days=item["tacit_after_days"],
            )
    # A consent no longer required (the route or material changed) goes, unless an officer
    # already recorded something on it.
    for key, consent in existing.items():
        untouched = consent.status == ConsentStatus.REQUESTED and not (
            consent.notification_sent_on or consent.reference_number or consent.note
        )
        if key not in wanted and untouched:
            consent.delete()


def _sync_documents(case: ShipmentCase, codes: list[str], ruleset: Ruleset) -> None:
    existing = {document.code: document for document in case.documents.all()}
    for code in codes:
        if code not in existing:
            CaseDocument.objects.create(case=case, code=code, label=ruleset.documents[code].label)
    for code, document in existing.items():
        if (
            code not in codes
            and document.required_by_rules
            and not document.received
            and not document.file
        ):
            document.delete()


# --- Decisions ------------------------------------------------------------------------


def approval_problems(*, case: ShipmentCase, today: datetime.date) -> list[str]:
    """What still stands between the case and approval; empty when it may be approved."""
    problems = []
    checks = list(case.checks.filter(rules_version=case.rules_version))
    if not checks:
        problems.append(_("The checks have not run yet."))
    for check in checks:
        if check.outcome == CheckOutcome.FAIL:
            problems.append(_("Check %(check)s failed.") % {"check": check.get_code_display()})
        elif not check.is_satisfied:
            problems.append(
                _("Check %(check)s needs an officer's acknowledgement.")
                % {"check": check.get_code_display()}
            )
    for consent in case.consents.all():
        if not consent.is_granted_on(today):
            problems.append(
                _("Consent of %(country)s (%(role)s) is %(status)s.")
                % {
                    "country": consent.country.code,
                    "role": consent.get_role_display(),
                    "status": consent.get_status_display(),
                }
            )
    for document in case.documents.all():
        if not document.received:
            # A rules document's label is an English message of the catalogue (a document an
            # officer added keeps its typed label).
            problems.append(_("Document not received: %(label)s.") % {"label": _(document.label)})
    return problems


def case_approve(
    *,
    case: ShipmentCase,
    actor: User,
    reason: str,
    acknowledge_check_ids: Iterable[int] = (),
    today: datetime.date | None = None,
) -> ShipmentCase:
    """Approve: every check passed or acknowledged, consents granted, documents received.

    A high-risk case (`risk_level` high) needs two officers: the first approval moves it to
    awaiting_second_officer; only a different officer's approval makes it approved. Either
    may reject it. Approval releases the order (payments is told through the outbox).
    """
    ensure_may_decide(user=actor, case=case)
    reason = _required_reason(reason)
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock(case)
        if locked.status == CaseStatus.BLOCKED:
            raise InvalidTransition(
                _("A blocked case cannot be approved: reject it or ask for a re-check.")
            )
        if locked.status not in (CaseStatus.AWAITING_OFFICER, CaseStatus.AWAITING_SECOND_OFFICER):
            _move(locked, CaseStatus.APPROVED, actor=actor)  # raises with the reason
        second = locked.status == CaseStatus.AWAITING_SECOND_OFFICER
        if second and locked.first_approved_by_id == actor.pk:
            raise SecondOfficerRequired()
        _acknowledge(locked, actor, acknowledge_check_ids)
        problems = approval_problems(case=locked, today=today)
        if problems:
            raise ApprovalRequirementsNotMet(
                _("The case cannot be approved yet: %(problems)s")
                % {"problems": " ".join(problems)},
                fields={"__all__": problems},
            )
        now = timezone.now()
        if locked.is_high_risk and not second:
            _move(
                locked,
                CaseStatus.AWAITING_SECOND_OFFICER,
                actor=actor,
                reason=reason,
                updates={
                    "first_approved_by": actor,
                    "first_approved_at": now,
                    "first_approval_reason": reason,
                },
                details={"decision": "approve", "risk_reasons": locked.risk_reasons},
            )
            return locked
        _move(
            locked,
            CaseStatus.APPROVED,
            actor=actor,
            reason=reason,
            updates={"decided_at": now, "decided_by": actor, "decision_reason": reason},
            details={
                "decision": "approve",
                "first_approved_by": locked.first_approved_by_id,
                "risk_level": locked.risk_level,
            },
        )
        _clearance_changed(locked)
    return locked


def _clearance_changed(case: ShipmentCase) -> None:
    """Tell payments the order's clearance changed (approved: release it; rejected or
    withdrawn: keep it on hold). Payments reads the gate (gates.shipment_cleared) itself;
    nothing but an approval makes the gate true."""
    if case.order_id is not None:
        outbox.enqueue("payments.order_clearance_changed", order_id=case.order_id)


def _acknowledge(case: ShipmentCase, actor: User, check_ids: Iterable[int]) -> None:
    ids = sorted(set(check_ids))
    if not ids:
        return
    checks = list(CaseCheck.objects.filter(case=case, pk__in=ids, rules_version=case.rules_version))
    if len(checks) != len(ids):
        raise CaseInputError(
            _("Acknowledge only checks of this case's current run."),
            fields={"acknowledge": [_("Unknown check.")]},
        )
    for check in checks:
        if check.outcome == CheckOutcome.FAIL:
            raise CaseInputError(
                _("A failed check cannot be acknowledged."),
                fields={"acknowledge": [_("A failed check cannot be acknowledged.")]},
            )
        if check.outcome != CheckOutcome.REVIEW or check.acknowledged_at is not None:
            continue
        CaseCheck.objects.filter(pk=check.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=actor
        )
        record_event(
            case=case,
            kind=EventKind.CHECK,
            from_status=CheckOutcome.REVIEW,
            to_status="acknowledged",
            actor=actor,
            reason=check.code,
        )


def case_acknowledge_checks(
    *, case: ShipmentCase, actor: User, check_ids: Iterable[int]
) -> ShipmentCase:
    """An officer has reviewed these review-outcome checks and accepts them."""
    ensure_may_decide(user=actor, case=case)
    with transaction.atomic():
        locked = _lock(case)
        if locked.status != CaseStatus.AWAITING_OFFICER:
            raise InvalidTransition(_("Only a case awaiting an officer has checks to acknowledge."))
        _acknowledge(locked, actor, check_ids)
    return locked


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CaseInputError(_("Give a reason."), fields={"reason": [_("This field is required.")]})
    return reason


def case_reject(*, case: ShipmentCase, actor: User, reason: str) -> ShipmentCase:
    """Reject; ends the case (also one awaiting its second officer). The order stays on hold."""
    ensure_may_decide(user=actor, case=case)
    reason = _required_reason(reason)
    with transaction.atomic():
        locked = _lock(case)
        _move(
            locked,
            CaseStatus.REJECTED,
            actor=actor,
            reason=reason,
            updates={"decided_at": timezone.now(), "decided_by": actor, "decision_reason": reason},
            details={"decision": "reject", "first_approved_by": locked.first_approved_by_id},
        )
        _clearance_changed(locked)
    return locked


def case_request_recheck(*, case: ShipmentCase, actor: User, reason: str = "") -> ShipmentCase:
    """Back to checking (new rules, a corrected listing); the checks run again after commit."""
    ensure_may_decide(user=actor, case=case)
    with transaction.atomic():
        locked = _lock(case)
        _move(locked, CaseStatus.CHECKING, actor=actor, reason=reason)
        _enqueue_checks(locked.pk)
    return locked


def case_withdraw(*, case: ShipmentCase, actor: User, reason: str) -> ShipmentCase:
    ensure_may_decide(user=actor, case=case)
    reason = _required_reason(reason)
    with transaction.atomic():
        locked = _lock(case)
        was_approved = locked.status == CaseStatus.APPROVED
        _move(locked, CaseStatus.WITHDRAWN, actor=actor, reason=reason)
        if was_approved:
            _clearance_changed(locked)
    return locked


def case_override_material(
    *, case: ShipmentCase, actor: User, material: str, reason: str
) -> ShipmentCase:
    """The officer knows better than the classifier (e.g. reuse evidence seen on paper).

    The checks run again for the new material.
    """
    ensure_may_decide(user=actor, case=case)
    reason = _required_reason(reason)
    if material not in Material.values:
        raise CaseInputError(
            _("Choose a valid material."), fields={"material": [_("Choose a valid material.")]}
        )
    with transaction.atomic():
        locked = _lock(case)
        if locked.status not in CHANGEABLE_CASE_STATUSES:
            raise InvalidTransition(
                _("The material can be changed only while the case awaits an officer.")
            )
        record_event(
            case=locked,
            kind=EventKind.MATERIAL,
            from_status=locked.material,
            to_status=material,
            actor=actor,
            reason=reason,
        )
        ShipmentCase.objects.filter(pk=locked.pk).update(
            material=material, material_override_reason=reason
        )
        locked.material, locked.material_override_reason = material, reason
        _move(locked, CaseStatus.CHECKING, actor=actor, reason=reason)
        _enqueue_checks(locked.pk)
    return locked


# --- Consents and documents -----------------------------------------------------------

_UNSET: Any = object()


def _ensure_case_open_for_records(case: ShipmentCase) -> None:
    if case.status in _FROZEN_STATUSES:
        raise InvalidTransition(
            _("The case is %(status)s: its consents and documents are a closed record.")
            % {"status": CaseStatus(case.status).label}
        )


def consent_record(
    *,
    consent: ConsentRequest,
    actor: User,
    status: str | None = None,
    notification_sent_on: datetime.date | None = _UNSET,
    decided_on: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    reference_number: str | None = None,
    note: str | None = None,
    today: datetime.date | None = None,
) -> ConsentRequest:
    """Record what an authority did: the notification date (which starts the tacit-consent
    clock), a written grant or refusal, or a tacit grant once the deadline has passed."""
    today = today or timezone.localdate()
    ensure_may_decide(user=actor, case=consent.case)
    with transaction.atomic():
        current = (
            ConsentRequest.objects.select_for_update().select_related("case").get(pk=consent.pk)
        )
        _ensure_case_open_for_records(current.case)
        updates: dict[str, Any] = {}
        from_status = current.status
        if notification_sent_on is not _UNSET and notification_sent_on != (
            current.notification_sent_on
        ):
            if current.status != ConsentStatus.REQUESTED:
                raise InvalidTransition(_("The consent is decided; its notification date stays."))
            if notification_sent_on is not None and notification_sent_on > today:
                raise CaseInputError(
                    _("The notification date cannot be in the future."),
                    fields={"notification_sent_on": [_("Not in the future.")]},
                )
            updates["notification_sent_on"] = notification_sent_on
            updates["tacit_deadline"] = _tacit_deadline(
                notification_sent_on, current.tacit_after_days
            )
        if status is not None and status != current.status:
            if status not in CONSENT_TRANSITIONS.get(current.status, frozenset()):
                raise InvalidTransition(
                    _("A consent that is %(current)s cannot become %(target)s.")
                    % {
                        "current": ConsentStatus(current.status).label,
                        "target": ConsentStatus(status).label
                        if status in ConsentStatus.values
                        else status,
                    }
                )
            if status == ConsentStatus.DEEMED_GRANTED:
                deadline = updates.get("tacit_deadline", current.tacit_deadline)
                if deadline is None or today <= deadline:
                    raise CaseInputError(
                        _("Consent is deemed granted only after its tacit-consent deadline."),
                        fields={"status": [_("The tacit-consent deadline has not passed.")]},
                    )
            if decided_on is not None and decided_on > today:
                raise CaseInputError(
                    _("The decision date cannot be in the future."),
                    fields={"decided_on": [_("Not in the future.")]},
                )
            updates["status"] = status
            updates["decided_on"] = decided_on or today
            if status in CONSENT_GRANTED_STATUSES:
                updates.update(_validity(updates["decided_on"], valid_until))
        if reference_number is not None:
            updates["reference_number"] = reference_number
        if note is not None:
            updates["note"] = note
        if not updates:
            return current
        updated = ConsentRequest.objects.filter(pk=current.pk, status=from_status).update(
            **updates, updated_at=timezone.now()
        )
        if updated != 1:
            raise InvalidTransition()
        for name, value in updates.items():
            setattr(current, name, value)
        record_event(
            case=current.case,
            kind=EventKind.CONSENT,
            from_status=from_status,
            to_status=current.status,
            actor=actor,
            reason=_consent_summary(current),
            details={
                "consent": current.pk,
                "country": current.country.code,
                "role": current.role,
                "notification_number": current.reference_number,
                "valid_from": current.valid_from,
                "valid_until": current.valid_until,
            },
        )
    return current


def consent_validity_until(valid_from: datetime.date) -> datetime.date:
    """The end of a consent's validity when the authority's decision names none."""
    return add_deadline(valid_from, _rules().deadlines["consent_validity_default"])


def _validity(valid_from: datetime.date, valid_until: datetime.date | None) -> dict[str, Any]:
    if valid_until is not None and valid_until < valid_from:
        raise CaseInputError(
            _("The consent cannot end before it was granted."),
            fields={"valid_until": [_("On or after the decision date.")]},
        )
    return {
        "valid_from": valid_from,
        "valid_until": valid_until or consent_validity_until(valid_from),
    }


def _tacit_deadline(sent_on: datetime.date | None, days: int | None) -> datetime.date | None:
    if sent_on is None or days is None:
        return None
    return sent_on + datetime.timedelta(days=days)


def _consent_summary(consent: ConsentRequest) -> str:
    parts = [f"{consent.country.code} {consent_role_label(consent.role)}"]
    if consent.notification_sent_on:
        parts.append(_("notified %(date)s") % {"date": consent.notification_sent_on.isoformat()})
    if consent.reference_number:
        parts.append(_("notification no. %(ref)s") % {"ref": consent.reference_number})
    if consent.valid_until:
        parts.append(_("valid until %(date)s") % {"date": consent.valid_until.isoformat()})
    if consent.note:
        parts.append(consent.note)
    return "; ".join(parts)


def consents_deem_granted_due(*, today: datetime.date | None = None, limit: int = 100) -> int:
    """Mark up to `limit` requested consents whose tacit deadline has passed as deemed
    granted. Returns how many were looked at (a full batch means more may remain)."""
    today = today or timezone.localdate()
    due = list(
        ConsentRequest.objects.filter(status=ConsentStatus.REQUESTED, tacit_deadline__lt=today)
        .exclude(case__status__in=CLOSED_CASE_STATUSES)
        .order_by("tacit_deadline", "pk")
        .values_list("pk", "case_id")[:limit]
    )
    for consent_id, case_id in due:
        with transaction.atomic():
            # Conditional: an officer may have recorded a decision since the query.
            claimed = ConsentRequest.objects.filter(
                pk=consent_id, status=ConsentStatus.REQUESTED
            ).update(
                status=ConsentStatus.DEEMED_GRANTED,
                decided_on=today,
                **_validity(today, None),
                updated_at=timezone.now(),
            )
            if claimed:
                record_event(
                    case_id=case_id,
                    kind=EventKind.CONSENT,
                    from_status=ConsentStatus.REQUESTED,
                    to_status=ConsentStatus.DEEMED_GRANTED,
                    reason=_("Tacit-consent deadline passed without objection."),
                )
    return len(due)


def document_mark(
    *,
    document: CaseDocument,
    actor: User,
    received: bool,
    upload: UploadedFile | None = None,
    note: str | None = None,
) -> CaseDocument:
    """Tick (or untick) a document as received, optionally with the file (PDF/PNG/JPEG)."""
    # The catalogue's rules for documents (type by content, 10 MB) are ours as well.
    from marketplace.catalog.choices import AttachmentKind
    from marketplace.catalog.uploads import check_upload

    ensure_may_decide(user=actor, case=document.case)
    content_type = (
        check_upload(kind=AttachmentKind.OTHER_DOCUMENT, upload=upload) if upload else None
    )
    with transaction.atomic():
        current = (
            CaseDocument.objects.select_for_update().select_related("case").get(pk=document.pk)
        )
        _ensure_case_open_for_records(current.case)
        was_received = current.received
        current.received = received
        current.received_at = timezone.now() if received else None
        current.received_by = actor if received else None
        if note is not None:
            current.note = note
        if upload is not None:
            current.file.save(upload.name, upload, save=False)
            current.original_name = upload.name[:255]
            current.content_type = content_type or ""
            current.size_bytes = upload.size
        current.save()
        record_event(
            case=current.case,
            kind=EventKind.DOCUMENT,
            from_status="received" if was_received else "missing",
            to_status="received" if received else "missing",
            actor=actor,
            reason=current.code + (f" ({current.original_name})" if current.original_name else ""),
        )
    return current


def document_add(*, case: ShipmentCase, actor: User, kind: str, label: str = "") -> CaseDocument:
    """Add a document to the checklist (an SDS, a UN38.3 summary, ...); approval then waits
    for it like for the documents the rules require."""
    ensure_may_decide(user=actor, case=case)
    if kind not in ExtraDocument.values:
        raise CaseInputError(
            _("Choose a valid document."), fields={"kind": [_("Choose a valid document.")]}
        )
    label = (label or "").strip() or str(ExtraDocument(kind).label)
    code = kind if kind != ExtraDocument.OTHER else f"other_{slugify(label)[:40] or 'document'}"
    with transaction.atomic():
        locked = ShipmentCase.objects.select_for_update().get(pk=case.pk)
        _ensure_case_open_for_records(locked)
        if locked.documents.filter(code=code).exists():
            raise CaseInputError(
                _("This document is already on the checklist."),
                fields={"kind": [_("This document is already on the checklist.")]},
            )
        document = CaseDocument.objects.create(
            case=locked, code=code, label=label[:255], required_by_rules=False
        )
        record_event(
            case=locked,
            kind=EventKind.DOCUMENT,
            to_status="missing",
            actor=actor,
            reason=_("Added to the checklist: %(label)s") % {"label": document.label},
        )
    return document
