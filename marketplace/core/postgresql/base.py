"""Django's PostgreSQL backend with a health check that costs no round trip when it need not,
and timestamps read without a regular expression.

With CONN_HEALTH_CHECKS Django sends ``SELECT 1`` before the first query of every request
that reuses a connection: on the bid path that is one round trip in five, and on a loaded
machine each round trip costs two context switches and a wait for a core. A connection the
server has closed (a restart, ``pg_terminate_backend``, an idle timeout) has something to
read while we sent nothing: the server's goodbye or the end of the stream. So the check first
looks at the socket without blocking; only when it has something to read, or cannot be looked
at, does it ask the server as Django does. A connection that is merely idle is reused as it is.

Django reads every ``timestamptz`` through a subclass of psycopg's pure-Python loader (to pin
the result's tzinfo), which parses the text with a regular expression: 125 times for a page
of search results. Django keeps the session in UTC when its own zone is UTC
(``ensure_timezone``), and PostgreSQL then writes ``2026-12-07 01:02:03.456789+00``, which
``datetime.fromisoformat`` reads in C as the same aware datetime in ``datetime.UTC``.
Anything else (another offset, a BC date, infinity, another DateStyle) is left to Django's
loader, so the values are Django's in every case.
"""

from __future__ import annotations

import functools
import select
from datetime import UTC, datetime

from django.conf import settings
from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import BaseTzLoader, get_adapters_template
from psycopg.adapt import AdaptersMap
from psycopg.pq import TransactionStatus


class UtcTimestamptzLoader(BaseTzLoader):
    timezone = UTC  # Django's cursors compare it with their connection's zone

    def load(self, data):
        try:
            value = datetime.fromisoformat(str(data, "ascii"))
        except ValueError:
            return super().load(data)
        return value if value.tzinfo is UTC else super().load(data)


@functools.cache
def adapters_template(use_tz: bool, timezone) -> AdaptersMap:
    """Django's adapters for a new connection; with UTC, the timestamptz loader above."""
    template = get_adapters_template(use_tz, timezone)
    if timezone is not UTC:
        return template
    adapters = AdaptersMap(template)
    adapters.register_loader("timestamptz", UtcTimestamptzLoader)
    return adapters


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        if "context" in params:
            params["context"] = adapters_template(settings.USE_TZ, self.timezone)
        return params

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self._nothing_to_read()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _nothing_to_read(self) -> bool:
        """True when the idle connection's socket is open and silent (nothing was sent to us
        since the last result was read)."""
        try:
            idle = self.connection.info.transaction_status == TransactionStatus.IDLE
            if self.connection.closed or not idle:
                return False  # closed, or not idle: let Django decide
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable
