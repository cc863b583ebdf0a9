"""A connection keeps the token rows it read and answers the next call with the same key from
them, until PostgreSQL announces a change to a token, a user or an organisation, however the
change was written. Changes are made on another connection (another thread) unless a test says
otherwise; "the notice arrives" waits for it on this thread's connection."""

import select
import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.accounts import authentication, change_notices, token_cache
from marketplace.accounts.models import ApiToken, Organisation, User
from marketplace.accounts.services import api_token_create, api_token_revoke

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def key(seller) -> str:
    """A key used a moment ago, so that no call in the test writes its last-used time."""
    token, key = api_token_create(user=seller, name="erp")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return key


@pytest.fixture
def new_key(seller) -> str:
    return api_token_create(user=seller, name="new")[1]


def _me(client, key: str):
    return client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")


def _token_reads(client, key: str) -> tuple[int, int]:
    """The answer's status, and how many statements read the token table for it."""
    with CaptureQueriesContext(connection) as queries:
        response = _me(client, key)
    reads = [
        q for q in queries if 'FROM "accounts_apitoken"' in q["sql"] and "UPDATE" not in q["sql"]
    ]
    return response.status_code, len(reads)


def _on_another_connection(change) -> None:
    failure = []

    def run():
        try:
            change()
        except Exception as error:  # noqa: BLE001 - handed to the test's thread
            failure.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def _notice_arrives(timeout_s: float) -> bool:
    socket = connection.connection.pgconn.socket
    readable, _, _ = select.select([socket], [], [], timeout_s)
    return bool(readable)


def test_a_repeated_call_reads_its_token_once(client, key):
    assert _token_reads(client, key) == (200, 1)
    assert _token_reads(client, key) == (200, 0)
    assert _token_reads(client, key) == (200, 0)


def test_each_call_gets_its_own_user_object(client, key):
    first, second = _me(client, key), _me(client, key)

    assert first.wsgi_request.user == second.wsgi_request.user
    assert first.wsgi_request.user is not second.wsgi_request.user


def test_a_token_revoked_elsewhere_is_refused_once_the_notice_arrives(client, key, seller):
    assert _token_reads(client, key) == (200, 1)

    token = ApiToken.objects.get(user=seller)
    _on_another_connection(lambda: api_token_revoke(token=token, actor=seller))

    assert _notice_arrives(timeout_s=5)
    assert _me(client, key).status_code == 401


def test_a_token_revoked_on_the_same_connection_is_refused_at_once(client, key, seller):
    assert _me(client, key).status_code == 200

    api_token_revoke(token=ApiToken.objects.get(user=seller), actor=seller)

    assert _me(client, key).status_code == 401


def test_a_user_deactivated_by_raw_sql_is_refused(client, key, seller):
    assert _me(client, key).status_code == 200

    def deactivate():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE accounts_user SET is_active = false WHERE id = %s", [seller.pk])

    _on_another_connection(deactivate)

    assert _notice_arrives(timeout_s=5)
    assert _me(client, key).status_code == 401


def test_an_organisation_changed_by_update_is_seen_on_the_next_call(client, key, seller):
    assert _me(client, key).json()["organisation"]["legal_name"] == "Hakata EV"

    _on_another_connection(
        lambda: Organisation.objects.filter(pk=seller.organisation_id).update(
            legal_name="Hakata EV Recycling"
        )
    )

    assert _notice_arrives(timeout_s=5)
    assert _me(client, key).json()["organisation"]["legal_name"] == "Hakata EV Recycling"


def test_a_deleted_user_takes_its_kept_token_with_it(client, key, seller):
    assert _me(client, key).status_code == 200

    _on_another_connection(lambda: User.objects.filter(pk=seller.pk).delete())

    assert _notice_arrives(timeout_s=5)
    assert _me(client, key).status_code == 401


def test_the_last_used_time_alone_sends_no_notice(client, key, seller):
    assert _token_reads(client, key) == (200, 1)
    before = ApiToken.objects.get(user=seller).last_used_at

    _on_another_connection(lambda: ApiToken.objects.filter(user=seller).update(last_used_at=before))

    assert not _notice_arrives(timeout_s=0.5)
    assert _token_reads(client, key) == (200, 0)


def test_a_last_login_alone_sends_no_notice_but_a_name_does(client, key, seller):
    assert _me(client, key).status_code == 200

    _on_another_connection(lambda: User.objects.filter(pk=seller.pk).update(last_login=None))
    assert not _notice_arrives(timeout_s=0.5)

    _on_another_connection(lambda: User.objects.filter(pk=seller.pk).update(first_name="Aiko"))
    assert _notice_arrives(timeout_s=5)


def test_the_last_used_time_is_written_and_read_again_when_it_is_old(client, new_key, seller):
    token = ApiToken.objects.get(user=seller)
    assert token.last_used_at is None

    assert _token_reads(client, new_key) == (200, 1)  # read, kept, then written and forgotten
    written = ApiToken.objects.get(pk=token.pk).last_used_at
    assert written is not None

    assert _token_reads(client, new_key) == (200, 1)  # the new time read and kept
    assert _token_reads(client, new_key) == (200, 0)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == written


def test_a_row_read_while_a_notice_arrives_is_not_kept(client, key, monkeypatch):
    """PostgreSQL hands a notice over at the end of a statement: the result that brings it may
    hold the row as it was before the change it announces."""
    read = authentication._LIVE_TOKEN.rows

    def read_and_receive_a_notice(**values):
        found = read(**values)
        getattr(connection, token_cache._ATTRIBUTE).on_notice()
        return found

    monkeypatch.setattr(authentication._LIVE_TOKEN, "rows", read_and_receive_a_notice)
    assert _token_reads(client, key) == (200, 1)
    monkeypatch.undo()

    assert _token_reads(client, key) == (200, 1)  # nothing was kept: read again, and kept
    assert _token_reads(client, key) == (200, 0)


def test_an_unknown_key_is_never_kept(client):
    assert _token_reads(client, "no-such-key") == (401, 1)
    assert _token_reads(client, "no-such-key") == (401, 1)


def test_nothing_is_kept_inside_a_transaction(client, key):
    with transaction.atomic():
        assert _token_reads(client, key) == (200, 1)
        assert _token_reads(client, key) == (200, 1)


def test_nothing_is_kept_when_the_setting_is_off(client, key, settings):
    settings.KEEP_TOKEN_ROWS = False  # behind a pooler that does not keep LISTEN

    assert _token_reads(client, key) == (200, 1)
    assert _token_reads(client, key) == (200, 1)


def test_a_new_connection_starts_with_nothing_kept(client, key):
    assert _token_reads(client, key) == (200, 1)
    assert _token_reads(client, key) == (200, 0)

    connection.close()

    assert _token_reads(client, key) == (200, 1)
    assert _token_reads(client, key) == (200, 0)


def test_a_connection_whose_socket_is_gone_keeps_nothing(client, key):
    assert _token_reads(client, key) == (200, 1)
    kept = getattr(connection, token_cache._ATTRIBUTE)

    connection.connection.pgconn.finish()  # as if the server had closed it
    try:
        assert kept.take_delivered_notices() is False
        assert kept.rows == {}
    finally:
        connection.close()


@pytest.mark.parametrize("table", sorted(change_notices.WATCHED))
def test_every_watched_table_announces_a_truncate(table):
    with connection.cursor() as cursor:
        cursor.execute(f"LISTEN {change_notices.CHANNEL}")
    received = []
    connection.connection.add_notify_handler(received.append)

    _on_another_connection(lambda: _truncate(table))

    assert _notice_arrives(timeout_s=5)
    connection.connection.pgconn.consume_input()
    while (notice := connection.connection.pgconn.notifies()) is not None:
        received.append(notice)
    assert received


def _truncate(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")
