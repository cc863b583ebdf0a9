"""Production-like settings pass Django's deployment checks; the API schema has no warnings."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**overrides: str) -> dict[str, str]:
    # Browser tests allow async-unsafe calls for the live server; production never does.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, **overrides}


def test_check_deploy_is_clean_with_production_environment(tmp_path):
    env = _production_env(
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="market.example.jp",
        MARKETPLACE_VAR_DIR=str(tmp_path),
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_off_without_secret_key_refuses_to_start(tmp_path):
    env = _production_env(DEBUG="false", SECRET_KEY="", MARKETPLACE_VAR_DIR=str(tmp_path))

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert result.stderr == "configuration error: SECRET_KEY must be set when DEBUG is off\n"


def test_openapi_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))

    assert "/api/v1/auth/signup/" in (tmp_path / "s.yml").read_text()
