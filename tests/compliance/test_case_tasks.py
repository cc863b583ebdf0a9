"""The case tasks: thin, idempotent, retrying only when the rules are unreadable."""

import pytest
from celery.exceptions import Retry

from compliance import tasks
from compliance.choices import CaseStatus
from compliance.models import CaseCheck
from compliance.services import cases


@pytest.fixture
def opened_case(pack_listing, korean_buyer):
    # Without capturing on-commit callbacks the task is not run: the case stays opened.
    return cases.case_open(
        listing=pack_listing, buyer_organisation=korean_buyer.organisation, destination="KR"
    )


def test_the_task_checks_an_opened_case(opened_case):
    assert tasks.run_case_checks.delay(opened_case.pk).get() == CaseStatus.AWAITING_OFFICER

    opened_case.refresh_from_db()
    assert opened_case.status == CaseStatus.AWAITING_OFFICER
    assert CaseCheck.objects.filter(case=opened_case).count() == 8


def test_running_the_task_twice_changes_nothing_the_second_time(opened_case):
    tasks.run_case_checks.delay(opened_case.pk).get()
    check_ids = list(CaseCheck.objects.values_list("pk", flat=True))
    events = opened_case.events.count()

    assert tasks.run_case_checks.delay(opened_case.pk).get() == CaseStatus.AWAITING_OFFICER

    assert list(CaseCheck.objects.values_list("pk", flat=True)) == check_ids
    assert opened_case.events.count() == events


def test_a_missing_case_is_not_an_error(db):
    assert tasks.run_case_checks.delay(999999).get() == "missing"


def test_unreadable_rules_are_retried_with_backoff(opened_case, monkeypatch):
    def unreadable():
        raise OSError("rules volume not mounted yet")

    retries = []

    def record_retry(*, exc, countdown):
        retries.append((type(exc).__name__, countdown))
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(cases, "get_ruleset", unreadable)
    monkeypatch.setattr(tasks.run_case_checks, "retry", record_retry)

    with pytest.raises(Retry):
        tasks.run_case_checks.delay(opened_case.pk)

    assert retries == [("RulesUnavailable", 30)]
    opened_case.refresh_from_db()
    assert opened_case.status == CaseStatus.OPENED


def test_other_errors_are_not_retried(opened_case, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    calls = []

    def broken_rules():
        calls.append(1)
        raise ImproperlyConfigured("rules.yaml row 3: unknown key")

    monkeypatch.setattr(cases, "get_ruleset", broken_rules)

    with pytest.raises(ImproperlyConfigured):
        tasks.run_case_checks.delay(opened_case.pk).get()

    assert len(calls) == 1
    opened_case.refresh_from_db()
    assert opened_case.status == CaseStatus.OPENED
