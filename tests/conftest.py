"""Shared people: a seller, a buyer, an outsider, an officer, staff; and service gating.

Tests that need a real PostgreSQL or Redis (and a Celery worker) are marked
`needs_postgres` / `needs_redis`; without those servers they are skipped with the reason.
With REQUIRE_SERVICES=1 (CI) a missing server fails the run instead.
"""

import os

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from marketplace.accounts.choices import Role, VerificationStatus
from marketplace.celery import app as celery_app
from tests.factories import OrganisationFactory, StaffFactory, UserFactory

pytest_plugins = ["tests.browser_support", "tests.stripe_support"]

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end the sessions that still hold it (a live
    server thread, a worker that is shutting down), so the drop does not warn and fail.

    The tests build tables without migrations (faster); the database function the bid path
    calls on PostgreSQL and the triggers that announce changes to the rows API authentication
    keeps are created here, as their migrations create them in production."""
    from marketplace.accounts import change_notices
    from marketplace.trading import bid_function

    with django_db_blocker.unblock():
        from django.db import connection as setup_connection

        bid_function.install(setup_connection)
        change_notices.install(setup_connection)
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


def _service_missing(marker: str) -> str | None:
    if marker == "needs_postgres" and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return "needs PostgreSQL: set DATABASE_URL (make test finds one on 127.0.0.1:5432)"
    if marker == "needs_redis" and not settings.REDIS_URL:
        return "needs Redis and a Celery worker: set REDIS_URL (make test finds 127.0.0.1:6379)"
    return None


def pytest_collection_modifyitems(config, items):
    required = os.environ.get("REQUIRE_SERVICES") == "1"
    for item in items:
        for marker in ("needs_postgres", "needs_redis"):
            if item.get_closest_marker(marker) and (reason := _service_missing(marker)):
                if required:
                    raise pytest.UsageError(f"REQUIRE_SERVICES=1 but {item.nodeid} {reason}")
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _celery_runs_inline_unless_integration(request):
    """Unit tests run tasks inline; integration tests (needs_redis) use the real worker."""
    eager = request.node.get_closest_marker("needs_redis") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache; with Redis they would outlive a test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _no_kept_search_statements():
    """A search's statements are kept per process; each test starts with none kept."""
    from marketplace.catalog import search_statements

    search_statements.forget_all()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness protects real passwords; in tests it only costs minutes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def seller(db):
    return UserFactory(username="seller", role=Role.DEALER, organisation__legal_name="Hakata EV")


@pytest.fixture
def buyer(db):
    return UserFactory(
        username="buyer",
        role=Role.REUSE_MAKER,
        organisation__legal_name="Kyushu Storage K.K.",
        organisation__region="Kumamoto",
    )


@pytest.fixture
def outsider(db):
    """A verified member of an unrelated organisation."""
    return UserFactory(username="outsider", role=Role.RECYCLER, organisation__legal_name="Other")


@pytest.fixture
def unverified_dealer(db):
    return UserFactory(
        username="newcomer",
        role=Role.DEALER,
        organisation__verification_status=VerificationStatus.PENDING,
        organisation__verified_at=None,
    )


@pytest.fixture
def officer(db):
    return UserFactory(
        username="officer",
        role=Role.COMPLIANCE_OFFICER,
        organisation=OrganisationFactory(legal_name="Battery Market Compliance"),
    )


@pytest.fixture
def staff(db):
    return StaffFactory(username="staff")
