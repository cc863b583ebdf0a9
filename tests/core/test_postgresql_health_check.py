"""A reused connection is checked without a round trip while its socket is silent, and a
connection the server has closed is still found and replaced before the request uses it."""

import time

import psycopg
import pytest
from django.db import connections

connection = connections["default"]

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db(transaction=True)]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _start_of_a_request() -> None:
    """What Django does to a persistent connection when the next request uses it (the age
    limit, CONN_MAX_AGE, is a separate rule and not under test here)."""
    connection.health_check_done = False
    connection.close_if_health_check_failed()


@pytest.fixture
def health_checks():
    previous = (connection.health_check_enabled, connection.health_check_done)
    connection.health_check_enabled = True
    yield
    connection.health_check_enabled, connection.health_check_done = previous


def test_an_idle_connection_is_reused_without_asking_the_server(health_checks, monkeypatch):
    pid = _backend_pid()
    asked = []
    monkeypatch.setattr(type(connection), "is_usable", lambda self: asked.append(1) or True)

    _start_of_a_request()

    assert _backend_pid() == pid
    assert asked == []  # no SELECT 1 before the request's first query


def test_a_connection_the_server_closed_is_replaced_before_it_is_used(health_checks):
    pid = _backend_pid()
    with psycopg.connect(
        host=connection.settings_dict["HOST"],
        port=connection.settings_dict["PORT"] or 5432,
        user=connection.settings_dict["USER"],
        dbname=connection.settings_dict["NAME"],
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)  # the server's goodbye reaches our socket

    _start_of_a_request()

    assert _backend_pid() != pid  # a new connection, and the query on it worked
