"""Start and kill real Celery worker processes for the fault tests."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url_for_worker() -> str:
    """DATABASE_URL with the test database's name, so the worker writes where we read."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def start_worker(queue: str, *, broker_url: str | None = None, **hooks: str) -> subprocess.Popen:
    """A solo-pool worker on `queue` only, so no other test's worker can take our tasks."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_worker(),
        "REDIS_URL": broker_url or settings.REDIS_URL,
        **hooks,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.pausing_worker",
            "--pool=solo",
            "--queues",
            queue,
            "--hostname",
            f"{queue}-{time.monotonic_ns()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL: no shutdown handler runs, nothing is acknowledged or requeued by the worker."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kill_hard(process)


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
