"""Bulk import of listings from CSV or JSON: every row checked, all or nothing.

A file is one list of listings in the API's create shape. CSV flattens the nested
item dicts into dotted column names (`pack.chemistry`, `vehicle.vin`); an empty cell
means "not given". Row numbers are those a person sees: in a CSV the header is row 1,
so the first listing is row 2; in JSON the first element of the list is row 1.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.accounts.services import ensure_can_trade
from marketplace.catalog import services
from marketplace.catalog.inputs import ListingInput
from marketplace.core.exceptions import DomainError

ITEM_KEYS = ("vehicle", "pack", "module_lot", "black_mass_lot")


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


class ImportFailed(DomainError):
    code = "import_failed"

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        fields: dict[str, list[str]] = {}
        for error in errors:
            fields.setdefault(f"rows.{error.row}.{error.field}", []).append(error.message)
        super().__init__(
            _("The file has %(count)d error(s); nothing was imported.") % {"count": len(errors)},
            fields=fields,
        )


def _unflatten(record: dict[str, Any]) -> dict[str, Any]:
    """{"pack.chemistry": "lfp", "title": "x", "region": ""} → {"pack": {...}, "title": "x"}."""
    nested: dict[str, Any] = {}
    for key, value in record.items():
        if key is None or value is None or (isinstance(value, str) and value.strip() == ""):
            continue
        key = key.strip()
        value = value.strip() if isinstance(value, str) else value
        if "." in key:
            item, field = key.split(".", 1)
            nested.setdefault(item, {})[field] = value
        else:
            nested[key] = value
    return nested


def parse(*, content: bytes, file_format: str) -> list[tuple[int, dict[str, Any]]]:
    """Rows as (row number, record). A file that cannot be read at all is one error."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed([RowError(0, "file", _("The file must be UTF-8 text."))]) from None
    if file_format == "csv":
        reader = csv.DictReader(io.StringIO(text))
        return [(index, _unflatten(record)) for index, record in enumerate(reader, start=2)]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        message = _("Not valid JSON: %(error)s") % {"error": error.msg}
        raise ImportFailed([RowError(error.lineno, "file", message)]) from None
    if isinstance(data, dict) and isinstance(data.get("listings"), list):
        data = data["listings"]
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        message = _('Expected a list of listings (or {"listings": [...]}).')
        raise ImportFailed([RowError(0, "file", message)])
    rows = []
    for index, record in enumerate(data, start=1):
        flat = {k: v for k, v in record.items() if k not in ITEM_KEYS}
        for item in ITEM_KEYS:
            if isinstance(record.get(item), dict):
                flat.update({f"{item}.{k}": v for k, v in record[item].items()})
            elif item in record:
                flat[item] = record[item]
        rows.append((index, _unflatten(flat)))
    return rows


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as {"pack.chemistry": ["..."]}; row-level ones under "__all__"."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "__all__" if key == "non_field_errors" else str(key)
            out.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
        return out
    if isinstance(detail, list) and all(isinstance(item, str) for item in detail):
        return {prefix or "__all__": [str(item) for item in detail]}
    if isinstance(detail, list):
        out = {}
        for index, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "__all__": [str(detail)]}


KNOWN_FIELDS = frozenset({"listing_type", *services.LISTING_FIELDS})


def _unknown_fields(record: dict[str, Any]) -> dict[str, list[str]]:
    """A misspelt column would otherwise be dropped silently, and its data with it."""
    message = _("Unknown field; see docs/examples/README.md for the columns.")
    errors: dict[str, list[str]] = {}
    for key, value in record.items():
        if key in services.ITEM_FIELDS and isinstance(value, dict):
            for name in value:
                if name not in services.ITEM_FIELDS[key]:
                    errors[f"{key}.{name}"] = [message]
        elif key not in KNOWN_FIELDS and key not in services.ITEM_FIELDS:
            errors[key] = [message]
    return errors


def _row_errors(row: int, fields: dict[str, list[str]]) -> list[RowError]:
    return [
        RowError(row, field, message) for field, messages in fields.items() for message in messages
    ]


def import_listings(
    *,
    actor: User,
    rows: list[tuple[int, dict[str, Any]]],
    progress: Callable[[Iterable], Iterable] = lambda rows: rows,
) -> int:
    """Create a draft listing per row in one transaction, or none and raise ImportFailed.

    Every row is validated and tried (in a savepoint), so one run reports every error,
    including clashes between rows of the same file.
    """
    ensure_can_trade(user=actor)
    if not rows:
        raise ImportFailed([RowError(0, "file", _("The file has no listings."))])
    errors: list[RowError] = []
    created = 0
    with transaction.atomic():
        for row, record in progress(rows):
            serializer = ListingInput(data=record)
            row_errors = {} if serializer.is_valid() else _flatten(serializer.errors)
            # A file's columns get the import's own message, which says where they are listed.
            row_errors.update(_unknown_fields(record))
            if row_errors:
                errors.extend(_row_errors(row, row_errors))
                continue
            try:
                with transaction.atomic():
                    services.listing_create(actor=actor, **serializer.validated_data)
            except DomainError as error:
                errors.extend(_row_errors(row, error.fields or {"__all__": [error.message]}))
            else:
                created += 1
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ImportFailed(errors)
    return created
