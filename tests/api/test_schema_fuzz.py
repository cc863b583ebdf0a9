"""Every API operation, fuzzed from our own OpenAPI schema, for a user of each role.

No input may produce a 5xx, and every response (status, content type and body) must be
one the schema documents. Runs in process against the WSGI app inside the test
transaction, so nothing it creates outlives the test.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from marketplace.accounts.choices import Role
from marketplace.accounts.services import api_token_create
from tests.factories import StaffFactory, UserFactory

ROLES = [*Role.values, "staff"]


def _load_schema():
    # pytest-django has configured Django before collection; the schema view needs no DB.
    from marketplace.wsgi import application

    loaded = schemathesis.openapi.from_wsgi("/api/schema/", application)
    # The coverage phase enumerates every boundary value (thousands of calls for a listing
    # POST); random fuzzing with a fixed example budget keeps this sweep inside CI's time.
    loaded.config.phases.coverage.enabled = False
    return loaded


schema = _load_schema()


@pytest.fixture(autouse=True)
def _requests_keep_the_test_connection():
    """Do what Django's test client does for its requests.

    Schemathesis calls the raw WSGI app, whose request signals close "old" connections; in a
    test the connection is inside the test's transaction, so PostgreSQL would lose it.
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def token(request, db) -> str:
    """An API key of a verified user in the role (or platform staff)."""
    role = request.param
    user = StaffFactory() if role == "staff" else UserFactory(role=role)
    return api_token_create(user=user, name="fuzz")[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    # Examples per operation and role; raise FUZZ_EXAMPLES for a deeper run by hand.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "5")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_response_is_documented_and_none_is_a_server_error(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})

    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
