"""A listing search's statements, kept per query string: the count and the keys of a page.

Before it sends anything, a search builds its queryset (the FilterSet's form built and
cleaned, a clone per filter) and compiles the COUNT and the page's keys: 6.7 M of a
black-mass search's 17.3 M instructions, more than running both statements. What those
statements say depends only on the query string, on which listings the user may see (all
for staff; the public ones, and their organisation's own for a member of one) and on the
page's bounds. So the first search with a query string runs as before, and the statements
Django sent for it are kept (as sent: read through ``connection.execute_wrapper``); the next
search with the same query string and the same kind of user sends them again, with the
user's organisation bound in place of the first user's, without building the queryset.

The organisation is found among the first search's parameters as the one integer equal to
it; when another integer equals it too (``seller=`` the user's own organisation), the
statements are not kept. The query string must have passed the FilterSet: one that fails
raises before anything is kept, so it is validated again every time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet

from marketplace.accounts.models import User
from marketplace.catalog.models import Listing
from marketplace.catalog.selectors import listing_visibility_key

MAX_QUERIES = 512  # query strings kept per process, the least recently used dropped first


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    organisation_slot: int | None  # where the user's organisation is bound, if anywhere


# (database, kind of user, query string) → (what, bounds) → the statement sent for it
_kept: OrderedDict[tuple, dict[tuple, _Statement]] = OrderedDict()
_lock = threading.Lock()


def forget_all() -> None:
    """Drop every kept statement (tests; a deploy starts new processes anyway)."""
    with _lock:
        _kept.clear()


class ListingSearch:
    """The listings a search matches, as ``CappedCountPaginator`` reads them: counted up to
    a limit (``count_up_to``), and the keys of the rows from ``bottom`` to ``top``
    (``search[bottom:top]``)."""

    ordered = True  # by the ordering asked for, else the listing's own (newest first)

    def __init__(self, *, user: User, query_string: str, build: Callable[[], QuerySet]) -> None:
        self.db = router.db_for_read(Listing)
        self._build = build
        self._queryset: QuerySet | None = None
        kind, self._organisation = listing_visibility_key(user)
        self._key = (self.db, kind, query_string)

    def count_up_to(self, limit: int | None) -> int:
        """Matches, counted up to ``limit + 1`` (None: all of them)."""
        (count,) = self._run(
            ("count", limit),
            lambda queryset: [
                queryset.count() if limit is None else queryset.order_by()[: limit + 1].count()
            ],
        )
        return count

    def __getitem__(self, bounds: slice) -> list[int]:
        if not isinstance(bounds, slice) or bounds.step is not None:
            raise TypeError("a search is read by a slice of rows")
        return self._run(
            ("keys", bounds.start, bounds.stop),
            lambda queryset: list(
                queryset[bounds.start : bounds.stop].values_list("pk", flat=True)
            ),
        )

    def _run(self, what: tuple, run_on_queryset: Callable[[QuerySet], list]) -> list:
        """The one column the statement for ``what`` reads, as a list: from the statement
        kept, else from the queryset (and then that statement is kept)."""
        with _lock:
            kept = _kept.get(self._key)
            if kept is not None:
                _kept.move_to_end(self._key)
            statement = kept.get(what) if kept is not None else None
        connection = connections[self.db]
        if statement is None:
            return self._run_and_keep(what, run_on_queryset, connection)
        params = list(statement.params)
        if statement.organisation_slot is not None:
            params[statement.organisation_slot] = self._organisation
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            return [value for (value,) in cursor.fetchall()]

    def _run_and_keep(self, what, run_on_queryset, connection) -> list:
        if self._queryset is None:
            self._queryset = self._build()  # a query string the FilterSet refuses raises here
        sent: list[tuple[str, tuple]] = []

        def record(execute, sql, params, many, context):
            sent.append((sql, tuple(params or ())))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            result = run_on_queryset(self._queryset)
        self._keep(what, sent)
        return result

    def _keep(self, what: tuple, sent: list[tuple[str, tuple]]) -> None:
        if len(sent) != 1:
            return  # not one plain statement (a reconnect's check, say): nothing to keep
        sql, params = sent[0]
        slots = [
            index
            for index, value in enumerate(params)
            if type(value) is int and value == self._organisation
        ]
        if self._organisation is None:
            statement = _Statement(sql, params, None)
        elif len(slots) == 1:
            statement = _Statement(sql, params, slots[0])
        else:
            return  # the organisation is also a filter's value: which one to bind is unknown
        with _lock:
            _kept.setdefault(self._key, {})[what] = statement
            _kept.move_to_end(self._key)
            while len(_kept) > MAX_QUERIES:
                _kept.popitem(last=False)
