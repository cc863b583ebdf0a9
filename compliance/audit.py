"""The compliance audit trail: one hash chain over every CaseEvent, in insert order.

Each event's `hash` is sha256 over the canonical JSON of its content and the previous
event's hash, so rewriting, deleting or re-ordering any event breaks every link after it.
`record_event` is the only way in: it locks the chain head, links, inserts and moves the head
in the caller's transaction. `verify_chain` re-computes it (`manage.py verify_audit`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from compliance.models import AuditChainHead, CaseEvent

GENESIS = ""
_HEAD_PK = 1


def event_content(
    *,
    case_id: int,
    kind: str,
    from_status: str,
    to_status: str,
    actor_id: int | None,
    reason: str,
    details: dict[str, Any],
    created_at: datetime.datetime,
) -> dict[str, Any]:
    """What the hash covers: everything an auditor reads off the row, except its own links."""
    return {
        "case": case_id,
        "kind": kind,
        "from": from_status,
        "to": to_status,
        "actor": actor_id,
        "reason": reason,
        "details": details,
        # UTC with microseconds: the same text whichever database stored it.
        "at": created_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
    }


def event_digest(content: dict[str, Any], prev_hash: str) -> str:
    canonical = json.dumps(
        {"content": content, "prev": prev_hash},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _content_of(event: CaseEvent) -> dict[str, Any]:
    return event_content(
        case_id=event.case_id,
        kind=event.kind,
        from_status=event.from_status,
        to_status=event.to_status,
        actor_id=event.actor_id,
        reason=event.reason,
        details=event.details,
        created_at=event.created_at,
    )


def record_event(
    *,
    case: Any = None,
    case_id: int | None = None,
    kind: str = "status",
    to_status: str = "",
    from_status: str = "",
    actor: Any = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> CaseEvent:
    """Append one event to the chain. Runs inside the caller's transaction (or its own):
    the head row lock is held until commit, so concurrent inserts queue instead of forking."""
    case_id = case_id if case_id is not None else case.pk
    # Round-trip the details through JSON now, so the hash covers what the database returns.
    details = json.loads(json.dumps(details or {}, default=str))
    created_at = timezone.now()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=_HEAD_PK)
        content = event_content(
            case_id=case_id,
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor.pk if actor is not None else None,
            reason=str(reason),
            details=details,
            created_at=created_at,
        )
        digest = event_digest(content, head.last_hash)
        event = CaseEvent.objects.create(
            case_id=case_id,
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            reason=str(reason),
            details=details,
            created_at=created_at,
            prev_hash=head.last_hash,
            hash=digest,
        )
        AuditChainHead.objects.filter(pk=_HEAD_PK).update(
            last_event_id=event.pk, last_hash=digest, events=head.events + 1
        )
    return event


@dataclass(frozen=True)
class ChainReport:
    events: int
    broken_event_id: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return not self.problem


def _events_in_order() -> Iterator[CaseEvent]:
    return CaseEvent.objects.order_by("pk").iterator(chunk_size=2000)


def verify_chain(events: Iterable[CaseEvent] | None = None) -> ChainReport:
    """Re-compute every link; report the first event whose content or link does not hold,
    or a chain whose end is not where the head says (events deleted at the end)."""
    previous = GENESIS
    count = 0
    last_id = None
    for event in events if events is not None else _events_in_order():
        if event.prev_hash != previous:
            return ChainReport(
                count,
                event.pk,
                f"event {event.pk} does not link to the event before it "
                "(an event was deleted, inserted or re-ordered)",
            )
        if event_digest(_content_of(event), event.prev_hash) != event.hash:
            return ChainReport(
                count, event.pk, f"event {event.pk} was altered after it was recorded"
            )
        previous = event.hash
        last_id = event.pk
        count += 1
    head = AuditChainHead.objects.filter(pk=_HEAD_PK).first()
    head_hash = head.last_hash if head is not None else GENESIS
    if head_hash != previous or (head is not None and head.last_event_id != last_id):
        return ChainReport(
            count,
            head.last_event_id if head is not None else None,
            f"the chain ends at event {last_id} but its head records event "
            f"{head.last_event_id if head is not None else None} (events were deleted)",
        )
    return ChainReport(count)
