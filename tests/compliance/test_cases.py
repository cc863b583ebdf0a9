"""Shipment cases: opening, checks, the officer's decision, consents, documents, gates."""

import datetime

import pytest

from compliance.choices import CaseStatus, CheckCode, CheckOutcome, ConsentStatus
from compliance.exceptions import ApprovalRequirementsNotMet, CaseInputError, ConflictOfInterest
from compliance.models import CaseCheck, CaseEvent, ShipmentCase
from compliance.services import cases
from compliance.services.gates import payout_allowed, shipment_cleared
from marketplace.core.exceptions import InvalidTransition, PermissionDeniedError
from tests.catalog.factories import ListingFactory
from tests.factories import OrganisationFactory

RULES_VERSION = "2026.11.24-draft.2"
TODAY = datetime.date(2026, 11, 24)
CHECK_ORDER = [
    "sanctions",
    "export_bans",
    "waste_classification",
    "regime",
    "consents",
    "documents",
    "transport",
    "counterparty_permits",
]


def open_case(listing, buyer_organisation, destination="KR", **kwargs):
    return cases.case_open(
        listing=listing, buyer_organisation=buyer_organisation, destination=destination, **kwargs
    )


@pytest.fixture
def checked_case(pack_listing, korean_buyer, django_capture_on_commit_callbacks):
    """A Japan → Korea end-of-life pack, checked by the task: awaiting an officer."""
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(pack_listing, korean_buyer.organisation)
    case.refresh_from_db()
    return case


def make_approvable(case, officer, *, today=TODAY, but_consent=None, but_document=None):
    """Grant every consent and tick every document (but the named ones); return the ids of
    the checks an officer has to acknowledge."""
    for consent in case.consents.exclude(country=but_consent):
        cases.consent_record(
            consent=consent, actor=officer, status=ConsentStatus.GRANTED, today=today
        )
    for document in case.documents.exclude(code=but_document):
        cases.document_mark(document=document, actor=officer, received=True)
    return [check.pk for check in case.checks.filter(outcome=CheckOutcome.REVIEW)]


def approve_twice(case, officer, second_officer, *, review_ids=(), today=TODAY, reason="ok"):
    """The Japan → Korea pack is high-risk (its classification rests on the inference row
    REUSE-EVIDENCE): the first approval and a second officer's confirmation."""
    cases.case_approve(
        case=case, actor=officer, reason=reason, acknowledge_check_ids=review_ids, today=today
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_SECOND_OFFICER
    return cases.case_approve(case=case, actor=second_officer, reason=reason, today=today)


# --- Opening and checks ---------------------------------------------------------------


def test_cross_border_case_runs_checks_in_the_task_and_awaits_an_officer(
    pack_listing, korean_buyer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = open_case(pack_listing, korean_buyer.organisation)

    assert len(callbacks) == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_OFFICER
    assert case.origin.code == "JP"
    assert case.destination.code == "KR"
    assert case.material == "end_of_life_pack"
    assert case.regime == "oecd_amber"
    assert case.rules_version == RULES_VERSION
    checks = list(case.checks.all())
    assert [check.code for check in checks] == CHECK_ORDER
    assert {check.rules_version for check in checks} == {RULES_VERSION}
    assert {check.outcome for check in checks} <= {CheckOutcome.PASS, CheckOutcome.REVIEW}
    regime = case.checks.get(code=CheckCode.REGIME)
    assert regime.rule_ids == ["REGIME-OECD-AMBER"]
    assert regime.confidence == "secondary"
    assert regime.sources[0].startswith("S15: ")
    assert [(c.country.code, c.role, c.tacit_after_days) for c in case.consents.all()] == [
        ("JP", "export", 30),
        ("KR", "import", 30),
    ]
    assert [d.code for d in case.documents.all()] == [
        "notification_document",
        "movement_document",
        "contract_esm",
        "financial_guarantee_if_required",
        "dangerous_goods_declaration",
        "jp_meti_export_approval",
        "kr_moe_import_permit",
    ]
    assert list(
        case.events.exclude(kind="check_result").values_list("from_status", "to_status")
    ) == [
        ("", "opened"),
        ("opened", "checking"),
        ("checking", "awaiting_officer"),
    ]
    # Every check's first result is in the audit trail, with its rules version.
    results = case.events.filter(kind="check_result")
    assert [event.details["check"] for event in results] == CHECK_ORDER
    assert {event.details["rules_version"] for event in results} == {RULES_VERSION}
    assert case.risk_level == "high"
    assert case.risk_reasons == ["inference:REUSE-EVIDENCE"]


def test_opening_enqueues_the_checks_only_on_commit(
    pack_listing, korean_buyer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = open_case(pack_listing, korean_buyer.organisation)

    assert len(callbacks) == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.OPENED
    assert case.checks.count() == 0


def test_opening_twice_returns_the_live_case(pack_listing, korean_buyer):
    first = open_case(pack_listing, korean_buyer.organisation)

    second = open_case(pack_listing, korean_buyer.organisation, destination="kr")

    assert second.pk == first.pk
    assert ShipmentCase.objects.count() == 1
    assert CaseEvent.objects.count() == 1


def test_a_rejected_case_makes_room_for_a_new_one(checked_case, officer, korean_buyer):
    cases.case_reject(case=checked_case, actor=officer, reason="Importer permit lapsed")

    reopened = open_case(checked_case.listing, korean_buyer.organisation)

    assert reopened.pk != checked_case.pk
    assert ShipmentCase.objects.filter(status=CaseStatus.OPENED).count() == 1


def test_domestic_movement_opens_no_case(pack_listing, buyer):
    with pytest.raises(CaseInputError) as raised:
        open_case(pack_listing, buyer.organisation, destination="JP")

    assert list(raised.value.fields) == ["destination"]
    assert ShipmentCase.objects.count() == 0


def test_bad_input_names_every_field(seller, korean_buyer):
    draft = ListingFactory(seller=seller.organisation, created_by=seller, status="draft")

    with pytest.raises(CaseInputError) as raised:
        cases.case_open(
            listing=draft,
            buyer_organisation=korean_buyer.organisation,
            destination="XX",
            transit=["ZZ"],
        )

    assert sorted(raised.value.fields) == ["destination", "listing", "transit"]
    assert ShipmentCase.objects.count() == 0


def test_an_outsider_cannot_open_a_case_for_another_buyer(pack_listing, korean_buyer, outsider):
    with pytest.raises(PermissionDeniedError):
        open_case(pack_listing, korean_buyer.organisation, actor=outsider)

    assert ShipmentCase.objects.count() == 0


def test_prohibited_destination_blocks_the_case_and_it_cannot_be_approved(
    pack_listing, officer, django_capture_on_commit_callbacks
):
    chinese = OrganisationFactory(legal_name="Shenzhen Metals", country="CN")
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(pack_listing, chinese, destination="CN")
    case.refresh_from_db()

    assert case.status == CaseStatus.BLOCKED
    assert case.regime == "prohibited"
    bans = case.checks.get(code=CheckCode.EXPORT_BANS)
    assert bans.outcome == CheckOutcome.FAIL
    assert bans.rule_ids == ["CN-IMPORT-WASTE-PACKS", "BAN-AMENDMENT-GENERIC"]
    assert case.checks.get(code=CheckCode.REGIME).outcome == CheckOutcome.FAIL

    with pytest.raises(InvalidTransition):
        cases.case_approve(case=case, actor=officer, reason="looks fine", today=TODAY)

    case.refresh_from_db()
    assert case.status == CaseStatus.BLOCKED
    assert case.decided_by is None
    assert case.events.filter(actor=officer).count() == 0
    assert shipment_cleared(listing=pack_listing, buyer_organisation=chinese) is False


def test_a_blocked_case_may_be_rejected(pack_listing, officer, django_capture_on_commit_callbacks):
    chinese = OrganisationFactory(legal_name="Shenzhen Metals", country="CN")
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(pack_listing, chinese, destination="CN")
    case.refresh_from_db()

    cases.case_reject(case=case, actor=officer, reason="China bans waste imports")

    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED
    assert case.decision_reason == "China bans waste imports"
    assert case.events.last().reason == "China bans waste imports"


def test_rerunning_checks_is_idempotent(checked_case, officer, django_capture_on_commit_callbacks):
    before = list(checked_case.checks.values_list("code", "outcome", "rule_ids", "rules_version"))
    consent_ids = list(checked_case.consents.values_list("pk", flat=True))
    document_ids = list(checked_case.documents.values_list("pk", flat=True))

    # Running the service on a case already checked does nothing.
    cases.case_run_checks(case=checked_case)
    assert checked_case.checks.count() == 8
    assert checked_case.events.count() == 3 + 8  # three transitions, eight check results

    with django_capture_on_commit_callbacks(execute=True):
        cases.case_request_recheck(case=checked_case, actor=officer, reason="new evidence")
    checked_case.refresh_from_db()

    assert checked_case.status == CaseStatus.AWAITING_OFFICER
    after = list(checked_case.checks.values_list("code", "outcome", "rule_ids", "rules_version"))
    assert after == before
    assert CaseCheck.objects.count() == 8
    assert list(checked_case.consents.values_list("pk", flat=True)) == consent_ids
    assert list(checked_case.documents.values_list("pk", flat=True)) == document_ids


def test_a_decided_case_is_not_checked_again(checked_case, officer):
    cases.case_reject(case=checked_case, actor=officer, reason="no")
    events = checked_case.events.count()

    result = cases.case_run_checks(case=checked_case)

    assert result.status == CaseStatus.REJECTED
    assert checked_case.events.count() == events
    assert checked_case.checks.count() == 8


# --- Approval -------------------------------------------------------------------------


def test_approval_refused_while_a_consent_is_pending(checked_case, officer):
    review_ids = make_approvable(checked_case, officer, but_consent="KR")

    with pytest.raises(ApprovalRequirementsNotMet) as raised:
        cases.case_approve(
            case=checked_case,
            actor=officer,
            reason="ok",
            acknowledge_check_ids=review_ids,
            today=TODAY,
        )

    assert raised.value.fields["__all__"] == ["Consent of KR (Import) is Requested."]
    checked_case.refresh_from_db()
    assert checked_case.status == CaseStatus.AWAITING_OFFICER
    assert checked_case.checks.filter(acknowledged_at__isnull=False).count() == 0


def test_approval_allowed_once_every_consent_is_granted(checked_case, officer, second_officer):
    review_ids = make_approvable(checked_case, officer)

    approve_twice(
        checked_case,
        officer,
        second_officer,
        review_ids=review_ids,
        reason="All consents and documents in",
    )

    checked_case.refresh_from_db()
    assert checked_case.status == CaseStatus.APPROVED
    assert checked_case.first_approved_by == officer
    assert checked_case.decided_by == second_officer
    assert checked_case.decision_reason == "All consents and documents in"
    first, last = checked_case.events.filter(kind="decision")
    assert (first.from_status, first.to_status, first.actor) == (
        "awaiting_officer",
        "awaiting_second_officer",
        officer,
    )
    assert (last.from_status, last.to_status, last.actor) == (
        "awaiting_second_officer",
        "approved",
        second_officer,
    )


def test_tacit_consent_counts_only_after_its_deadline(checked_case, officer, second_officer):
    review_ids = make_approvable(checked_case, officer, but_consent="KR")
    korea = checked_case.consents.get(country="KR")
    cases.consent_record(
        consent=korea, actor=officer, notification_sent_on=datetime.date(2026, 10, 1), today=TODAY
    )
    korea.refresh_from_db()
    assert korea.tacit_deadline == datetime.date(2026, 10, 31)

    with pytest.raises(ApprovalRequirementsNotMet):
        cases.case_approve(
            case=checked_case,
            actor=officer,
            reason="ok",
            acknowledge_check_ids=review_ids,
            today=datetime.date(2026, 10, 31),
        )
    checked_case.refresh_from_db()
    assert checked_case.status == CaseStatus.AWAITING_OFFICER

    approve_twice(
        checked_case,
        officer,
        second_officer,
        review_ids=review_ids,
        today=datetime.date(2026, 11, 1),
    )
    checked_case.refresh_from_db()
    assert checked_case.status == CaseStatus.APPROVED


def test_approval_refused_while_a_document_is_missing(checked_case, officer):
    review_ids = make_approvable(checked_case, officer, but_document="kr_moe_import_permit")

    with pytest.raises(ApprovalRequirementsNotMet) as raised:
        cases.case_approve(
            case=checked_case,
            actor=officer,
            reason="ok",
            acknowledge_check_ids=review_ids,
            today=TODAY,
        )

    assert raised.value.fields["__all__"] == [
        "Document not received: Korean MOE import permit for waste batteries; "
        "black mass declared under HS 2620."
    ]
    checked_case.refresh_from_db()
    assert checked_case.status == CaseStatus.AWAITING_OFFICER


def test_approval_refused_while_a_review_check_is_unacknowledged(checked_case, officer):
    make_approvable(checked_case, officer)
    review = list(checked_case.checks.filter(outcome=CheckOutcome.REVIEW))
    assert review  # the amber route rests on inference rows (guarantee document)

    with pytest.raises(ApprovalRequirementsNotMet):
        cases.case_approve(case=checked_case, actor=officer, reason="ok", today=TODAY)

    checked_case.refresh_from_db()
    assert checked_case.status == CaseStatus.AWAITING_OFFICER


def test_two_officers_deciding_at_once_exactly_one_wins(checked_case, officer, second_officer):
    review_ids = make_approvable(checked_case, officer)
    stale = ShipmentCase.objects.get(pk=checked_case.pk)

    cases.case_approve(
        case=checked_case,
        actor=officer,
        reason="ok",
        acknowledge_check_ids=review_ids,
        today=TODAY,
    )
    with pytest.raises(InvalidTransition):
        cases.case_reject(case=stale, actor=second_officer, reason="too late")

    checked_case.refresh_from_db()
    assert checked_case.status == CaseStatus.AWAITING_SECOND_OFFICER
    assert checked_case.first_approved_by == officer
    assert checked_case.events.filter(actor=second_officer).count() == 0


def test_a_dealer_cannot_approve(checked_case, seller, officer):
    review_ids = make_approvable(checked_case, officer)

    with pytest.raises(PermissionDeniedError):
        cases.case_approve(
            case=checked_case,
            actor=seller,
            reason="ok",
            acknowledge_check_ids=review_ids,
            today=TODAY,
        )

    checked_case.refresh_from_db()
    assert checked_case.status == CaseStatus.AWAITING_OFFICER
    assert checked_case.events.filter(actor=seller).count() == 0


def test_an_officer_of_a_party_may_not_decide(checked_case, seller):
    from tests.factories import UserFactory

    conflicted = UserFactory(role="compliance_officer", organisation=seller.organisation)

    with pytest.raises(ConflictOfInterest):
        cases.case_reject(case=checked_case, actor=conflicted, reason="competitor")

    checked_case.refresh_from_db()
    assert checked_case.status == CaseStatus.AWAITING_OFFICER


def test_reject_needs_a_reason(checked_case, officer):
    with pytest.raises(CaseInputError) as raised:
        cases.case_reject(case=checked_case, actor=officer, reason="  ")

    assert list(raised.value.fields) == ["reason"]
    checked_case.refresh_from_db()
    assert checked_case.status == CaseStatus.AWAITING_OFFICER


def test_officer_overrides_the_material_and_the_checks_run_again(
    checked_case, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_override_material(
            case=checked_case,
            actor=officer,
            material="used_pack_for_reuse",
            reason="HPPC report of 2026-11-01 seen; grade B2",
        )
    checked_case.refresh_from_db()

    assert checked_case.material == "used_pack_for_reuse"
    assert checked_case.classified_material == "end_of_life_pack"
    assert checked_case.regime == "product"
    assert checked_case.status == CaseStatus.AWAITING_OFFICER
    assert checked_case.consents.count() == 0
    classification = checked_case.checks.get(code=CheckCode.WASTE_CLASSIFICATION)
    assert classification.confidence == "officer"
    assert "HPPC report of 2026-11-01 seen; grade B2" in classification.explanation


# --- Consents -------------------------------------------------------------------------


def test_deemed_granted_is_refused_before_the_deadline(checked_case, officer):
    korea = checked_case.consents.get(country="KR")

    with pytest.raises(CaseInputError) as raised:
        cases.consent_record(
            consent=korea,
            actor=officer,
            notification_sent_on=datetime.date(2026, 11, 20),
            status=ConsentStatus.DEEMED_GRANTED,
            today=TODAY,
        )

    assert list(raised.value.fields) == ["status"]
    korea.refresh_from_db()
    assert (korea.status, korea.notification_sent_on) == (ConsentStatus.REQUESTED, None)


def test_sweep_deems_overdue_tacit_consents_granted(checked_case, officer):
    japan, korea = checked_case.consents.order_by("pk")
    cases.consent_record(
        consent=japan, actor=officer, notification_sent_on=datetime.date(2026, 10, 1), today=TODAY
    )
    cases.consent_record(
        consent=korea, actor=officer, notification_sent_on=datetime.date(2026, 11, 1), today=TODAY
    )

    handled = cases.consents_deem_granted_due(today=TODAY)

    assert handled == 1
    japan.refresh_from_db()
    korea.refresh_from_db()
    assert (japan.status, japan.decided_on) == (ConsentStatus.DEEMED_GRANTED, TODAY)
    assert korea.status == ConsentStatus.REQUESTED
    assert checked_case.events.last().to_status == ConsentStatus.DEEMED_GRANTED
    assert cases.consents_deem_granted_due(today=TODAY) == 0


def test_sweep_task_runs_a_bounded_batch(checked_case, officer):
    from compliance.tasks import sweep_consent_deadlines

    for consent in checked_case.consents.all():
        cases.consent_record(
            consent=consent, actor=officer, notification_sent_on=datetime.date(2026, 1, 5)
        )

    assert sweep_consent_deadlines.delay(batch_size=1).get() == 1
    assert checked_case.consents.filter(status=ConsentStatus.DEEMED_GRANTED).count() == 1


def test_a_refused_consent_stays_refused(checked_case, officer):
    korea = checked_case.consents.get(country="KR")
    cases.consent_record(consent=korea, actor=officer, status=ConsentStatus.REFUSED, today=TODAY)

    with pytest.raises(InvalidTransition):
        cases.consent_record(
            consent=korea, actor=officer, status=ConsentStatus.GRANTED, today=TODAY
        )

    korea.refresh_from_db()
    assert korea.status == ConsentStatus.REFUSED


# --- Gates ----------------------------------------------------------------------------


def test_domestic_lots_are_cleared(pack_listing, buyer):
    assert shipment_cleared(listing=pack_listing, buyer_organisation=buyer.organisation) is True
    assert payout_allowed(listing=pack_listing, buyer_organisation=buyer.organisation) is True


def test_cross_border_lots_are_cleared_only_once_approved(
    checked_case, officer, second_officer, korean_buyer
):
    listing, organisation = checked_case.listing, korean_buyer.organisation
    assert shipment_cleared(listing=listing, buyer_organisation=organisation) is False
    assert payout_allowed(listing=listing, buyer_organisation=organisation) is False

    review_ids = make_approvable(checked_case, officer)
    cases.case_approve(
        case=checked_case, actor=officer, reason="ok", acknowledge_check_ids=review_ids, today=TODAY
    )
    # The first of two approvals releases nothing.
    assert shipment_cleared(listing=listing, buyer_organisation=organisation) is False
    checked_case.refresh_from_db()
    cases.case_approve(case=checked_case, actor=second_officer, reason="ok", today=TODAY)

    assert shipment_cleared(listing=listing, buyer_organisation=organisation) is True
    assert payout_allowed(listing=listing, buyer_organisation=organisation) is True
