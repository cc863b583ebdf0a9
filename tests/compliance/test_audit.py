"""The audit trail: one hash chain over every case event, append-only, verified by
`manage.py verify_audit`."""

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from compliance import append_only
from compliance.audit import event_content, event_digest, record_event, verify_chain
from compliance.choices import CheckOutcome, ConsentStatus
from compliance.models import AuditChainHead, CaseEvent
from compliance.services import cases

TABLE = CaseEvent._meta.db_table
TRIGGER = append_only.TRIGGER


@pytest.fixture
def decided_case(pack_listing, korean_buyer, officer, django_capture_on_commit_callbacks):
    """A case opened, checked, with consents granted and documents received: a full trail."""
    with django_capture_on_commit_callbacks(execute=True):
        case = cases.case_open(
            listing=pack_listing, buyer_organisation=korean_buyer.organisation, destination="KR"
        )
    case.refresh_from_db()
    for consent in case.consents.all():
        cases.consent_record(consent=consent, actor=officer, status=ConsentStatus.GRANTED)
    for document in case.documents.all():
        cases.document_mark(document=document, actor=officer, received=True)
    review = [check.pk for check in case.checks.filter(outcome=CheckOutcome.REVIEW)]
    cases.case_approve(case=case, actor=officer, reason="ok", acknowledge_check_ids=review)
    return case


def verify() -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def tamper(sql: str, params: list) -> None:
    """What a database administrator could do: bypass the append-only trigger, write."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Replica mode skips ordinary triggers; superusers only, this transaction only.
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute(f"DROP TRIGGER {TRIGGER}")
        cursor.execute(sql.format(table=TABLE), params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def test_every_event_links_to_the_one_before(decided_case):
    events = list(CaseEvent.objects.order_by("pk"))

    # opened, checking, 7 check results, awaiting_officer, 2 consents, 7 documents,
    # acknowledgements, the first approval
    assert len(events) > 19
    assert events[0].prev_hash == ""
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    head = AuditChainHead.objects.get()
    assert (head.last_event_id, head.last_hash, head.events) == (
        events[-1].pk,
        events[-1].hash,
        len(events),
    )


def test_the_hash_covers_the_content_and_the_previous_hash(decided_case, officer):
    event = CaseEvent.objects.filter(kind="decision").get()
    content = event_content(
        case_id=decided_case.pk,
        kind="decision",
        from_status="awaiting_officer",
        to_status="awaiting_second_officer",
        actor_id=officer.pk,
        reason="ok",
        details=event.details,
        created_at=event.created_at,
    )

    assert event.hash == event_digest(content, event.prev_hash)
    assert event.hash != event_digest({**content, "reason": "OK"}, event.prev_hash)
    assert event.hash != event_digest(content, "0" * 64)


def test_verify_audit_reports_an_intact_chain(decided_case):
    count = CaseEvent.objects.count()

    assert verify() == (0, f"audit chain intact: {count} events\n", "")


def test_verify_audit_names_the_first_altered_event(decided_case):
    decision = CaseEvent.objects.get(kind="decision")

    tamper("UPDATE {table} SET reason = %s WHERE id = %s", ["approved by the boss", decision.pk])

    code, out, err = verify()
    assert (code, out) == (1, "")
    intact = CaseEvent.objects.filter(pk__lt=decision.pk).count()
    assert err == (
        f"audit chain broken after {intact} intact events: "
        f"event {decision.pk} was altered after it was recorded\n"
    )


def test_verify_audit_finds_a_deleted_event(decided_case):
    events = list(CaseEvent.objects.order_by("pk").values_list("pk", flat=True))
    removed, following = events[5], events[6]

    tamper("DELETE FROM {table} WHERE id = %s", [removed])

    code, _, err = verify()
    assert code == 1
    assert f"event {following} does not link to the event before it" in err


def test_verify_audit_finds_events_deleted_at_the_end(decided_case):
    last = CaseEvent.objects.order_by("pk").last()

    tamper("DELETE FROM {table} WHERE id = %s", [last.pk])

    code, _, err = verify()
    assert code == 1
    assert f"its head records event {last.pk} (events were deleted)" in err


def test_a_forged_replacement_with_a_recomputed_hash_still_breaks_the_next_link(decided_case):
    events = list(CaseEvent.objects.order_by("pk"))
    target, following = events[3], events[4]
    content = {**event_content(**_fields(target)), "reason": "forged"}
    forged_hash = event_digest(content, target.prev_hash)

    tamper(
        "UPDATE {table} SET reason = %s, hash = %s WHERE id = %s",
        ["forged", forged_hash, target.pk],
    )

    report = verify_chain()
    assert (report.intact, report.broken_event_id) == (False, following.pk)


def _fields(event):
    return {
        "case_id": event.case_id,
        "kind": event.kind,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor_id": event.actor_id,
        "reason": event.reason,
        "details": event.details,
        "created_at": event.created_at,
    }


def test_the_model_refuses_updates_and_deletes(decided_case):
    event = CaseEvent.objects.order_by("pk").first()
    reason = event.reason

    event.reason = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        CaseEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(PermissionError):
        CaseEvent.objects.filter(pk=event.pk).delete()

    assert CaseEvent.objects.get(pk=event.pk).reason == reason


def test_the_database_refuses_a_raw_update(decided_case):
    event = CaseEvent.objects.order_by("pk").first()

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE compliance_caseevent SET reason = 'x' WHERE id = %s", [event.pk])

    assert verify()[0] == 0


@pytest.mark.needs_postgres
def test_postgresql_refuses_a_raw_delete(decided_case):
    event = CaseEvent.objects.order_by("pk").first()

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM compliance_caseevent WHERE id = %s", [event.pk])

    assert CaseEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_cannot_fork_the_chain(pack_listing, korean_buyer):
    case = cases.case_open(
        listing=pack_listing, buyer_organisation=korean_buyer.organisation, destination="KR"
    )
    barrier = threading.Barrier(4)

    def insert(n: int) -> None:
        try:
            barrier.wait()
            for i in range(5):
                with transaction.atomic():
                    record_event(case_id=case.pk, kind="status", reason=f"thread {n} #{i}")
        finally:
            connection.close()

    threads = [threading.Thread(target=insert, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    prev_hashes = list(CaseEvent.objects.values_list("prev_hash", flat=True))
    assert len(prev_hashes) == len(set(prev_hashes))  # no two events chain onto one
    report = verify_chain()
    assert report.intact
    assert report.events == CaseEvent.objects.count()
    assert CaseEvent.objects.filter(reason__startswith="thread ").count() == 20
