"""Circularity figures for the outflow report: pure functions over reference.yaml.

They take plain numbers, not orders, so the dashboard can feed them whatever the trading
app records once sales complete. Results are exact Decimals, rounded half-up:
metals to the gram, CO2 to 0.1 kg, scores to 0.01.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from marketplace.circularity import reference

GRAM = Decimal("0.001")
TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")
ESTIMATED_METALS = ("Li", "Ni", "Co", "Mn")


class Outcome:
    """Where a pack went when it left its seller, best first."""

    REUSE = "reuse"
    RECYCLING = "recycling"
    EXPORT = "export"


def _non_negative(kwh: Decimal) -> Decimal:
    kwh = Decimal(kwh)
    if kwh < 0:
        raise ValueError(f"kWh cannot be negative: {kwh}")
    return kwh


def contained_metals_kg(chemistry: str, kwh: Decimal) -> dict[str, Decimal]:
    """Estimated kg of Li, Ni, Co and Mn in a pack of `kwh` (BatPaC 5.2 intensities).

    Only elements the reference data give for the chemistry appear; a chemistry without
    data (LTO, OTHER) gives {}. An estimate for the pack design BatPaC models, not an assay.
    """
    kwh = _non_negative(kwh)
    per_kwh = reference.reference().metal_content_kg_per_kwh.get(chemistry, {})
    return {
        element: (per_kwh[element].value * kwh).quantize(GRAM, rounding=ROUND_HALF_UP)
        for element in ESTIMATED_METALS
        if element in per_kwh
    }


def co2_avoided_by_reuse_kg(kwh: Decimal) -> Decimal:
    """kg CO2e of new-pack production avoided when `kwh` of used capacity is reused.

    Pass the capacity that is actually reused (rated kWh × SOH), not the rated kWh, or the
    figure overstates. Uses the low end of the IVL 2019 range (reference.yaml).
    """
    factor = reference.reference().new_pack_footprint_kg_co2e_per_kwh.value
    return (_non_negative(kwh) * factor).quantize(TENTH, rounding=ROUND_HALF_UP)


def circularity_score(outcome: str, kwh: Decimal) -> Decimal:
    """kWh-weighted points of one outcome: weight(outcome) × kWh (platform proposal).

    reuse > recycling > export by construction of the weights in reference.yaml.
    """
    weights = reference.reference().score_weights
    if outcome not in weights:
        raise ValueError(f"Unknown outcome {outcome!r}; expected one of {sorted(weights)}")
    return (weights[outcome] * _non_negative(kwh)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def circularity_index(outcomes: Iterable[tuple[str, Decimal]]) -> Decimal | None:
    """0-100 over many packs: 100 × Σ score / Σ kWh; None when no capacity was traded."""
    outcomes = list(outcomes)
    total_kwh = sum((_non_negative(kwh) for _outcome, kwh in outcomes), Decimal(0))
    if total_kwh == 0:
        return None
    weights = reference.reference().score_weights
    unknown = {outcome for outcome, _kwh in outcomes} - set(weights)
    if unknown:
        raise ValueError(f"Unknown outcome(s) {sorted(unknown)}; expected one of {sorted(weights)}")
    points = sum((weights[outcome] * Decimal(kwh) for outcome, kwh in outcomes), Decimal(0))
    return (100 * points / total_kwh).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
