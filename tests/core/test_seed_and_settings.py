import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from marketplace.accounts.models import Organisation, OrganisationEvent, Permit, User
from marketplace.catalog.models import Listing
from marketplace.env import env_bool, env_int


@pytest.mark.django_db
def test_seed_demo_creates_every_role_and_a_second_run_changes_nothing():
    call_command("seed_demo", "--quiet-progress", "--listings", "6")
    counts = (
        Organisation.objects.count(),
        User.objects.count(),
        Permit.objects.count(),
        OrganisationEvent.objects.count(),
        Listing.objects.count(),
    )

    call_command("seed_demo", "--quiet-progress", "--listings", "6")

    assert counts == (8, 9, 3, 15, 6)
    assert (
        Organisation.objects.count(),
        User.objects.count(),
        Permit.objects.count(),
        OrganisationEvent.objects.count(),
        Listing.objects.count(),
    ) == counts
    assert set(User.objects.exclude(role="").values_list("role", flat=True)) == {
        "dealer",
        "reuse_maker",
        "recycler",
        "diagnostics_provider",
        "compliance_officer",
    }
    assert Organisation.objects.get(legal_name="Chikugo Auto Dismantling").can_trade() is False


def test_env_helpers_fail_loudly_on_malformed_values(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "perhaps")
    monkeypatch.setenv("SOME_NUMBER", "ten")

    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be true or false"):
        env_bool("SOME_FLAG")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER must be a whole number"):
        env_int("SOME_NUMBER", 1)


def test_every_scheduled_task_exists():
    from django.conf import settings

    from marketplace.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled == {
        "core.record_heartbeat",
        "core.dispatch_outbox",
        "trading.sweep_due_sales",
        "compliance.sweep_consent_deadlines",
        "payments.renew_deposits",
    }
    assert scheduled <= set(app.tasks)


def test_embedded_set_up_works_in_a_fresh_folder_with_no_environment(tmp_path):
    """What `make run` does first, on a machine with nothing configured: no server at all."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    unset = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "CELERY_TASK_ALWAYS_EAGER"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env["MARKETPLACE_VAR_DIR"] = str(tmp_path)

    for command in (["migrate", "-v", "0"], ["seed_demo", "--quiet-progress", "--listings", "12"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-2000:]

    assert "Demo data ready" in result.stdout
    assert (tmp_path / "db.sqlite3").exists()
    assert any((tmp_path / "celery" / "broker").iterdir())  # demo sales queued their closes
