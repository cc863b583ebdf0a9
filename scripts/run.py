"""`make run`: migrate, load demo data, then run web, worker, scheduler and a local fake Stripe.

Ctrl-C (or SIGTERM) stops every process; if one of them dies, the others are stopped too
and the command exits non-zero, so a broken worker is never silently missing.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def manage(*args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=True)


def processes(port: str) -> dict[str, list[str]]:
    from django.conf import settings

    celery = [PY, "-m", "celery", "-A", "marketplace"]
    commands = {
        "web": [PY, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        "worker": [*celery, "worker", "--loglevel=INFO", "--concurrency=2"],
        "scheduler": [*celery, "beat", "--loglevel=INFO"],
    }
    if not settings.STRIPE_SECRET_KEY:
        stripe_port = urlsplit(settings.LOCALSTRIPE_URL).port or 8420
        state = Path(settings.VAR_DIR) / "localstripe.pickle"
        commands["stripe"] = [
            PY,
            "-m",
            "marketplace.payments.localstripe_server",
            "--port",
            str(stripe_port),
            "--state",
            str(state),
        ]
    return commands


def register_webhook_when_up(port: str) -> None:
    """localstripe keeps webhook targets in memory: register ours each time it starts."""
    from django.conf import settings

    from marketplace.payments.clients import stripe_client

    if settings.STRIPE_SECRET_KEY:
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            stripe_client.register_localstripe_webhook(
                url=f"http://127.0.0.1:{port}/stripe/webhook/"
            )
            return
        except OSError:
            time.sleep(0.3)
    print("warning: localstripe did not answer; payments will fail", file=sys.stderr)


def main() -> int:
    port = os.environ.get("PORT", "8000")
    try:
        manage("ensure_database")
        manage("migrate", "--no-input", "-v", "0")
        manage("seed_demo")
    except subprocess.CalledProcessError as error:
        step = " ".join(error.cmd[1:])
        print(f"set-up failed: {step} exited {error.returncode}", file=sys.stderr)
        return 1

    from marketplace.accounts.demo import DEMO_ORGANISATIONS, DEMO_PASSWORD

    children = {
        name: subprocess.Popen(command, cwd=ROOT, start_new_session=True)
        for name, command in processes(port).items()
    }
    register_webhook_when_up(port)
    logins = ", ".join(["staff", *(spec.username for spec in DEMO_ORGANISATIONS)])
    print(
        f"\n  Battery Market is running at http://127.0.0.1:{port}/"
        f"\n  API docs: http://127.0.0.1:{port}/api/docs/   Admin: http://127.0.0.1:{port}/admin/"
        f"\n  Demo logins ({logins}), password: {DEMO_PASSWORD}"
        f"\n  Ctrl-C stops web, worker and scheduler.\n",
        flush=True,
    )

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"{name} exited with {child.returncode}; stopping the rest", file=sys.stderr)
                exit_code = 1
                stopping = True
        time.sleep(0.5)

    # Only the main processes: Celery then stops its own pool warmly, finishing the task in
    # hand. A whole-group SIGTERM would kill pool children mid-task.
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
    return exit_code


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()
    sys.exit(main())
