"""The live API-token rows a database connection has read, kept until PostgreSQL says that
one of the rows they came from changed.

Every API call authenticates by reading its token with the token's user and organisation: one
round trip of the three a bid makes and of the four a search page makes. Those rows
change rarely (a token revoked, a user deactivated, an organisation's verification changed),
so a connection keeps the rows it read, by key hash, and answers the next call with the same
key from them, as new model objects each time.

A kept row is only as good as the news of its change. The connection LISTENs on
change_notices.CHANNEL before it keeps anything; triggers on the three tables send a notice
when any of their rows is updated or deleted (however it is written), and every notice empties
the connection's rows. Before each use, notices already delivered are read off the socket
without a round trip (a call that read a row after a change committed sees the change; a
change that commits after the read is announced, and the next call reads again; a row whose
read brought a notice with it is not kept). Where
that cannot be relied on, nothing is kept: other databases, a connection inside a transaction
(its own uncommitted changes are announced only at commit: tests, ATOMIC_REQUESTS), a socket
that cannot be read, and where settings.KEEP_TOKEN_ROWS is off (behind a pooler in transaction
mode, which does not keep a session's LISTEN). A new connection starts empty.

A notice reaches the other connections as PostgreSQL delivers it after the commit, normally
well within a millisecond; a call that arrives on another connection inside that moment is
answered as if it had come just before the change, as a call already past its token read would be.
"""

from __future__ import annotations

import select

import psycopg
from django.conf import settings
from django.db import connections

from marketplace.accounts.change_notices import CHANNEL

MAX_ROWS = 10_000  # per connection: a bound on memory, not a rule; past it all are dropped

_ATTRIBUTE = "_accounts_kept_token_rows"


class _Kept:
    """The rows one psycopg connection has read; emptied by every notice it receives."""

    __slots__ = ("connection", "rows", "notices", "__weakref__")

    def __init__(self, raw_connection) -> None:
        self.connection = raw_connection
        self.rows: dict[str, tuple] = {}
        self.notices = 0  # received so far: a row read while one arrives is not kept

    def get(self, key: str) -> tuple | None:
        return self.rows.get(key)

    def keep(self, key: str, row: tuple, *, read_after_notices: int) -> None:
        """Keep ``row``, read when ``notices`` was ``read_after_notices``, unless a notice has
        arrived since: PostgreSQL hands a notice over when a statement ends, so one can arrive
        with the very result that holds the row it is about."""
        if self.notices != read_after_notices:
            return
        if len(self.rows) >= MAX_ROWS:
            self.rows.clear()
        self.rows[key] = row

    def forget(self, key: str) -> None:
        self.rows.pop(key, None)

    def on_notice(self, notice=None) -> None:
        self.notices += 1
        self.rows.clear()

    def take_delivered_notices(self) -> bool:
        """Apply the notices waiting on the socket; False when it cannot be read."""
        pgconn = self.connection.pgconn
        try:
            readable, _, _ = select.select([pgconn.socket], [], [], 0)
            if readable:
                pgconn.consume_input()
                while pgconn.notifies() is not None:
                    self.on_notice()
        except (OSError, ValueError, psycopg.Error):
            self.on_notice()
            return False
        return pgconn.status == psycopg.pq.ConnStatus.OK


def kept_on_connection(using: str = "default") -> _Kept | None:
    """What this thread's connection keeps, up to date with every notice delivered so far;
    None where nothing may be kept (see the module's text)."""
    connection = connections[using]
    if not settings.KEEP_TOKEN_ROWS or connection.vendor != "postgresql":
        return None
    if connection.in_atomic_block:
        return None
    connection.ensure_connection()
    if not connection.get_autocommit():
        return None
    raw = connection.connection
    kept = getattr(connection, _ATTRIBUTE, None)
    if kept is None or kept.connection is not raw:
        kept = _Kept(raw)
        with connection.cursor() as cursor:
            cursor.execute(f"LISTEN {CHANNEL}")
        # Notices read while a query runs reach the handler; the rest are taken before each use.
        raw.add_notify_handler(kept.on_notice)
        setattr(connection, _ATTRIBUTE, kept)
        return kept
    return kept if kept.take_delivered_notices() else None


def forget(key: str, using: str = "default") -> None:
    kept = getattr(connections[using], _ATTRIBUTE, None)
    if kept is not None:
        kept.forget(key)
