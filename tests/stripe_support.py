"""localstripe for tests: one server per test session, on its own port and state file.

Shared by the payments, compliance and browser tests (registered in tests/conftest.py)."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from marketplace.payments.clients import stripe_client

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    """A localstripe of this test session: its own port and its own state file."""
    port = _free_port()
    state = tmp_path_factory.mktemp("localstripe") / "state.pickle"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "marketplace.payments.localstripe_server",
            "--port",
            str(port),
            "--state",
            str(state),
            "--from-scratch",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("localstripe did not start")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def stripe_local(settings, localstripe_url):
    settings.STRIPE_SECRET_KEY = ""
    settings.LOCALSTRIPE_URL = localstripe_url
    stripe_client._client.cache_clear()
    yield localstripe_url
    stripe_client._client.cache_clear()


@pytest.fixture
def card(stripe_local) -> str:
    return stripe_client.create_card_payment_method(
        number="4242424242424242", exp_month=12, exp_year=2030, cvc="123"
    )
