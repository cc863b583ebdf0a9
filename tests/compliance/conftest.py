import shutil
from pathlib import Path

import pytest

from compliance.ruleset import DEFAULT_RULES_DIR, clear_ruleset_cache
from marketplace.accounts.choices import Role
from tests.catalog.factories import ListingFactory
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped rules that a test may break."""
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target)
    return target


@pytest.fixture(autouse=True)
def _fresh_rules_cache():
    clear_ruleset_cache()
    yield
    clear_ruleset_cache()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Factories hash a password per user; the real hasher makes the case tests crawl.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path: Path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def korean_buyer(db):
    """A recycler in Korea: a pack from Japan to it is an OECD amber movement."""
    return UserFactory(
        username="korean-buyer",
        role=Role.RECYCLER,
        organisation=OrganisationFactory(legal_name="Busan Recycling", country="KR"),
    )


@pytest.fixture
def pack_listing(seller):
    """A pack in Japan without certificate evidence on the listing: end-of-life waste."""
    return ListingFactory(seller=seller.organisation, created_by=seller, title="Leaf 40 kWh pack")


@pytest.fixture
def second_officer(db):
    """Another officer, of another organisation: confirms high-risk approvals."""
    return UserFactory(
        username="second-officer",
        role=Role.COMPLIANCE_OFFICER,
        organisation=OrganisationFactory(legal_name="Audit K.K."),
    )


@pytest.fixture(autouse=True)
def _append_only_trigger(request):
    """The suite builds its schema without migrations (--no-migrations): install the audit
    trail's trigger as migration 0004 does. Per test: a test's own transaction may roll back
    the DDL (install is idempotent)."""
    if "django_db_setup" not in request.fixturenames:
        return
    request.getfixturevalue("django_db_setup")
    from django.db import connection

    from compliance import append_only

    with request.getfixturevalue("django_db_blocker").unblock():
        if not append_only.is_installed(connection):
            append_only.install(connection)
