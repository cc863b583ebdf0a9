"""Timestamps read by the backend's loader are exactly what Django's own loader gives."""

from datetime import UTC

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader

from marketplace.core.postgresql.base import UtcTimestamptzLoader

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db]

TEXTS = [
    "2026-12-07 01:02:03.456789+00",
    "2026-12-07 10:02:03+09",
    "2026-06-30 23:59:59.5-05",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "1582-10-04 12:00:00+05:30",
    "0044-03-15 12:00:00+00 BC",
]


def _read(texts: list[str], *, django_loader: bool, zone: str = "UTC") -> list:
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if django_loader:
            register_tzloader(UTC, raw)  # what Django registers without this backend
        raw.execute("SELECT set_config('TimeZone', %s, false)", [zone])
        try:
            raw.execute(
                "SELECT value::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS t(value, n) "
                "ORDER BY n",
                [texts],
            )
            return [row[0] for row in raw.fetchall()]
        except psycopg.DataError as error:
            return [type(error)]
        finally:
            raw.execute("SELECT set_config('TimeZone', 'UTC', false)")


def test_connections_read_timestamps_with_the_fast_loader():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, psycopg.pq.Format.TEXT)

    assert loader is UtcTimestamptzLoader


def test_every_timestamp_is_djangos_value_and_zone():
    ours = _read(TEXTS[:-1], django_loader=False)
    djangos = _read(TEXTS[:-1], django_loader=True)

    assert ours == djangos
    assert [value.tzinfo for value in ours] == [UTC] * len(ours)


@pytest.mark.parametrize("text", ["infinity", TEXTS[-1]])
def test_what_python_cannot_hold_fails_as_with_djangos_loader(text):
    assert _read([text], django_loader=False) == _read([text], django_loader=True)


def test_a_session_in_another_zone_reads_as_with_djangos_loader():
    assert _read(TEXTS[:-1], django_loader=False, zone="Asia/Tokyo") == _read(
        TEXTS[:-1], django_loader=True, zone="Asia/Tokyo"
    )
