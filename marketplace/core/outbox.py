"""Enqueue Celery work so that a broker outage delays it instead of losing it."""

import logging
from datetime import datetime, timedelta

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from marketplace.core.cache import REDIS_DOWN
from marketplace.core.models import OutboxTask

logger = logging.getLogger(__name__)

# A row younger than this is still being sent by its own transaction's on-commit hook.
GRACE = timedelta(seconds=10)


def enqueue(task_name: str, *, eta: datetime | None = None, **kwargs) -> OutboxTask:
    """Record the task now; send it when the surrounding transaction commits."""
    row = OutboxTask.objects.create(task_name=task_name, kwargs=kwargs, eta=eta)
    transaction.on_commit(lambda: dispatch(row.pk))
    return row


def _send(task_name: str, kwargs: dict, eta: datetime | None) -> None:
    # Through the registered task, not send_task: eager mode (unit tests) then runs it inline.
    if task_name not in current_app.tasks:
        current_app.loader.import_default_modules()  # web processes import tasks lazily
    current_app.tasks[task_name].apply_async(kwargs=kwargs, eta=eta)


def dispatch(row_id: int) -> bool:
    """Send one recorded task; True once the broker has it (and the row is gone)."""
    row = OutboxTask.objects.filter(pk=row_id).first()
    if row is None:
        return True  # already sent by the sweeper
    try:
        _send(row.task_name, row.kwargs, row.eta)
    except (BrokerUnavailable, *REDIS_DOWN) as error:
        # The broker, or the Redis result store a task with a result subscribes to, is down.
        OutboxTask.objects.filter(pk=row.pk).update(
            attempts=F("attempts") + 1, last_error=str(error)[:2000]
        )
        logger.warning("broker unavailable; %s kept in the outbox", row)
        return False
    OutboxTask.objects.filter(pk=row.pk).delete()
    return True


def dispatch_pending(*, limit: int = 500) -> int:
    """Send what on-commit sending could not; returns how many were sent."""
    cutoff = timezone.now() - GRACE
    ids = list(
        OutboxTask.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:limit]
    )
    return sum(dispatch(row_id) for row_id in ids)
