"""Every HTML view and every API operation, asked by every role: only the table's "allow"s pass.

The table is tests/security/permission_matrix.py. A route that is not in it fails the test
with the exact rows to add (what each role got today), so the matrix stays complete.
"""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from tests.security.harness import api_body_fields, endpoints, outcome, write_body
from tests.security.permission_matrix import EXPECTED, render_rows
from tests.security.world import PRIVATE_DOCUMENT_NAME, ROLES, SEALED_BID_JPY, build_world

# Who may ever see each secret: the sealed bid only its bidder (not the seller, not staff,
# until the close); the draft's document only its seller and staff.
SECRETS = {
    SEALED_BID_JPY: {"recycler"},
    "734,519": {"recycler"},
    PRIVATE_DOCUMENT_NAME: {"dealer", "staff"},
}

pytestmark = pytest.mark.django_db


def _sightings(method: str, path: str, response) -> list[tuple[str, str]]:
    """(secret, where) for each secret in the response's body or headers."""
    content = b"".join(response) if response.streaming else response.content
    text = content.decode(errors="replace") + str(response.headers)
    return [(secret, f"{method} {path}") for secret in SECRETS if secret in text]


def _observe(role: str) -> tuple[dict[tuple[str, str], str], list[str]]:
    world = build_world()
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.users[role])
    observed = {}
    leaks: list[tuple[str, str]] = []
    body = write_body(world)
    body_fields = api_body_fields()
    for method, name, path in endpoints(world):
        cache.clear()  # throttles count per client; this test is about permissions
        if method == "GET":
            response = client.get(path)
        elif path.startswith("/api/"):
            accepted = body_fields.get((method, name), frozenset())
            own = {key: value for key, value in body.items() if key in accepted}
            response = client.generic(method, path, json.dumps(own), "application/json")
        else:
            response = client.post(path, body)
        observed[(method, name)] = outcome(method, response)
        leaks += _sightings(method, path, response)
    return observed, leaks


@pytest.fixture(scope="module")
def observations(django_db_blocker, django_db_setup, localstripe_url):
    """All roles' observations, each in a fresh world inside a rolled-back transaction.

    Payments talk to this session's localstripe, so a payment endpoint answers on its merits
    rather than with "provider unavailable"."""
    from django.db import transaction
    from django.test import override_settings

    from marketplace.payments.clients import stripe_client

    observations, leaks = {}, {}
    with (
        django_db_blocker.unblock(),
        override_settings(STRIPE_SECRET_KEY="", LOCALSTRIPE_URL=localstripe_url),
    ):
        stripe_client._client.cache_clear()
        for role in ROLES:
            with transaction.atomic():
                observations[role], leaks[role] = _observe(role)
                transaction.set_rollback(True)
    stripe_client._client.cache_clear()
    return observations, leaks


@pytest.fixture(scope="module")
def observed_by_role(observations):
    return observations[0]


def test_sealed_bids_and_private_documents_never_leak(observations):
    """Through lists, detail pages, exports, error messages, headers or the admin."""
    sightings = observations[1]
    leaks = {
        role: [f"{where}: {secret!r}" for secret, where in seen if role not in SECRETS[secret]]
        for role, seen in sightings.items()
    }
    assert leaks == dict.fromkeys(ROLES, [])
    # The check can see a secret: the bidder finds its own sealed bid, the seller its document.
    assert SEALED_BID_JPY in {secret for secret, _ in sightings["recycler"]}
    assert PRIVATE_DOCUMENT_NAME in {secret for secret, _ in sightings["dealer"]}


def test_every_endpoint_is_in_the_matrix(observed_by_role):
    seen = {key for observed in observed_by_role.values() for key, result in observed.items()}
    applicable = {
        key for key in seen if any(observed_by_role[role].get(key) != "n/a" for role in ROLES)
    }
    missing = sorted(applicable - set(EXPECTED))
    stale = sorted(set(EXPECTED) - seen)
    assert not missing, "Add these rows to tests/security/permission_matrix.py " + (
        "(what each role gets today; review before pasting):\n"
        + render_rows(missing, observed_by_role)
    )
    assert not stale, f"Rows for routes that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_allowed_roles_get_through(observed_by_role, role):
    observed = observed_by_role[role]
    wrong = []
    for key, allowed_roles in EXPECTED.items():
        result = observed.get(key)
        if result in (None, "n/a"):
            continue
        expected = "allow" if role in allowed_roles else "deny"
        if result != expected:
            wrong.append(f"{key[0]} {key[1]}: expected {expected}, got {result}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
