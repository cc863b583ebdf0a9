"""A real Celery worker process, talking to Redis, runs our task against the test database."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from marketplace.core.models import WorkerHeartbeat
from marketplace.core.tasks import record_heartbeat

ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    """DATABASE_URL with the test database's name, so the worker writes where we read."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def worker():
    """Start `celery worker` on a queue of its own, so no other worker can take our task."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "REDIS_URL": settings.REDIS_URL}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "marketplace",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    yield process, queue
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.needs_postgres
@pytest.mark.needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_records_a_heartbeat_through_redis(worker):
    process, queue = worker

    result = record_heartbeat.apply_async(queue=queue)
    heartbeat_pk = result.get(timeout=90)

    heartbeat = WorkerHeartbeat.objects.get(pk=heartbeat_pk)
    assert heartbeat.task_id == result.id
    assert heartbeat.pid == process.pid
    assert heartbeat.pid != os.getpid()
    assert settings.CELERY_BROKER_URL.startswith("redis://")


@pytest.mark.needs_postgres
@pytest.mark.needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_redelivered_heartbeat_adds_no_second_row(worker):
    _, queue = worker
    task_id = f"fixed-{uuid.uuid4().hex}"

    first = record_heartbeat.apply_async(queue=queue, task_id=task_id).get(timeout=90)
    second = record_heartbeat.apply_async(queue=queue, task_id=task_id).get(timeout=90)

    assert first == second
    assert WorkerHeartbeat.objects.filter(task_id=task_id).count() == 1
