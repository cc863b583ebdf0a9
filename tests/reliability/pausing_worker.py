"""`celery worker`, plus two test-only hooks set through the environment; never used in production.

PAUSE_AFTER=module:function  after that function returns, write PAUSE_MARK and sleep, so the
                             test can SIGKILL the worker at a known point of a task.
CALL_LOG=file                append a line (pid, task id) as each task starts.
VISIBILITY_TIMEOUT_S         how long Redis keeps an unacknowledged task before another worker
                             may take it (production: settings, 3600 s).
"""

import importlib
import os
import sys
import time
from pathlib import Path

import django
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
django.setup()

from marketplace.celery import app  # noqa: E402  (Django must be set up first)


def _wrap(target: str, *, after) -> None:
    module_name, attr = target.split(":")
    module = importlib.import_module(module_name)
    original = getattr(module, attr)

    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        after()
        return result

    setattr(module, attr, wrapped)


def _pause() -> None:
    Path(os.environ["PAUSE_MARK"]).write_text(str(os.getpid()))
    time.sleep(3600)


if call_log := os.environ.get("CALL_LOG"):

    @task_prerun.connect(weak=False)
    def _record(task_id=None, **_) -> None:
        with open(call_log, "a") as log:
            log.write(f"{os.getpid()} {task_id}\n")


if pause_after := os.environ.get("PAUSE_AFTER"):
    _wrap(pause_after, after=_pause)
if visibility := os.environ.get("VISIBILITY_TIMEOUT_S"):
    app.conf.broker_transport_options = {
        **(app.conf.broker_transport_options or {}),
        "visibility_timeout": float(visibility),
        # Look for abandoned tasks every second, not every 10 × 10 s as kombu does by default.
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }

app.worker_main(["worker", *sys.argv[1:]])
