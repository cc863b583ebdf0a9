"""Work enqueued while the broker is down is kept and sent when it is back."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from marketplace.core import outbox
from marketplace.core.models import OutboxTask

pytestmark = pytest.mark.django_db(transaction=True)
REFUSED = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def broker():
    """The broker as the outbox sees it; set `side_effect = REFUSED` to take it down."""
    with mock.patch.object(outbox, "_send") as send:
        yield send


def test_a_task_is_sent_on_commit_and_leaves_no_row(broker):
    with transaction.atomic():
        outbox.enqueue("compliance.run_case_checks", case_id=7)
        assert broker.call_count == 0  # nothing leaves before the commit

    broker.assert_called_once_with("compliance.run_case_checks", {"case_id": 7}, None)
    assert not OutboxTask.objects.exists()


def test_a_rolled_back_transaction_sends_nothing(broker):
    def failing_work() -> None:
        with transaction.atomic():
            outbox.enqueue("compliance.run_case_checks", case_id=7)
            raise RuntimeError("the work failed")

    with pytest.raises(RuntimeError):
        failing_work()

    assert broker.call_count == 0
    assert not OutboxTask.objects.exists()


def test_broker_down_keeps_the_task_and_the_sweeper_sends_it_later(broker):
    eta = timezone.now() + timedelta(minutes=5)
    broker.side_effect = REFUSED
    with transaction.atomic():
        outbox.enqueue("trading.close_sale", eta=eta, sale_id=3)

    kept = OutboxTask.objects.get()
    assert (kept.task_name, kept.kwargs, kept.attempts) == ("trading.close_sale", {"sale_id": 3}, 1)
    assert "Connection refused" in kept.last_error

    OutboxTask.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    broker.side_effect = None
    broker.reset_mock()
    sent = outbox.dispatch_pending()

    assert sent == 1
    broker.assert_called_once_with("trading.close_sale", {"sale_id": 3}, eta)
    assert not OutboxTask.objects.exists()


def test_the_sweeper_leaves_rows_still_being_sent_by_their_own_commit(broker):
    broker.side_effect = REFUSED
    with transaction.atomic():
        outbox.enqueue("core.record_heartbeat")
    broker.side_effect = None
    broker.reset_mock()

    assert outbox.dispatch_pending() == 0
    assert broker.call_count == 0
    assert OutboxTask.objects.count() == 1


def test_in_eager_mode_the_task_runs_inline_on_commit():
    from marketplace.core.models import WorkerHeartbeat

    with transaction.atomic():
        outbox.enqueue("core.record_heartbeat")

    assert WorkerHeartbeat.objects.count() == 1
    assert not OutboxTask.objects.exists()
