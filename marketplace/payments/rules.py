"""Payment rules from data/fees.yaml and data/settlement.yaml, checked once, typed for callers.

A malformed file is a deployment error (PaymentRulesError at first use), never a user error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from marketplace.payments.money import ZERO_DECIMAL_CURRENCIES

DATA = Path(__file__).resolve().parent / "data"
FEES_PATH = DATA / "fees.yaml"
SETTLEMENT_PATH = DATA / "settlement.yaml"
HUNDRED = Decimal(100)


class PaymentRulesError(Exception):
    """A rules file is broken."""


def quantize_money(amount: Decimal, currency: str) -> Decimal:
    """To the currency's smallest unit, halves away from zero (whole yen for JPY)."""
    unit = Decimal(1) if currency.upper() in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    return amount.quantize(unit, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FeeRules:
    version: str
    percent_by_listing_type: dict[str, Decimal]
    deposit_threshold_by_currency: dict[str, Decimal]
    deposit_percent_by_listing_type: dict[str, Decimal]
    deposit_renew_after_hours: int

    def fee_pct(self, listing_type: str) -> Decimal:
        try:
            return self.percent_by_listing_type[listing_type]
        except KeyError:
            raise PaymentRulesError(f"fees: no fee for listing type {listing_type}") from None

    def fee(self, *, gross: Decimal, listing_type: str, currency: str) -> Decimal:
        return quantize_money(gross * self.fee_pct(listing_type) / HUNDRED, currency)

    def deposit_for(self, *, value: Decimal | None, listing_type: str, currency: str) -> Decimal:
        """The deposit a bidder must hold on a lot of this value; 0 when none is needed."""
        threshold = self.deposit_threshold_by_currency.get(currency.upper())
        percent = self.deposit_percent_by_listing_type.get(listing_type)
        if value is None or threshold is None or percent is None or value <= threshold:
            return Decimal(0)
        return quantize_money(value * percent / HUNDRED, currency)


@dataclass(frozen=True)
class SettlementRules:
    version: str
    provisional_share_pct: Decimal
    default_splitting_limit_abs_pct: Decimal
    splitting_limit_abs_pct: dict[str, Decimal]

    def splitting_limit(self, element: str) -> Decimal:
        return self.splitting_limit_abs_pct.get(element, self.default_splitting_limit_abs_pct)


def _decimal(value: Any, where: str, *, high: Decimal | None = None) -> Decimal:
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise PaymentRulesError(f"{where}: {value!r} is not a number") from None
    if not number.is_finite() or number < 0 or (high is not None and number > high):
        raise PaymentRulesError(f"{where}: {value!r} is out of range")
    return number


def _section(data: dict, name: str) -> dict:
    section = data.get(name)
    if not isinstance(section, dict) or not section.get("source"):
        raise PaymentRulesError(f"{name}: a mapping with a source is required")
    return section


def _table(section: dict, key: str, where: str, high: Decimal | None = None) -> dict:
    rows = section.get(key)
    if not isinstance(rows, dict) or not rows:
        raise PaymentRulesError(f"{where}.{key}: a non-empty mapping is required")
    return {str(k): _decimal(v, f"{where}.{key}.{k}", high=high) for k, v in rows.items()}


def parse_fee_rules(data: dict) -> FeeRules:
    fees, deposits = _section(data, "fees"), _section(data, "deposits")
    hours = deposits.get("renew_after_hours")
    if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours < 168:
        raise PaymentRulesError("deposits.renew_after_hours: whole hours below 7 days")
    return FeeRules(
        version=str(data.get("version") or ""),
        percent_by_listing_type=_table(fees, "percent_by_listing_type", "fees", HUNDRED),
        deposit_threshold_by_currency=_table(deposits, "threshold_by_currency", "deposits"),
        deposit_percent_by_listing_type=_table(
            deposits, "percent_of_value_by_listing_type", "deposits", HUNDRED
        ),
        deposit_renew_after_hours=hours,
    )


def parse_settlement_rules(data: dict) -> SettlementRules:
    provisional, limits = _section(data, "provisional"), _section(data, "splitting_limits")
    return SettlementRules(
        version=str(data.get("version") or ""),
        provisional_share_pct=_decimal(
            provisional.get("share_pct"), "provisional.share_pct", high=HUNDRED
        ),
        default_splitting_limit_abs_pct=_decimal(
            limits.get("default_abs_pct"), "splitting_limits.default_abs_pct", high=HUNDRED
        ),
        splitting_limit_abs_pct=_table(limits, "abs_pct_by_element", "splitting_limits", HUNDRED),
    )


def _load(path: Path) -> dict:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise PaymentRulesError(f"{path.name}: {error}") from error


@cache
def get_fee_rules() -> FeeRules:
    return parse_fee_rules(_load(FEES_PATH))


@cache
def get_settlement_rules() -> SettlementRules:
    return parse_settlement_rules(_load(SETTLEMENT_PATH))
