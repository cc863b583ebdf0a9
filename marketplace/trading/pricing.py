"""Black-mass valuation and sealed-tender bid evaluation: pure functions over plain values.

No database, no Django models: the command, the API, the HTML preview and (later) the tender close
all call these with plain numbers, so one formula serves every front door.

Formulas (DESIGN.md, diagnostics.md 4.1 and 4.4), all in exact decimal arithmetic:

    dry_kg        = wet_kg × (1 − moisture_pct/100)
    contained_kg  = dry_kg × assay_pct/100                               (per element)
    payable value = contained_kg × payable_pct/100 × price_jpy_per_kg     (per element)
    penalty       = dry_kg/1000 × max(0, level_pct − threshold_pct) × jpy_per_dry_tonne_per_pct_over
    value_jpy     = round_half_up(Σ payable values − Σ penalties)         (to whole yen, once)

Rounding happens once, at the end, to whole yen with ROUND_HALF_UP (0.5 yen rounds away from zero).
Every intermediate figure (dry_kg, contained_kg, line values) is exact and reported unrounded.
``lines`` has one entry per element named in the assay, the payables or the penalties, in the order
Ni, Co, Li, Mn, Cu, then impurities, then H2O.

Penalties (diagnostics.md 4.4 says rates are contract parameters, so there are no defaults here):
a list of rules ``{"element": "Cu", "threshold_pct": 2, "jpy_per_dry_tonne_per_pct_over": 5000}``.
The level is the element's dry assay; for ``"H2O"`` it is ``moisture_pct`` (its line reports the
moisture as ``assay_pct`` and the water, wet − dry, as ``contained_kg``). The deduction is linear
in the excess (0.5 points over costs half of one point), per dry tonne of the lot. One rule per
element. The value may come out negative when deductions exceed the metal value; it is not clamped.

Input rules (a broken rule raises ``QuoteInputError`` naming the field, e.g. ``assay_pct.Ni``):
- ``wet_kg`` > 0; 0 ≤ ``moisture_pct`` < 100.
- ``assay_pct``: known elements (``choices.ASSAY_ELEMENTS``), each 0–100, summing to at most 100.
  An element the assay does not list counts as 0 %.
- ``payables_pct``: at least one element with a reference price (Ni, Co, Li, Mn, Cu), each 0–100.
- ``prices_jpy_per_kg``: > 0, required for every element that has a payable; others are ignored.
- Numbers may be ``Decimal``, ``int``, numeric strings, or floats (read through their shortest
  repr, so ``0.1`` means 0.1); booleans, NaN and infinities are refused.
"""

from __future__ import annotations

import decimal
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from marketplace.core.exceptions import DomainError
from marketplace.trading.choices import (
    ASSAY_ELEMENTS,
    IMPURITY_ELEMENTS,
    MOISTURE,
    PAYABLE_ELEMENTS,
    PENALTY_ELEMENTS,
)

HUNDRED = Decimal(100)
KG_PER_TONNE = Decimal(1000)
ROUNDING = ROUND_HALF_UP

# Inputs are short decimals and the formulas only multiply, subtract and divide by 100 or 1000,
# so every result is exact in this context; Inexact is trapped to prove it (and to refuse inputs
# with absurdly many digits rather than silently round them).
_EXACT = decimal.Context(
    prec=200,
    rounding=ROUNDING,
    traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow, decimal.DivisionByZero],
)
# Each input has at most 15 integer digits and 12 decimal places (27 digits); five such factors
# need at most 135 digits, well inside the context's precision.
_MAX_INTEGER_DIGITS = 15
_MAX_DECIMAL_PLACES = 12


class QuoteInputError(DomainError):
    """Bad valuation input; ``fields`` names the input, e.g. ``{"assay_pct.Ni": [..]}``."""

    code = "validation_error"
    status = 400

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}", fields={field_name: [message]})
        self.field_name = field_name


# --- Results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuoteLine:
    """The figures for one element. Monetary values are exact (unrounded) JPY."""

    element: str
    assay_pct: Decimal
    contained_kg: Decimal
    payable_pct: Decimal | None
    price_jpy_per_kg: Decimal | None
    payable_value_jpy: Decimal
    penalty_threshold_pct: Decimal | None
    penalty_jpy_per_dry_tonne_per_pct_over: Decimal | None
    penalty_jpy: Decimal

    @property
    def value_jpy(self) -> Decimal:
        return _EXACT.subtract(self.payable_value_jpy, self.penalty_jpy)

    def as_dict(self) -> dict[str, Any]:
        return {
            "element": self.element,
            "assay_pct": self.assay_pct,
            "contained_kg": self.contained_kg,
            "payable_pct": self.payable_pct,
            "price_jpy_per_kg": self.price_jpy_per_kg,
            "payable_value_jpy": self.payable_value_jpy,
            "penalty_threshold_pct": self.penalty_threshold_pct,
            "penalty_jpy_per_dry_tonne_per_pct_over": self.penalty_jpy_per_dry_tonne_per_pct_over,
            "penalty_jpy": self.penalty_jpy,
            "value_jpy": self.value_jpy,
        }


@dataclass(frozen=True)
class Quote:
    dry_kg: Decimal
    contained_kg: dict[str, Decimal]
    value_jpy: int
    lines: tuple[QuoteLine, ...]
    exact_value_jpy: Decimal = field(compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The DESIGN.md output: ``{dry_kg, contained_kg, value_jpy, lines}``."""
        return {
            "dry_kg": self.dry_kg,
            "contained_kg": dict(self.contained_kg),
            "value_jpy": self.value_jpy,
            "lines": [line.as_dict() for line in self.lines],
        }


# --- Valuation ------------------------------------------------------------------------------


def quote_black_mass(
    wet_kg: Any,
    moisture_pct: Any,
    assay_pct: Mapping[str, Any],
    payables_pct: Mapping[str, Any],
    prices_jpy_per_kg: Mapping[str, Any],
    penalties: Sequence[Mapping[str, Any]] | None = None,
) -> Quote:
    """Value a black-mass lot on payables. See the module docstring for formulas and rules."""
    wet, moisture, assay = _lot(wet_kg, moisture_pct, assay_pct)
    payables = _payables(payables_pct)
    prices = _prices(prices_jpy_per_kg, needed=payables)
    rules = _penalty_rules(penalties)

    dry = _dry_kg(wet, moisture)
    contained = {el: _EXACT.multiply(dry, _EXACT.divide(pct, HUNDRED)) for el, pct in assay.items()}
    levels = {**assay, MOISTURE: moisture}
    water_kg = _EXACT.subtract(wet, dry)

    lines = []
    for element in _ordered({*assay, *payables, *rules}):
        payable = payables.get(element)
        price = prices.get(element) if payable is not None else None
        element_kg = water_kg if element == MOISTURE else contained.get(element, Decimal(0))
        payable_value = Decimal(0)
        if payable is not None and price is not None:
            payable_value = _EXACT.multiply(
                _EXACT.multiply(element_kg, _EXACT.divide(payable, HUNDRED)), price
            )
        rule = rules.get(element)
        lines.append(
            QuoteLine(
                element=element,
                assay_pct=levels.get(element, Decimal(0)),
                contained_kg=element_kg,
                payable_pct=payable,
                price_jpy_per_kg=price,
                payable_value_jpy=payable_value,
                penalty_threshold_pct=rule.threshold_pct if rule else None,
                penalty_jpy_per_dry_tonne_per_pct_over=rule.rate if rule else None,
                penalty_jpy=rule.deduction(dry, levels.get(element, Decimal(0)))
                if rule
                else Decimal(0),
            )
        )
    exact_value = _sum(line.value_jpy for line in lines)
    return Quote(
        dry_kg=dry,
        contained_kg=contained,
        value_jpy=round_yen(exact_value),
        lines=tuple(lines),
        exact_value_jpy=exact_value,
    )


def _dry_kg(wet_kg: Decimal, moisture_pct: Decimal) -> Decimal:
    return _EXACT.multiply(wet_kg, _EXACT.subtract(1, _EXACT.divide(moisture_pct, HUNDRED)))


def round_yen(amount: Decimal) -> int:
    """Whole yen, ROUND_HALF_UP (halves away from zero). The only rounding step."""
    return int(amount.quantize(Decimal(1), rounding=ROUNDING))


@dataclass(frozen=True)
class PenaltyRule:
    element: str
    threshold_pct: Decimal
    rate: Decimal  # JPY per dry tonne per percentage point over the threshold

    def deduction(self, dry_kg: Decimal, level_pct: Decimal) -> Decimal:
        excess = max(Decimal(0), _EXACT.subtract(level_pct, self.threshold_pct))
        dry_tonnes = _EXACT.divide(dry_kg, KG_PER_TONNE)
        return _EXACT.multiply(_EXACT.multiply(dry_tonnes, excess), self.rate)


# --- Sealed tenders -------------------------------------------------------------------------


@dataclass(frozen=True)
class LotAssay:
    """What a tender lot declares: weight, moisture and the dry assay bids are evaluated against."""

    wet_kg: Decimal
    moisture_pct: Decimal
    assay_pct: Mapping[str, Decimal]


@dataclass(frozen=True)
class TenderBid:
    """A sealed bid: EITHER a fixed JPY price per dry tonne OR payables per element.

    A payables bid carries its own penalty schedule (rates are the bidder's contract terms,
    diagnostics.md 4.4). A fixed price is all-in for the lot as declared, so it has none.
    ``reference`` is the caller's identifier (a bid id), returned untouched.
    """

    reference: Any
    submitted_at: datetime
    fixed_jpy_per_dry_tonne: Decimal | None = None
    payables_pct: Mapping[str, Decimal] | None = None
    penalties: Sequence[Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class RankedBid:
    rank: int
    bid: TenderBid
    value_jpy: int
    quote: Quote | None  # the payables breakdown; None for a fixed-price bid


def tender_bid_value(
    bid: TenderBid, lot: LotAssay, prices_jpy_per_kg: Mapping[str, Any]
) -> tuple[int, Quote | None]:
    """The bid's value for the whole lot in whole yen (ROUND_HALF_UP), and its breakdown.

    Fixed: dry_kg/1000 × fixed_jpy_per_dry_tonne. Payables: ``quote_black_mass`` at the lot's
    assay with the bid's payables and penalties and the given (snapshotted) prices.
    """
    has_fixed = bid.fixed_jpy_per_dry_tonne is not None
    has_payables = bool(bid.payables_pct)
    if has_fixed == has_payables:
        raise QuoteInputError(
            "bid",
            _("A bid is either a fixed price per dry tonne or payables, not both or neither."),
        )
    if has_payables:
        quote = quote_black_mass(
            lot.wet_kg,
            lot.moisture_pct,
            lot.assay_pct,
            bid.payables_pct or {},
            prices_jpy_per_kg,
            bid.penalties,
        )
        return quote.value_jpy, quote
    price = _number(bid.fixed_jpy_per_dry_tonne, "fixed_jpy_per_dry_tonne")
    if price <= 0:
        raise QuoteInputError(
            "fixed_jpy_per_dry_tonne", _("The price per dry tonne must be greater than zero.")
        )
    if bid.penalties:
        raise QuoteInputError("penalties", _("A fixed-price bid carries no penalty schedule."))
    # A fixed price needs only the weight: a pack tendered for recycling declares no assay.
    dry = _dry_kg(*_lot_weight(lot.wet_kg, lot.moisture_pct))
    return round_yen(_EXACT.multiply(_EXACT.divide(dry, KG_PER_TONNE), price)), None


def rank_tender_bids(
    bids: Iterable[TenderBid], lot: LotAssay, prices_jpy_per_kg: Mapping[str, Any]
) -> list[RankedBid]:
    """Bids by evaluated value (whole yen) descending; equal values go to the earlier bid.

    Bids with the same value and the same ``submitted_at`` keep their given order. Ranks are
    1, 2, 3, … with no shared ranks: the tie-break decides.
    """
    evaluated = [(bid, *tender_bid_value(bid, lot, prices_jpy_per_kg)) for bid in bids]
    evaluated.sort(key=lambda item: (-item[1], item[0].submitted_at))
    return [
        RankedBid(rank=index, bid=bid, value_jpy=value, quote=quote)
        for index, (bid, value, quote) in enumerate(evaluated, start=1)
    ]


# --- Exact JSON -----------------------------------------------------------------------------


def decimal_text(value: Decimal) -> str:
    """Plain decimal notation without trailing zeros or exponent: 950.00 → "950", 0.50 → "0.5"."""
    if value == 0:
        return "0"
    text = format(value.normalize(_EXACT), "f")
    return text


def dumps_exact(value: Any) -> str:
    """JSON text in which every Decimal is written as a JSON number from its exact decimal text.

    ``json`` would go through float; this writer never does, so 0.1 stays 0.1 and big values keep
    every digit. Other values (str, int, bool, None, dict, list) are written as ``json`` would.
    """
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, Mapping):
        items = (f"{json.dumps(str(key))}: {dumps_exact(item)}" for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(dumps_exact(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def loads_exact(text: str) -> Any:
    """Parse JSON reading every number as Decimal; NaN and Infinity are refused."""

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not a number JSON allows")

    return json.loads(text, parse_float=Decimal, parse_int=Decimal, parse_constant=refuse)


# --- Input parsing --------------------------------------------------------------------------


def _number(value: Any, field_name: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise QuoteInputError(field_name, _("A number is required."))
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (decimal.InvalidOperation, ValueError):
        raise QuoteInputError(field_name, _("A number is required.")) from None
    if not number.is_finite():
        raise QuoteInputError(field_name, _("A finite number is required."))
    if number != 0 and number.adjusted() >= _MAX_INTEGER_DIGITS:
        raise QuoteInputError(field_name, _("The value is too large."))
    if number.as_tuple().exponent < -_MAX_DECIMAL_PLACES:
        raise QuoteInputError(field_name, _("Use at most 12 decimal places."))
    if number < 0:
        raise QuoteInputError(field_name, _("The value must not be negative."))
    return number + 0  # normalises -0 to 0


def _lot(wet_kg: Any, moisture_pct: Any, assay_pct: Any) -> tuple[Decimal, Decimal, dict]:
    return (*_lot_weight(wet_kg, moisture_pct), _assay(assay_pct))


def _lot_weight(wet_kg: Any, moisture_pct: Any) -> tuple[Decimal, Decimal]:
    wet = _number(wet_kg, "wet_kg")
    if wet <= 0:
        raise QuoteInputError("wet_kg", _("The wet weight must be greater than zero."))
    moisture = _percentage(moisture_pct, "moisture_pct")
    if moisture >= HUNDRED:
        raise QuoteInputError("moisture_pct", _("Moisture must be below 100 %."))
    return wet, moisture


def _percentage(value: Any, field_name: str) -> Decimal:
    number = _number(value, field_name)
    if number > HUNDRED:
        raise QuoteInputError(field_name, _("A percentage must be between 0 and 100."))
    return number


def _mapping(value: Any, field_name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise QuoteInputError(
            field_name, _('An object of element: number pairs is required, e.g. {"Ni": 20}.')
        )
    return value


def _assay(assay_pct: Any) -> dict[str, Decimal]:
    assay_pct = _mapping(assay_pct, "assay_pct")
    if not assay_pct:
        raise QuoteInputError("assay_pct", _("Give the assay of at least one element."))
    assay: dict[str, Decimal] = {}
    for element, value in assay_pct.items():
        name = f"assay_pct.{element}"
        if element not in ASSAY_ELEMENTS:
            raise QuoteInputError(name, _unknown_element(element, ASSAY_ELEMENTS))
        assay[element] = _percentage(value, name)
    if _sum(assay.values()) > HUNDRED:
        raise QuoteInputError("assay_pct", _("The assay adds up to more than 100 %."))
    return assay


def _payables(payables_pct: Any) -> dict[str, Decimal]:
    payables_pct = _mapping(payables_pct, "payables_pct")
    if not payables_pct:
        raise QuoteInputError("payables_pct", _("Give a payable for at least one element."))
    payables: dict[str, Decimal] = {}
    for element, value in payables_pct.items():
        name = f"payables_pct.{element}"
        if element not in PAYABLE_ELEMENTS:
            raise QuoteInputError(name, _unknown_element(element, PAYABLE_ELEMENTS))
        payables[element] = _percentage(value, name)
    return payables


def _prices(prices_jpy_per_kg: Any, *, needed: Mapping[str, Decimal]) -> dict[str, Decimal]:
    prices_jpy_per_kg = _mapping(prices_jpy_per_kg, "prices_jpy_per_kg")
    prices: dict[str, Decimal] = {}
    for element, value in prices_jpy_per_kg.items():
        name = f"prices_jpy_per_kg.{element}"
        if element not in PAYABLE_ELEMENTS:
            raise QuoteInputError(name, _unknown_element(element, PAYABLE_ELEMENTS))
        price = _number(value, name)
        if price <= 0:
            raise QuoteInputError(name, _("A price must be greater than zero."))
        prices[element] = price
    for element in _ordered(needed):
        if element not in prices:
            raise QuoteInputError(
                f"prices_jpy_per_kg.{element}",
                _("There is a payable for %(element)s but no price for it.") % {"element": element},
            )
    return prices


def _penalty_rules(penalties: Any) -> dict[str, PenaltyRule]:
    if penalties is None:
        return {}
    if not isinstance(penalties, list | tuple):
        raise QuoteInputError(
            "penalties",
            _("A list of {element, threshold_pct, jpy_per_dry_tonne_per_pct_over} is required."),
        )
    rules: dict[str, PenaltyRule] = {}
    for index, item in enumerate(penalties):
        prefix = f"penalties.{index}"
        if not isinstance(item, Mapping):
            raise QuoteInputError(
                prefix,
                _("Each penalty is {element, threshold_pct, jpy_per_dry_tonne_per_pct_over}."),
            )
        unexpected = set(item) - {"element", "threshold_pct", "jpy_per_dry_tonne_per_pct_over"}
        if unexpected:
            raise QuoteInputError(
                f"{prefix}.{sorted(unexpected)[0]}", _("This key is not part of a penalty.")
            )
        element = item.get("element")
        if element not in PENALTY_ELEMENTS:
            raise QuoteInputError(f"{prefix}.element", _unknown_element(element, PENALTY_ELEMENTS))
        if element in rules:
            raise QuoteInputError(
                f"{prefix}.element",
                _("%(element)s has more than one penalty; give one per element.")
                % {"element": element},
            )
        for key in ("threshold_pct", "jpy_per_dry_tonne_per_pct_over"):
            if key not in item:
                raise QuoteInputError(f"{prefix}.{key}", _("This field is required."))
        rules[element] = PenaltyRule(
            element=element,
            threshold_pct=_percentage(item["threshold_pct"], f"{prefix}.threshold_pct"),
            rate=_number(
                item["jpy_per_dry_tonne_per_pct_over"], f"{prefix}.jpy_per_dry_tonne_per_pct_over"
            ),
        )
    return rules


def _unknown_element(element: Any, allowed: Iterable[str]) -> str:
    return _("Unknown element %(element)s; use one of %(allowed)s.") % {
        "element": json.dumps(element, ensure_ascii=False),
        "allowed": ", ".join(_ordered(allowed)),
    }


def _ordered(elements: Iterable[str]) -> list[str]:
    """Payable metals in their fixed order, then impurities, then moisture last."""
    order = {el: i for i, el in enumerate((*PAYABLE_ELEMENTS, *IMPURITY_ELEMENTS, MOISTURE))}
    return sorted(set(elements), key=lambda el: (order.get(el, len(order)), el))


def _sum(values: Iterable[Decimal]) -> Decimal:
    total = Decimal(0)
    for value in values:
        total = _EXACT.add(total, value)
    return total
