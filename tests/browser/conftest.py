"""A real Celery worker for the journeys that need one (marked needs_postgres, needs_redis).

The worker consumes a queue of its own, and both this process (where the live server sends
tasks through the outbox) and the worker (whose tasks enqueue further tasks) send to that
queue by default, so no other worker takes our tasks and no stale message reaches ours.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from marketplace.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]

WORKER = """
import sys
from marketplace.celery import app
queue = sys.argv[1]
app.conf.task_default_queue = queue
app.worker_main(["worker", "--pool=solo", "--queues", queue, "--hostname", queue + "@%h",
                 "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "--loglevel=WARNING"])
"""


def _test_database_url() -> str:
    """DATABASE_URL with the test database's name, so the worker writes where we read."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def worker(stripe_webhooks):
    """The worker, and the live server, pay through the test session's localstripe."""
    queue = f"browser-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "STRIPE_SECRET_KEY": "",
        "LOCALSTRIPE_URL": stripe_webhooks,
    }
    process = subprocess.Popen([sys.executable, "-c", WORKER, queue], cwd=ROOT, env=env)
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    yield queue
    celery_app.conf.task_default_queue = previous
    process.terminate()
    process.wait(timeout=30)
