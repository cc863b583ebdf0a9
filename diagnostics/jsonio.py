"""JSON with exact decimals: a Decimal is written as a JSON number in its own text.

`json` would turn Decimal into a float (85.3 -> 85.29999...) or refuse it; here
Decimal("85.3") is written `85.3` and Decimal("504743") `504743`. Readers that parse JSON
numbers as decimals (Python: json.loads(text, parse_float=Decimal)) get the value back exactly.
"""

import json
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise


def dumps(value: Any, *, indent: int | None = 2) -> str:
    return _encode(value, indent, 0)


def loads(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


def _encode(value: Any, indent: int | None, level: int) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write {value} as a JSON number")
        return str(value)
    if isinstance(value, float):
        raise TypeError("floats are not written: convert to Decimal with explicit rounding")
    if isinstance(value, dict):
        items = [
            f"{json.dumps(str(key), ensure_ascii=False)}: {_encode(item, indent, level + 1)}"
            for key, item in value.items()
        ]
        return _join(items, "{", "}", indent, level)
    if isinstance(value, list | tuple):
        items = [_encode(item, indent, level + 1) for item in value]
        return _join(items, "[", "]", indent, level)
    if isinstance(value, Promise):  # lazy translations in error bodies
        value = str(value)
    return json.dumps(value, ensure_ascii=False)


def _join(items: list[str], opening: str, closing: str, indent: int | None, level: int) -> str:
    if not items:
        return opening + closing
    if indent is None:
        return opening + ", ".join(items) + closing
    inner = "\n" + " " * (indent * (level + 1))
    outer = "\n" + " " * (indent * level)
    return opening + inner + ("," + inner).join(items) + outer + closing
