"""Market rules from data/market_rules.yaml: increments, soft close, offers, domestic-first.

The loader checks the file once and fails loudly on a bad value; callers get typed values and do
not care which country or currency a rule is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

RULES_PATH = Path(__file__).resolve().parent / "data" / "market_rules.yaml"


class MarketRulesError(Exception):
    """The rules file is broken: a deployment error, not a user error."""


@dataclass(frozen=True)
class IncrementStep:
    from_amount: Decimal
    step: Decimal


@dataclass(frozen=True)
class MarketRules:
    version: str
    increments: dict[str, tuple[IncrementStep, ...]]
    soft_close_window_minutes: int
    soft_close_max_extension_minutes: int
    soft_close_min_window_minutes: int
    soft_close_max_window_minutes: int
    soft_close_max_extension_limit_minutes: int
    offer_default_validity_hours: int
    offer_max_validity_hours: int
    min_duration_minutes: int
    max_duration_days: int
    domestic_first_hours: dict[str, int]
    waste_listing_types: frozenset[str]
    waste_grades: frozenset[str]

    def increment(self, *, currency: str, price: Decimal) -> Decimal:
        """The minimum step above ``price``: the row with the largest ``from`` ≤ price."""
        try:
            table = self.increments[currency]
        except KeyError:
            raise MarketRulesError(f"no increment table for currency {currency}") from None
        step = table[0].step
        for row in table:
            if price >= row.from_amount:
                step = row.step
        return step


def _decimal(value: Any, where: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise MarketRulesError(f"{where}: {value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise MarketRulesError(f"{where}: {value!r} must be a finite number ≥ 0")
    return number


def _int(section: dict, key: str, where: str) -> int:
    value = section.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise MarketRulesError(f"{where}.{key}: a whole number ≥ 0 is required")
    return value


def parse_rules(data: dict[str, Any]) -> MarketRules:
    for section in ("increments", "soft_close", "offers", "durations", "domestic_first"):
        if not isinstance(data.get(section), dict) or not data[section].get("source"):
            raise MarketRulesError(f"{section}: a mapping with a source is required")
    increments: dict[str, tuple[IncrementStep, ...]] = {}
    for currency, rows in data["increments"]["tables"].items():
        steps = tuple(
            IncrementStep(
                _decimal(row["from"], f"increments.{currency}.from"),
                _decimal(row["step"], f"increments.{currency}.step"),
            )
            for row in rows
        )
        if not steps or steps[0].from_amount != 0:
            raise MarketRulesError(f"increments.{currency}: the first row must start at 0")
        if any(a.from_amount >= b.from_amount for a, b in zip(steps, steps[1:], strict=False)):
            raise MarketRulesError(f"increments.{currency}: rows must ascend by `from`")
        if any(step.step <= 0 for step in steps):
            raise MarketRulesError(f"increments.{currency}: steps must be > 0")
        increments[currency] = steps
    soft, offers, durations = data["soft_close"], data["offers"], data["durations"]
    hours = data["domestic_first"].get("hours") or {}
    return MarketRules(
        version=str(data.get("version") or ""),
        increments=increments,
        soft_close_window_minutes=_int(soft, "window_minutes", "soft_close"),
        soft_close_max_extension_minutes=_int(soft, "max_extension_minutes", "soft_close"),
        soft_close_min_window_minutes=_int(soft, "min_window_minutes", "soft_close"),
        soft_close_max_window_minutes=_int(soft, "max_window_minutes", "soft_close"),
        soft_close_max_extension_limit_minutes=_int(
            soft, "max_extension_limit_minutes", "soft_close"
        ),
        offer_default_validity_hours=_int(offers, "default_validity_hours", "offers"),
        offer_max_validity_hours=_int(offers, "max_validity_hours", "offers"),
        min_duration_minutes=_int(durations, "min_minutes", "durations"),
        max_duration_days=_int(durations, "max_days", "durations"),
        domestic_first_hours={
            key: _int(hours, key, "domestic_first.hours") for key in sorted(hours)
        },
        waste_listing_types=frozenset(data["waste_lots"]["listing_types"]),
        waste_grades=frozenset(data["waste_lots"]["grades"]),
    )


@cache
def get_rules() -> MarketRules:
    with RULES_PATH.open(encoding="utf-8") as handle:
        return parse_rules(yaml.safe_load(handle))
