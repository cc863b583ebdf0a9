"""Two officers deciding the same case at the same moment, on PostgreSQL row locks."""

import threading

import pytest
from django.db import connection

from compliance.choices import CaseStatus, CheckOutcome, ConsentStatus
from compliance.models import ShipmentCase
from compliance.services import cases
from marketplace.core.exceptions import DomainError
from tests.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db(transaction=True)]


def _run_at_once(calls):
    """Run each call in its own thread (own DB connection), released by one barrier."""
    barrier = threading.Barrier(len(calls))
    errors: list[Exception] = []
    results: list = []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except DomainError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_approve_and_reject_at_once_exactly_one_wins(pack_listing, korean_buyer, officer):
    case = cases.case_open(
        listing=pack_listing, buyer_organisation=korean_buyer.organisation, destination="KR"
    )
    # transaction=True: on-commit callbacks ran the checks inline already.
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_OFFICER
    for consent in case.consents.all():
        cases.consent_record(consent=consent, actor=officer, status=ConsentStatus.GRANTED)
    for document in case.documents.all():
        cases.document_mark(document=document, actor=officer, received=True)
    review = list(case.checks.filter(outcome=CheckOutcome.REVIEW).values_list("pk", flat=True))
    second = UserFactory(
        role="compliance_officer", organisation=OrganisationFactory(legal_name="Audit K.K.")
    )
    first_view = ShipmentCase.objects.get(pk=case.pk)
    second_view = ShipmentCase.objects.get(pk=case.pk)

    results, errors = _run_at_once(
        [
            lambda: cases.case_approve(
                case=first_view, actor=officer, reason="in order", acknowledge_check_ids=review
            ),
            lambda: cases.case_reject(case=second_view, actor=second, reason="refuse"),
        ]
    )

    assert len(results) == 1
    assert [error.code for error in errors] == ["invalid_transition"]
    case.refresh_from_db()
    assert case.status == results[0].status
    # The pack is high-risk: the approval that wins is the first of two.
    decided = ["awaiting_second_officer", "rejected"]
    assert case.events.filter(to_status__in=decided).count() == 1
