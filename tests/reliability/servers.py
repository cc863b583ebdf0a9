"""Private servers for the fault tests: a Redis we may stop, the app in its own process."""

import os
import socket
import subprocess
import sys

from tests.reliability.workers import ROOT, database_url_for_worker, wait_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class PrivateRedis:
    """`redis-server` on a port of its own, in memory only: stopping it loses what it held."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: answers(self.port), timeout=10, what="the private Redis")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_for(lambda: not answers(self.port), timeout=10, what="the private Redis to stop")


def start_app(*, redis_url: str) -> tuple[subprocess.Popen, str]:
    """gunicorn serving the app against the test database and the given Redis."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_worker(),
        "REDIS_URL": redis_url,
        "DEBUG": "0",
        "SECRET_KEY": "reliability-test-only",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "marketplace.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    wait_for(lambda: answers(port), timeout=30, what="the app server")
    return process, f"http://127.0.0.1:{port}"


def run_in_app_environment(code: str, *, redis_url: str) -> str:
    """Run Python in a fresh process configured like the app (for the outbox sweeper)."""
    env = {**os.environ, "DATABASE_URL": database_url_for_worker(), "REDIS_URL": redis_url}
    script = "import django; django.setup()\n" + code
    env.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


__all__ = ["PrivateRedis", "answers", "free_port", "run_in_app_environment", "start_app"]
