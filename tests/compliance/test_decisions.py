"""The officer's decisions: two officers for high-risk cases, requests for information, the
order's release through the outbox, and the queue's risk filter."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance.choices import CaseStatus, CheckOutcome, ConsentStatus, RiskLevel
from compliance.exceptions import CaseInputError, ConflictOfInterest, SecondOfficerRequired
from compliance.models import ShipmentCase
from compliance.services import case_changes, cases
from compliance.services.gates import shipment_cleared
from marketplace.accounts.choices import Role
from marketplace.core.exceptions import InvalidTransition, PermissionDeniedError
from marketplace.core.models import OutboxTask
from tests.catalog.factories import ListingFactory
from tests.factories import UserFactory

TODAY = datetime.date(2026, 11, 24)
CLEARANCE_TASK = "payments.order_clearance_changed"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def open_checked(listing, buyer_organisation, capture, *, order_reference="order 41", **kwargs):
    with capture(execute=True):
        case = cases.case_open(
            listing=listing,
            buyer_organisation=buyer_organisation,
            destination="KR",
            order_reference=order_reference,
            **kwargs,
        )
    case.refresh_from_db()
    return case


def make_approvable(case, officer):
    for consent in case.consents.all():
        cases.consent_record(
            consent=consent, actor=officer, status=ConsentStatus.GRANTED, today=TODAY
        )
    for document in case.documents.all():
        cases.document_mark(document=document, actor=officer, received=True)
    return [check.pk for check in case.checks.filter(outcome=CheckOutcome.REVIEW)]


def clearance_rows():
    return list(
        OutboxTask.objects.filter(task_name=CLEARANCE_TASK).values_list("kwargs", flat=True)
    )


@pytest.fixture
def pack_case(pack_listing, korean_buyer, django_capture_on_commit_callbacks):
    """Japan → Korea end-of-life pack for order 41: high-risk (REUSE-EVIDENCE is inference)."""
    return open_checked(pack_listing, korean_buyer.organisation, django_capture_on_commit_callbacks)


@pytest.fixture
def ev_case(seller, korean_buyer, django_capture_on_commit_callbacks):
    """A used EV to Korea for order 42: a product, no inference rule, standard risk."""
    listing = ListingFactory(
        seller=seller.organisation, created_by=seller, vehicle_listing=True, title="Leaf"
    )
    return open_checked(
        listing,
        korean_buyer.organisation,
        django_capture_on_commit_callbacks,
        order_reference="order 42",
    )


# --- Risk -----------------------------------------------------------------------------


def test_the_risk_level_is_stored_with_its_reasons(pack_case, ev_case):
    assert (pack_case.risk_level, pack_case.risk_reasons) == (
        RiskLevel.HIGH,
        ["inference:REUSE-EVIDENCE"],
    )
    assert (ev_case.risk_level, ev_case.risk_reasons) == (RiskLevel.STANDARD, [])
    assert (pack_case.order_id, ev_case.order_id) == (41, 42)


def test_black_mass_and_damaged_packs_are_high_risk(seller, korean_buyer, capture_callbacks):
    black_mass = ListingFactory(
        seller=seller.organisation, created_by=seller, black_mass_listing=True
    )
    damaged = ListingFactory(seller=seller.organisation, created_by=seller, module_listing=True)
    damaged.module_lot.condition = "damaged"
    damaged.module_lot.save()

    black_mass_case = open_checked(black_mass, korean_buyer.organisation, capture_callbacks)
    damaged_case = open_checked(damaged, korean_buyer.organisation, capture_callbacks)

    assert black_mass_case.material == "black_mass"
    assert black_mass_case.risk_reasons[0] == "material:black_mass"
    assert damaged_case.material == "damaged_pack"
    assert damaged_case.risk_reasons[0] == "material:damaged_pack"
    assert {black_mass_case.risk_level, damaged_case.risk_level} == {RiskLevel.HIGH}


@pytest.fixture
def capture_callbacks(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


# --- Second officer -------------------------------------------------------------------


def test_a_standard_risk_case_is_approved_by_one_officer_and_the_order_released(ev_case, officer):
    review = make_approvable(ev_case, officer)

    case = cases.case_approve(
        case=ev_case, actor=officer, reason="Product, papers in order", acknowledge_check_ids=review
    )

    assert case.status == CaseStatus.APPROVED
    assert clearance_rows() == [{"order_id": 42}]
    assert shipment_cleared(listing=case.listing, buyer_organisation=case.buyer_organisation)


def test_a_high_risk_case_needs_a_second_officer(pack_case, officer, second_officer):
    review = make_approvable(pack_case, officer)

    first = cases.case_approve(
        case=pack_case, actor=officer, reason="Looks right", acknowledge_check_ids=review
    )

    assert first.status == CaseStatus.AWAITING_SECOND_OFFICER
    assert (first.first_approved_by, first.first_approval_reason) == (officer, "Looks right")
    assert first.decided_at is None
    assert clearance_rows() == []  # nothing is released on the first approval
    assert not shipment_cleared(
        listing=pack_case.listing, buyer_organisation=pack_case.buyer_organisation
    )

    second = cases.case_approve(case=first, actor=second_officer, reason="Agreed")

    assert second.status == CaseStatus.APPROVED
    assert (second.decided_by, second.decision_reason) == (second_officer, "Agreed")
    assert clearance_rows() == [{"order_id": 41}]
    decisions = list(pack_case.events.filter(kind="decision").values_list("to_status", "actor"))
    assert decisions == [
        ("awaiting_second_officer", officer.pk),
        ("approved", second_officer.pk),
    ]


def test_the_same_officer_cannot_give_both_approvals(pack_case, officer):
    review = make_approvable(pack_case, officer)
    first = cases.case_approve(
        case=pack_case, actor=officer, reason="Looks right", acknowledge_check_ids=review
    )
    events = pack_case.events.count()

    with pytest.raises(SecondOfficerRequired) as raised:
        cases.case_approve(case=first, actor=officer, reason="And again")

    assert raised.value.status == 403
    first.refresh_from_db()
    assert first.status == CaseStatus.AWAITING_SECOND_OFFICER
    assert pack_case.events.count() == events
    assert clearance_rows() == []


def test_an_officer_of_a_party_cannot_be_the_second_officer(pack_case, officer, korean_buyer):
    review = make_approvable(pack_case, officer)
    first = cases.case_approve(
        case=pack_case, actor=officer, reason="Looks right", acknowledge_check_ids=review
    )
    conflicted = UserFactory(role=Role.COMPLIANCE_OFFICER, organisation=korean_buyer.organisation)

    with pytest.raises(ConflictOfInterest):
        cases.case_approve(case=first, actor=conflicted, reason="Mine")

    first.refresh_from_db()
    assert first.status == CaseStatus.AWAITING_SECOND_OFFICER


@pytest.mark.parametrize("who", ["first", "second"])
def test_a_reject_by_either_officer_ends_a_high_risk_case(who, pack_case, officer, second_officer):
    review = make_approvable(pack_case, officer)
    first = cases.case_approve(
        case=pack_case, actor=officer, reason="Looks right", acknowledge_check_ids=review
    )
    rejecter = officer if who == "first" else second_officer

    rejected = cases.case_reject(case=first, actor=rejecter, reason="Guarantee is forged")

    assert rejected.status == CaseStatus.REJECTED
    assert rejected.decided_by == rejecter
    # Payments hears of the final decision and keeps the order on hold: the gate is shut.
    assert clearance_rows() == [{"order_id": 41}]
    assert not shipment_cleared(
        listing=pack_case.listing, buyer_organisation=pack_case.buyer_organisation
    )
    with pytest.raises(InvalidTransition):
        cases.case_approve(case=rejected, actor=second_officer, reason="too late")


def test_every_decision_needs_a_reason(pack_case, officer):
    review = make_approvable(pack_case, officer)

    for decide in (
        lambda: cases.case_approve(
            case=pack_case, actor=officer, reason=" ", acknowledge_check_ids=review
        ),
        lambda: cases.case_reject(case=pack_case, actor=officer, reason=""),
        lambda: case_changes.case_request_information(case=pack_case, actor=officer, reason=""),
    ):
        with pytest.raises(CaseInputError) as raised:
            decide()
        assert raised.value.fields == {"reason": ["This field is required."]}

    pack_case.refresh_from_db()
    assert pack_case.status == CaseStatus.AWAITING_OFFICER


def test_a_case_without_an_order_enqueues_no_clearance(ev_case, officer):
    ShipmentCase.objects.filter(pk=ev_case.pk).update(order_id=None, order_reference="")
    ev_case.refresh_from_db()
    review = make_approvable(ev_case, officer)

    cases.case_approve(case=ev_case, actor=officer, reason="ok", acknowledge_check_ids=review)

    assert clearance_rows() == []


def test_withdrawing_an_approved_case_tells_payments(ev_case, officer):
    review = make_approvable(ev_case, officer)
    approved = cases.case_approve(
        case=ev_case, actor=officer, reason="ok", acknowledge_check_ids=review
    )

    cases.case_withdraw(case=approved, actor=officer, reason="Buyer cancelled")

    assert clearance_rows() == [{"order_id": 42}, {"order_id": 42}]
    assert not shipment_cleared(
        listing=ev_case.listing, buyer_organisation=ev_case.buyer_organisation
    )


@pytest.mark.parametrize(
    ("reference", "order_id"),
    [("order 41", 41), ("order 7", 7), ("", None), ("PO-2026-11", None), ("order x", None)],
)
def test_the_order_id_comes_from_the_reference_trading_passes(reference, order_id):
    assert cases.order_id_from_reference(reference) == order_id


# --- Request for information ------------------------------------------------------------


def test_the_parties_answer_a_request_and_the_checks_run_again(
    pack_case, officer, seller, django_capture_on_commit_callbacks
):
    asked = case_changes.case_request_information(
        case=pack_case, actor=officer, reason="Send the functional test report of the pack."
    )
    assert asked.status == CaseStatus.INFORMATION_REQUESTED
    assert asked.information_request == "Send the functional test report of the pack."
    contract = pack_case.documents.get(code="contract_esm")
    upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case_changes.case_respond(
            case=asked,
            actor=seller,
            comment="Attached: HPPC report of 2026-11-20.",
            document=contract,
            upload=upload,
        )

    assert len(callbacks) == 1  # the checks, through the outbox
    pack_case.refresh_from_db()
    assert pack_case.status == CaseStatus.AWAITING_OFFICER
    assert pack_case.information_request == ""
    contract.refresh_from_db()
    assert (contract.original_name, contract.received) == ("report.pdf", False)
    answer = pack_case.events.get(kind="information", to_status="answered")
    assert (answer.actor, answer.reason) == (seller, "Attached: HPPC report of 2026-11-20.")
    assert answer.details["response_to"] == "Send the functional test report of the pack."
    moves = list(pack_case.events.filter(kind__in=["status", "decision"]).values_list("to_status"))
    assert moves[-3:] == [("information_requested",), ("checking",), ("awaiting_officer",)]


def test_a_request_voids_a_first_approval(pack_case, officer, second_officer):
    review = make_approvable(pack_case, officer)
    first = cases.case_approve(
        case=pack_case, actor=officer, reason="ok", acknowledge_check_ids=review
    )

    asked = case_changes.case_request_information(
        case=first, actor=second_officer, reason="Who signed the guarantee?"
    )

    assert asked.status == CaseStatus.INFORMATION_REQUESTED
    assert asked.first_approved_by is None


@pytest.mark.parametrize("who", ["outsider", "officer"])
def test_only_the_parties_answer(who, pack_case, officer, outsider):
    asked = case_changes.case_request_information(
        case=pack_case, actor=officer, reason="Send the report."
    )
    actor = {"outsider": outsider, "officer": officer}[who]

    with pytest.raises(PermissionDeniedError):
        case_changes.case_respond(case=asked, actor=actor, comment="here")

    asked.refresh_from_db()
    assert asked.status == CaseStatus.INFORMATION_REQUESTED


def test_an_answer_without_a_request_is_refused(pack_case, korean_buyer):
    with pytest.raises(InvalidTransition):
        case_changes.case_respond(case=pack_case, actor=korean_buyer, comment="unasked")

    assert pack_case.events.filter(kind="information").count() == 0


# --- A new route ------------------------------------------------------------------------


def test_a_new_transit_country_adds_its_consent_and_reruns_only_affected_checks(
    pack_case, officer, django_capture_on_commit_callbacks
):
    results_before = pack_case.events.filter(kind="check_result").count()

    with django_capture_on_commit_callbacks(execute=True):
        case_changes.case_change_transit(
            case=pack_case, actor=officer, transit=["cn"], reason="Transhipment in Shanghai"
        )

    pack_case.refresh_from_db()
    assert pack_case.transit == ["CN"]
    assert pack_case.status in (CaseStatus.AWAITING_OFFICER, CaseStatus.BLOCKED)
    assert ("CN", "transit") in {(c.country.code, c.role) for c in pack_case.consents.all()}
    changed = [
        event.details["check"]
        for event in pack_case.events.filter(kind="check_result").order_by("pk")[results_before:]
    ]
    assert "consents" in changed
    assert "sanctions" not in changed  # unchanged results add no audit event
    route = pack_case.events.get(kind="route")
    assert (route.from_status, route.to_status, route.reason) == (
        "",
        "CN",
        "Transhipment in Shanghai",
    )


def test_a_route_with_an_unknown_country_is_refused(pack_case, korean_buyer):
    with pytest.raises(CaseInputError) as raised:
        case_changes.case_change_transit(
            case=pack_case, actor=korean_buyer, transit=["XX"], reason="typo"
        )

    assert "transit" in raised.value.fields
    pack_case.refresh_from_db()
    assert pack_case.transit == []


# --- Counterparty permits ---------------------------------------------------------------


def test_a_waste_buyer_without_a_permit_on_file_goes_to_an_officer(pack_case):
    check = pack_case.checks.get(code="counterparty_permits")

    assert check.outcome == CheckOutcome.REVIEW
    assert "no valid waste-handling permit on file" in check.explanation


def test_a_waste_buyer_with_a_valid_permit_passes(
    pack_listing, korean_buyer, django_capture_on_commit_callbacks
):
    from tests.factories import PermitFactory

    permit = PermitFactory(
        organisation=korean_buyer.organisation,
        number="BUSAN-2026-118",
        issuing_authority="Busan Metropolitan City",
        valid_from=datetime.date(2026, 1, 1),
        expires_on=datetime.date(2031, 12, 31),
    )

    case = open_checked(pack_listing, korean_buyer.organisation, django_capture_on_commit_callbacks)

    check = case.checks.get(code="counterparty_permits")
    assert check.outcome == CheckOutcome.PASS
    assert check.explanation == (
        "The buyer holds a valid waste-handling permit: "
        f"{permit.number} (Busan Metropolitan City, 2031-12-31)."
    )


def test_a_product_buyer_needs_no_permit(ev_case):
    check = ev_case.checks.get(code="counterparty_permits")

    assert check.outcome == CheckOutcome.PASS
    assert check.explanation.endswith("is a product: the buyer needs no waste-handling permit.")
