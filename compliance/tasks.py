"""Celery entry points: load by id, call one service. Safe to run twice."""

from celery import shared_task

from compliance.exceptions import RulesUnavailable
from compliance.models import ShipmentCase
from compliance.services import cases, movements

SWEEP_BATCH = 100
MAX_RETRY_COUNTDOWN_SECONDS = 15 * 60


@shared_task(name="compliance.run_case_checks", bind=True, max_retries=5)
def run_case_checks(self, case_id: int) -> str:
    case = ShipmentCase.objects.filter(pk=case_id).first()
    if case is None:
        return "missing"
    try:
        return cases.case_run_checks(case=case).status
    except RulesUnavailable as exc:
        countdown = min(30 * 2**self.request.retries, MAX_RETRY_COUNTDOWN_SECONDS)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="compliance.sweep_consent_deadlines", bind=True, max_retries=5)
def sweep_consent_deadlines(self, batch_size: int = SWEEP_BATCH) -> int:
    """The deadline sweep (beat), a bounded batch of each: deem granted the consents whose
    tacit deadline passed, expire consents past their validity, raise the alerts that are
    due (a consent about to expire, a receipt or recovery confirmation overdue). Safe to run
    twice: consents are claimed with conditional updates, an alert is unique per deadline.
    A full batch queues another sweep at once. Returns how many consents were deemed."""
    try:
        deemed = cases.consents_deem_granted_due(limit=batch_size)
        expired = movements.consents_expire_due(limit=batch_size)
        movements.alerts_raise_due(limit=batch_size)
    except RulesUnavailable as exc:
        countdown = min(30 * 2**self.request.retries, MAX_RETRY_COUNTDOWN_SECONDS)
        raise self.retry(exc=exc, countdown=countdown) from exc
    if max(deemed, expired) >= batch_size and not self.request.is_eager:
        sweep_consent_deadlines.apply_async(kwargs={"batch_size": batch_size})
    return deemed
