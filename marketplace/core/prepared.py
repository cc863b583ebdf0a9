"""Hot reads compiled once: a queryset's SQL built for one shape, then re-run with new values.

Turning a queryset into SQL costs more CPU than running it: 0.55 ms for the API-token read
(token, user, organisation) and 0.8 ms for a sale with its listing and leading bid, against
0.15–0.18 ms to execute and fetch the same SQL (bench/README in docs/benchmarks.md). Every
API request authenticates, and every bid reads its sale, so those few shapes are compiled
once per thread's connection and afterwards only bound, executed and turned into model
instances exactly as Django's own ``ModelIterable`` does (``select_related`` objects
included), so callers get the same objects the queryset would give.

Only plain ``int`` and ``str`` values and aware ``datetime`` values can be bound: the shape is
compiled with a marker value for each, and the markers are found again among the compiled
parameters. That is exact for ``int`` and ``str`` (Django passes them to the driver
unchanged) and for a ``datetime`` compared with a DateTimeField, which Django passes through
the backend's ``adapt_datetimefield_value``: the marker is looked for, and the value bound,
as that function gives them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators


class PreparedReadError(Exception):
    """The queryset shape cannot be prepared (a programming error, found at first use)."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: dict[str, int]  # value name → position among params
    model: type[Model]
    init_list: list[str]
    model_slice: slice
    related_populators: list[Any]
    annotations: dict[str, int]
    converters: list[tuple[int, tuple[list[Callable], Any]]]


class PreparedRead:
    """``PreparedRead(lambda organisation, pk: Sale.objects…filter(…), organisation=int,
    pk=int)``; then ``.first(organisation=…, pk=…)`` or ``.all(…)``."""

    def __init__(self, build: Callable[..., QuerySet], **value_types: type) -> None:
        for name, kind in value_types.items():
            if kind not in (int, str, datetime):
                raise PreparedReadError(f"{name}: only int, str and datetime values can be bound")
        self._build = build
        self._value_types = value_types
        self._per_thread = threading.local()

    def all(self, *, using: str = "default", **values: Any) -> list[Model]:
        return [self.instance(row, using=using) for row in self.rows(using=using, **values)]

    def first(self, *, using: str = "default", **values: Any) -> Model | None:
        found = self.all(using=using, **values)
        return found[0] if found else None

    def rows(self, *, using: str = "default", **values: Any) -> list[tuple]:
        """The rows as the driver gives them; ``instance`` turns one into the model's objects
        (new objects each time, so a row may be kept and turned again)."""
        if any(
            kind is int and not -(2**63) <= values[name] < 2**63
            for name, kind in self._value_types.items()
        ):
            return []  # no key column holds it (the ORM answers the same for such a filter)
        connection = connections[using]
        compiled = self._compiled(using, connection)
        params = list(compiled.params)
        for name, position in compiled.slots.items():
            params[position] = self._bound(self._value_types[name], values[name], connection)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            return cursor.fetchall()

    def instance(self, row: tuple, *, using: str = "default") -> Model:
        connection = connections[using]
        return self._instance(self._compiled(using, connection), row, using, connection)

    def _compiled(self, using: str, connection) -> _Compiled:
        cache = self._per_thread.__dict__.setdefault("compiled", {})
        key = (using, id(connection))
        compiled = cache.get(key)
        if compiled is None:
            compiled = cache[key] = self._compile(using)
        return compiled

    @staticmethod
    def _bound(kind: type, value: Any, connection) -> Any:
        if kind is not datetime:
            return kind(value)
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise PreparedReadError(f"an aware datetime is needed, not {value!r}")
        return connection.ops.adapt_datetimefield_value(value)

    @staticmethod
    def _marker(kind: type, name: str, index: int) -> Any:
        if kind is int:
            return -(2**62) - index
        if kind is datetime:
            # A moment no row holds (2 January of year 1: a day from the calendar's start, so
            # any zone can convert it), one microsecond apart per value.
            return datetime(1, 1, 2, tzinfo=UTC) + timedelta(microseconds=index)
        return f"\x00prepared:{name}"

    def _compile(self, using: str) -> _Compiled:
        markers = {
            name: self._marker(kind, name, index)
            for index, (name, kind) in enumerate(self._value_types.items())
        }
        connection = connections[using]
        compiled_markers = {
            name: self._bound(self._value_types[name], marker, connection)
            for name, marker in markers.items()
        }
        queryset = self._build(**markers)
        if queryset._iterable_class is not ModelIterable or queryset._prefetch_related_lookups:
            raise PreparedReadError("only plain model querysets (no values(), no prefetch)")
        if queryset._known_related_objects:
            raise PreparedReadError("querysets reached through a related manager are not supported")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = {}
        for name, marker in compiled_markers.items():
            positions = [i for i, value in enumerate(params) if value == marker]
            if len(positions) != 1:
                raise PreparedReadError(f"{name}: expected once among the SQL's parameters")
            slots[name] = positions[0]
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        fields = [column[0] for column in select[: compiler.col_count]]
        return _Compiled(
            sql=sql,
            params=tuple(params),
            slots=slots,
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in select[start:end]],
            model_slice=slice(start, end),
            related_populators=get_related_populators(klass_info, select, using),
            annotations=dict(compiler.annotation_col_map or {}),
            converters=list(compiler.get_converters(fields).items()),
        )

    @staticmethod
    def _instance(compiled: _Compiled, row: tuple, using: str, connection) -> Model:
        if compiled.converters:
            row = list(row)
            for position, (converters, expression) in compiled.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
        obj = compiled.model.from_db(using, compiled.init_list, row[compiled.model_slice])
        for populator in compiled.related_populators:
            populator.populate(row, obj)
        for name, position in compiled.annotations.items():
            setattr(obj, name, row[position])
        return obj


class PreparedRowsByKey:
    """``model.objects.filter(pk__in=keys).values_list(*paths)`` with its SQL compiled once per
    thread's connection and key count, for a read whose shape never changes but its keys (the
    rows of a search page: turning 76 value paths through five joins into SQL took longer than
    running it). The keys are padded to the next of a few sizes by repeating the last one,
    which selects no row twice, so a handful of statements serve every page size. Rows come
    back as values_list() gives them, in the order of the keys asked for."""

    SIZES = (1, 5, 10, 25, 50, 100, 200)

    def __init__(self, model: type[Model], paths: tuple[str, ...]) -> None:
        if "pk" not in paths and model._meta.pk.name not in paths:
            raise PreparedReadError("the paths must include the primary key")
        self._model = model
        self._paths = paths
        self._key_position = paths.index("pk" if "pk" in paths else model._meta.pk.name)
        self._per_thread = threading.local()

    def rows(self, keys: list[int], *, using: str = "default") -> list[tuple]:
        connection = connections[using]
        found: dict[Any, tuple] = {}
        largest = self.SIZES[-1]
        for start in range(0, len(keys), largest):
            chunk = list(keys[start : start + largest])
            size = next(size for size in self.SIZES if size >= len(chunk))
            sql, converters = self._compiled(using, connection, size)
            with connection.cursor() as cursor:
                cursor.execute(sql, chunk + [chunk[-1]] * (size - len(chunk)))
                fetched = cursor.fetchall()
            for row in self._converted(fetched, converters, connection):
                found[row[self._key_position]] = row
        return [found[key] for key in keys if key in found]

    def _compiled(self, using: str, connection, size: int) -> tuple[str, list]:
        cache = self._per_thread.__dict__.setdefault("compiled", {})
        key = (using, id(connection), size)
        if key not in cache:
            markers = [-(2**62) - index for index in range(size)]
            queryset = (
                self._model._base_manager.using(using)
                .filter(pk__in=markers)
                .values_list(*self._paths)
                .order_by()
            )
            compiler = queryset.query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            if list(params) != markers:
                raise PreparedReadError("the keys must be the statement's only parameters")
            fields = [column[0] for column in compiler.select[: compiler.col_count]]
            cache[key] = (sql, list(compiler.get_converters(fields).items()))
        return cache[key]

    @staticmethod
    def _converted(rows: list[tuple], converters: list, connection) -> list[tuple]:
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted
