"""Changes to a case after its checks ran: an officer's request for information and the
parties' answer, and a new route. Each sends the case back to checking, so the checks the
change affects run again (the run is deterministic: unaffected checks come out the same and
add no audit event, see cases._record_check_results).
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries.data import COUNTRIES

from compliance.audit import record_event
from compliance.choices import CHANGEABLE_CASE_STATUSES, CaseStatus, EventKind
from compliance.exceptions import CaseInputError
from compliance.models import CaseDocument, ShipmentCase
from compliance.services.cases import (
    _enqueue_checks,
    _lock,
    _move,
    _required_reason,
    ensure_may_decide,
    user_is_officer,
)
from marketplace.accounts.models import User
from marketplace.core.exceptions import InvalidTransition, PermissionDeniedError

_INFORMATION_REQUESTABLE = frozenset(
    {CaseStatus.AWAITING_OFFICER, CaseStatus.AWAITING_SECOND_OFFICER, CaseStatus.BLOCKED}
)


def user_is_party(*, user: User, case: ShipmentCase) -> bool:
    """A member of the seller or the buyer organisation."""
    return bool(
        user.is_authenticated
        and user.organisation_id is not None
        and user.organisation_id in (case.seller_organisation_id, case.buyer_organisation_id)
    )


def case_request_information(*, case: ShipmentCase, actor: User, reason: str) -> ShipmentCase:
    """An officer asks the parties for something (a test report, a contract); the reason is
    what the parties read. The case waits for their answer."""
    ensure_may_decide(user=actor, case=case)
    reason = _required_reason(reason)
    with transaction.atomic():
        locked = _lock(case)
        if locked.status not in _INFORMATION_REQUESTABLE:
            raise InvalidTransition(
                _("Information can be requested only while an officer reviews the case.")
            )
        _move(
            locked,
            CaseStatus.INFORMATION_REQUESTED,
            actor=actor,
            reason=reason,
            updates={
                "information_request": reason,
                # The answer may change the checks: any first approval is void.
                "first_approved_by": None,
                "first_approved_at": None,
                "first_approval_reason": "",
            },
            details={"decision": "request_information"},
        )
    return locked


def case_respond(
    *,
    case: ShipmentCase,
    actor: User,
    comment: str,
    document: CaseDocument | None = None,
    upload: UploadedFile | None = None,
) -> ShipmentCase:
    """A party answers the officer's request: a comment, optionally a file for a checklist
    document (an officer still ticks it received). The case goes back to checking."""
    if not user_is_party(user=actor, case=case) or user_is_officer(actor):
        raise PermissionDeniedError(
            _("Only the seller or the buyer organisation answers a request for information.")
        )
    comment = (comment or "").strip()
    if not comment:
        raise CaseInputError(
            _("Write your answer."), fields={"comment": [_("This field is required.")]}
        )
    if upload is not None and document is None:
        raise CaseInputError(
            _("Choose the checklist document the file is for."),
            fields={"document": [_("Choose a document for the file.")]},
        )
    content_type = _checked_upload(upload) if upload is not None else ""
    with transaction.atomic():
        locked = _lock(case)
        if locked.status != CaseStatus.INFORMATION_REQUESTED:
            raise InvalidTransition(_("No information is requested on this case."))
        details: dict = {"response_to": locked.information_request}
        if document is not None:
            current = CaseDocument.objects.select_for_update().get(pk=document.pk, case=locked)
            if upload is not None:
                current.file.save(upload.name, upload, save=False)
                current.original_name = upload.name[:255]
                current.content_type = content_type
                current.size_bytes = upload.size
                current.save()
            details.update(document=current.code, file=current.original_name)
            record_event(
                case=locked,
                kind=EventKind.DOCUMENT,
                from_status="received" if current.received else "missing",
                to_status="uploaded" if upload is not None else "commented",
                actor=actor,
                reason=current.code
                + (f" ({current.original_name})" if current.original_name else ""),
            )
        record_event(
            case=locked,
            kind=EventKind.INFORMATION,
            from_status="requested",
            to_status="answered",
            actor=actor,
            reason=comment,
            details=details,
        )
        _move(
            locked,
            CaseStatus.CHECKING,
            actor=actor,
            reason=_("The parties answered the request for information."),
            updates={"information_request": ""},
        )
        _enqueue_checks(locked.pk)
    return locked


def _checked_upload(upload: UploadedFile) -> str:
    # The catalogue's rules for documents (type by content, 10 MB) are ours as well.
    from marketplace.catalog.choices import AttachmentKind
    from marketplace.catalog.uploads import check_upload

    return check_upload(kind=AttachmentKind.OTHER_DOCUMENT, upload=upload) or ""


def case_change_transit(
    *, case: ShipmentCase, actor: User, transit: list[str], reason: str
) -> ShipmentCase:
    """A new route: the officer or the buyer (who books the freight) names the transit
    countries. Consents for new transit countries appear when the checks run again."""
    if not (user_is_officer(actor) or actor.organisation_id == case.buyer_organisation_id):
        raise PermissionDeniedError(
            _("Only the buyer organisation, compliance officers or staff may change the route.")
        )
    if user_is_officer(actor):
        ensure_may_decide(user=actor, case=case)
    reason = _required_reason(reason)
    codes = list(dict.fromkeys(str(code).strip().upper() for code in transit if str(code).strip()))
    bad = [code for code in codes if code not in COUNTRIES]
    if bad:
        raise CaseInputError(
            _("Not ISO 3166-1 alpha-2 country codes: %(codes)s.") % {"codes": ", ".join(bad)},
            fields={"transit": [_("Enter ISO 3166-1 alpha-2 country codes.")]},
        )
    with transaction.atomic():
        locked = _lock(case)
        if locked.status not in CHANGEABLE_CASE_STATUSES:
            raise InvalidTransition(
                _("The route can be changed only before the officer's final decision.")
            )
        new_transit = [
            code for code in codes if code not in (locked.origin.code, locked.destination.code)
        ]
        if new_transit == list(locked.transit):
            return locked
        record_event(
            case=locked,
            kind=EventKind.ROUTE,
            from_status=" ".join(locked.transit),
            to_status=" ".join(new_transit),
            actor=actor,
            reason=reason,
        )
        ShipmentCase.objects.filter(pk=locked.pk).update(
            transit=new_transit, updated_at=timezone.now()
        )
        locked.transit = new_transit
        _move(locked, CaseStatus.CHECKING, actor=actor, reason=reason)
        _enqueue_checks(locked.pk)
    return locked
