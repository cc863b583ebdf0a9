"""After approval: consent validity, movement events with their legal deadlines, and the
beat sweep's expiries and alerts."""

import datetime

import pytest

from compliance.choices import AlertKind, CaseStatus, CheckOutcome, ConsentStatus
from compliance.models import CaseAlert, ConsentRequest, ShipmentCase
from compliance.ruleset.model import Deadline
from compliance.services import cases, movements
from compliance.services.deadlines import add_deadline
from compliance.tasks import sweep_consent_deadlines
from marketplace.core.exceptions import InvalidTransition, PermissionDeniedError
from tests.catalog.factories import ListingFactory

GRANTED_ON = datetime.date(2026, 11, 2)  # a Monday


def deadline(days: int, unit: str) -> Deadline:
    return Deadline(id="x", days=days, unit=unit, note="", source=("S18",), confidence="confirmed")


@pytest.mark.parametrize(
    ("start", "days", "unit", "due"),
    [
        (datetime.date(2026, 11, 20), 3, "working_days", datetime.date(2026, 11, 25)),  # Fri→Wed
        (datetime.date(2026, 11, 23), 3, "working_days", datetime.date(2026, 11, 26)),  # Mon→Thu
        (datetime.date(2026, 11, 21), 1, "working_days", datetime.date(2026, 11, 23)),  # Sat→Mon
        (datetime.date(2026, 11, 24), 365, "calendar_days", datetime.date(2027, 11, 24)),
        (datetime.date(2026, 12, 1), 30, "calendar_days", datetime.date(2026, 12, 31)),
    ],
)
def test_deadlines_count_calendar_or_working_days(start, days, unit, due):
    assert add_deadline(start, deadline(days, unit)) == due


@pytest.fixture
def approved_case(seller, korean_buyer, officer, django_capture_on_commit_callbacks):
    """An end-of-life pack to Korea (OECD amber: Japanese export and Korean import consents),
    consents granted on 2 Nov 2026 and approved by two officers that day."""
    from tests.factories import OrganisationFactory, UserFactory

    listing = ListingFactory(seller=seller.organisation, created_by=seller)
    with django_capture_on_commit_callbacks(execute=True):
        case = cases.case_open(
            listing=listing, buyer_organisation=korean_buyer.organisation, destination="KR"
        )
    case.refresh_from_db()
    for consent in case.consents.all():
        cases.consent_record(
            consent=consent,
            actor=officer,
            status=ConsentStatus.GRANTED,
            decided_on=GRANTED_ON,
            reference_number=f"{consent.country.code}-2026-0042",
            today=GRANTED_ON,
        )
    for document in case.documents.all():
        cases.document_mark(document=document, actor=officer, received=True)
    review = [check.pk for check in case.checks.filter(outcome=CheckOutcome.REVIEW)]
    case = cases.case_approve(
        case=case, actor=officer, reason="ok", acknowledge_check_ids=review, today=GRANTED_ON
    )
    other = UserFactory(
        role="compliance_officer", organisation=OrganisationFactory(legal_name="Audit")
    )
    case = cases.case_approve(case=case, actor=other, reason="agreed", today=GRANTED_ON)
    assert case.status == CaseStatus.APPROVED
    return case


def test_a_granted_consent_is_valid_for_a_year_by_default(approved_case):
    korea = approved_case.consents.get(country="KR")

    assert (korea.valid_from, korea.valid_until) == (GRANTED_ON, datetime.date(2027, 11, 2))
    assert korea.reference_number == "KR-2026-0042"
    assert korea.is_granted_on(datetime.date(2027, 11, 2)) is True
    assert korea.is_granted_on(datetime.date(2027, 11, 3)) is False
    event = approved_case.events.filter(kind="consent").first()
    assert event.details["notification_number"] == "JP-2026-0042"
    assert event.details["valid_until"] == "2027-11-02"


def test_the_authority_may_grant_a_shorter_window(pack_listing, korean_buyer, officer):
    case = cases.case_open(
        listing=pack_listing, buyer_organisation=korean_buyer.organisation, destination="KR"
    )
    cases.case_run_checks(case=case)
    korea = case.consents.get(country="KR")

    cases.consent_record(
        consent=korea,
        actor=officer,
        status=ConsentStatus.GRANTED,
        decided_on=GRANTED_ON,
        valid_until=datetime.date(2027, 3, 31),
        today=GRANTED_ON,
    )

    korea.refresh_from_db()
    assert (korea.valid_from, korea.valid_until) == (GRANTED_ON, datetime.date(2027, 3, 31))


def test_the_movement_and_its_legal_deadlines(approved_case, seller, korean_buyer):
    left = movements.movement_record(
        case=approved_case,
        actor=seller,
        kind="shipment_left",
        occurred_on=datetime.date(2026, 11, 20),
        note="MV Hakata Maru, B/L HKT-7781",
        today=datetime.date(2026, 11, 20),
    )
    # Receipt expected within 60 days (platform policy row), inside the consents' window.
    assert (left.shipment_left_on, left.receipt_due_on) == (
        datetime.date(2026, 11, 20),
        datetime.date(2027, 1, 19),
    )

    received = movements.movement_record(
        case=left,
        actor=korean_buyer,
        kind="receipt_confirmed",
        occurred_on=datetime.date(2026, 12, 4),  # a Friday
        today=datetime.date(2026, 12, 10),  # Thursday: past 3 working days (Wed 9 Dec)
    )
    assert (received.received_on, received.recovery_due_on) == (
        datetime.date(2026, 12, 4),
        datetime.date(2027, 12, 4),
    )
    receipt_event = received.events.get(kind="movement", to_status="receipt_confirmed")
    assert receipt_event.details["confirmation"]["due_on"] == "2026-12-09"
    assert receipt_event.details["confirmation"]["source"] == ["S18"]
    assert receipt_event.details["confirmed_late"] is True

    recovered = movements.movement_record(
        case=received,
        actor=korean_buyer,
        kind="recovery_confirmed",
        occurred_on=datetime.date(2027, 2, 1),
        today=datetime.date(2027, 2, 15),
    )
    assert recovered.recovered_on == datetime.date(2027, 2, 1)
    event = recovered.events.get(kind="movement", to_status="recovery_confirmed")
    assert event.details["confirmation"]["due_on"] == "2027-03-03"
    assert event.details["confirmed_late"] is False


def test_movements_happen_once_and_in_order(approved_case, seller, korean_buyer):
    with pytest.raises(InvalidTransition):
        movements.movement_record(
            case=approved_case,
            actor=korean_buyer,
            kind="receipt_confirmed",
            occurred_on=datetime.date(2026, 11, 20),
        )
    movements.movement_record(
        case=approved_case,
        actor=seller,
        kind="shipment_left",
        occurred_on=datetime.date(2026, 11, 20),
    )
    with pytest.raises(InvalidTransition):
        movements.movement_record(
            case=approved_case,
            actor=seller,
            kind="shipment_left",
            occurred_on=datetime.date(2026, 11, 21),
        )

    approved_case.refresh_from_db()
    assert approved_case.shipment_left_on == datetime.date(2026, 11, 20)
    assert approved_case.events.filter(kind="movement").count() == 1


def test_the_buyer_cannot_report_the_departure_nor_an_outsider_anything(
    approved_case, korean_buyer, outsider
):
    for actor in (korean_buyer, outsider):
        with pytest.raises(PermissionDeniedError):
            movements.movement_record(
                case=approved_case,
                actor=actor,
                kind="shipment_left",
                occurred_on=datetime.date(2026, 11, 20),
            )

    assert approved_case.events.filter(kind="movement").count() == 0


def test_goods_cannot_leave_on_an_expired_consent(approved_case, seller):
    with pytest.raises(InvalidTransition, match="No valid consent"):
        movements.movement_record(
            case=approved_case,
            actor=seller,
            kind="shipment_left",
            occurred_on=datetime.date(2027, 11, 3),
            today=datetime.date(2027, 11, 3),
        )


def test_an_unapproved_case_cannot_move(pack_listing, korean_buyer, officer, seller):
    case = cases.case_open(
        listing=pack_listing, buyer_organisation=korean_buyer.organisation, destination="KR"
    )

    with pytest.raises(InvalidTransition):
        movements.movement_record(
            case=case, actor=seller, kind="shipment_left", occurred_on=datetime.date(2026, 11, 20)
        )


# --- The beat sweep ---------------------------------------------------------------------


def test_officers_are_alerted_a_month_before_a_consent_expires(approved_case):
    assert movements.alerts_raise_due(today=datetime.date(2027, 10, 2)) == 0

    raised = movements.alerts_raise_due(today=datetime.date(2027, 10, 3))

    assert raised == 2  # the Japanese export and the Korean import consent
    alerts = list(CaseAlert.objects.values_list("kind", "due_on"))
    assert alerts == [(AlertKind.CONSENT_EXPIRING, datetime.date(2027, 11, 2))] * 2
    # Idempotent: the next run raises nothing new.
    assert movements.alerts_raise_due(today=datetime.date(2027, 10, 4)) == 0
    assert approved_case.events.filter(kind="alert").count() == 2


def test_an_overdue_receipt_and_recovery_are_alerted(approved_case, seller, korean_buyer):
    movements.movement_record(
        case=approved_case,
        actor=seller,
        kind="shipment_left",
        occurred_on=datetime.date(2026, 11, 20),
        today=datetime.date(2026, 11, 20),
    )
    assert movements.alerts_raise_due(today=datetime.date(2027, 1, 19)) == 0

    assert movements.alerts_raise_due(today=datetime.date(2027, 1, 20)) == 1
    alert = CaseAlert.objects.get()
    assert (alert.kind, alert.due_on) == (AlertKind.RECEIPT_OVERDUE, datetime.date(2027, 1, 19))

    approved_case.refresh_from_db()
    movements.movement_record(
        case=approved_case,
        actor=korean_buyer,
        kind="receipt_confirmed",
        occurred_on=datetime.date(2027, 1, 21),
        today=datetime.date(2027, 1, 21),
    )
    assert movements.alerts_raise_due(today=datetime.date(2028, 1, 21)) == 0
    assert movements.alerts_raise_due(today=datetime.date(2028, 1, 22)) == 1
    assert CaseAlert.objects.filter(kind=AlertKind.RECOVERY_OVERDUE).get().due_on == (
        datetime.date(2028, 1, 21)
    )


def test_consents_past_their_window_expire(approved_case):
    assert movements.consents_expire_due(today=datetime.date(2027, 11, 2)) == 0

    assert movements.consents_expire_due(today=datetime.date(2027, 11, 3)) == 2

    statuses = set(approved_case.consents.values_list("status", flat=True))
    assert statuses == {ConsentStatus.EXPIRED}
    expiries = approved_case.events.filter(kind="consent", to_status="expired")
    assert expiries.count() == 2
    assert movements.consents_expire_due(today=datetime.date(2027, 11, 4)) == 0


def test_the_beat_sweep_also_expires_consents_and_raises_alerts(approved_case):
    ShipmentCase.objects.filter(pk=approved_case.pk).update(
        shipment_left_on=datetime.date(2020, 1, 1), receipt_due_on=datetime.date(2020, 3, 1)
    )
    ConsentRequest.objects.filter(case=approved_case, country="JP").update(
        valid_until=datetime.date(2020, 1, 1)
    )

    assert sweep_consent_deadlines.delay().get() == 0  # no tacit consent was due

    assert CaseAlert.objects.get().kind == AlertKind.RECEIPT_OVERDUE
    assert approved_case.consents.get(country="JP").status == ConsentStatus.EXPIRED


def test_the_sweep_is_scheduled(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["consent-deadlines"]
    assert schedule == {"task": "compliance.sweep_consent_deadlines", "schedule": 15 * 60.0}
