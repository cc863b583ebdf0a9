"""Residual value in JPY (diagnostics.md 3.3, a proposal built from sourced inputs).

    E_rem    = E_nom * SOH / 100
    P_ref    = new-pack price of the use (USD/kWh) * usd_jpy
    f_life   = min(1, RUL_app / L_new_app)          RUL_app: years to the use's end of life
    f_risk   = 1 - z * sigma / SOH - a_trace - a_safety        sigma = u95 / 2 (pp)
    V_use    = E_rem * P_ref * f_life * f_risk - E_rem * C_repurpose - C_test - C_logistics
    residual_value_jpy = max(0, max over the uses the pack qualifies for of V_use),
                         rounded half-up to whole yen

    V_recycle = E_nom * sum_m kg_per_kwh_m * payable_m / 100 * price_m   (recycling_value)
    residual_value_jpy = max(residual value above, V_recycle): a pack is never valued below
                         what a recycler pays for its metal (diagnostics.md 3.3 offer floor)

A pack qualifies for its own grade's use and for every use of a lower grade (grading.yaml
lists grades best first and each lower grade's gates are weaker): a grade-A pack can always
be sold for stationary storage. Valuing at the best of those uses makes the value
non-decreasing in SOH for otherwise identical packs. Valuing only at the grade's own use would
not: the small-mobility price (108 USD/kWh) is above the EV-reuse price (99 USD/kWh), so a
B1 pack at 79.4 % was worth more than an A pack at 81.4 %.

f_life and f_risk are rounded half-up to `factor_places` first, so every product is a
terminating decimal a person can check by hand. Grade R has no reuse value: its value is
the recycling value. Metal prices are the platform's dated reference prices, passed in by the
caller (the engine reads no database); without them the recycling value is not estimated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_noop

from diagnostics.reference import Valuation

YEN = Decimal(1)
SHOWN_YEN = Decimal("0.01")  # intermediate amounts in the breakdown; the result is exact
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ValueResult:
    residual_value_jpy: Decimal
    breakdown: dict


@dataclass(frozen=True)
class MetalPrice:
    """A reference price in JPY per kg of contained metal, with its date and source."""

    price_jpy_per_kg: Decimal
    effective_date: str
    source: str


@dataclass(frozen=True)
class RecyclingValue:
    value_jpy: Decimal  # whole yen
    breakdown: dict


def recycling_value(
    *,
    chemistry: str,
    rated_capacity_kwh: Decimal,
    metal_prices: Mapping[str, MetalPrice] | None,
    valuation: Valuation,
) -> RecyclingValue | None:
    """What a recycler pays for the pack's metal; None when no prices were given at all."""
    if metal_prices is None:
        return None
    metals = valuation.metal_kg_per_kwh[chemistry]
    lines = []
    unpriced = []
    total = Decimal(0)
    for element, kg_per_kwh in metals.value.items():
        payable = valuation.payable_pct[element]
        price = metal_prices.get(element)
        if kg_per_kwh == 0 or payable.value == 0:
            continue
        if price is None:
            unpriced.append(element)
            continue
        contained_kg = rated_capacity_kwh * kg_per_kwh
        line_jpy = contained_kg * payable.value / HUNDRED * price.price_jpy_per_kg
        total += line_jpy
        lines.append(
            {
                "element": element,
                "kg_per_kwh": kg_per_kwh,
                "contained_kg": contained_kg,
                "payable_pct": payable.describe(),
                "price_jpy_per_kg": price.price_jpy_per_kg,
                "price_date": price.effective_date,
                "price_source": price.source,
                "value_jpy": line_jpy.quantize(SHOWN_YEN, rounding=ROUND_HALF_UP),
            }
        )
    value = total.quantize(YEN, rounding=ROUND_HALF_UP)
    return RecyclingValue(
        value,
        {
            "formula": "E_nom * sum(kg_per_kwh * payable/100 * price_jpy_per_kg)",
            "chemistry": chemistry,
            "metal_source": {"source": metals.source, "quality": metals.quality},
            "lines": lines,
            "elements_without_price": unpriced,
            "recycling_value_jpy": value,
            "not_included": ["recovery losses", "dismantling, shredding and transport costs"],
        },
    )


def _factor(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def qualified_applications(grade: str, valuation: Valuation) -> list[tuple[str, str]]:
    """(grade, application) pairs the pack may be sold for: its grade and every lower one."""
    grades = list(valuation.grade_applications)
    if grade not in grades:
        return []
    return [(code, valuation.grade_applications[code]) for code in grades[grades.index(grade) :]]


def residual_value(
    *,
    grade: str,
    rated_capacity_kwh: Decimal,
    soh_pct: Decimal,
    u95_pp: Decimal,
    remaining_years_by_threshold: dict[Decimal, Decimal | None],
    valuation: Valuation,
    recycling: RecyclingValue | None = None,
) -> ValueResult:
    """`remaining_years_by_threshold` maps an end-of-life SOH % to years (None = beyond horizon).
    `recycling`: the pack's recycling value (the floor), None when not estimated."""
    floor_jpy = recycling.value_jpy if recycling is not None else Decimal(0)
    recycling_breakdown = (
        recycling.breakdown
        if recycling is not None
        else {"not_estimated": "no reference metal prices were given"}
    )
    uses = qualified_applications(grade, valuation)
    if not uses:
        return ValueResult(
            floor_jpy,
            {
                "data_version": valuation.version,
                "application": None,
                "note": "recycling: no reuse value; the value is what a recycler pays",
                "recycling": recycling_breakdown,
                "recycling_value_jpy": floor_jpy if recycling is not None else None,
                "recycling_floor_applied": recycling is not None,
            },
        )
    candidates = [
        _value_for_use(
            application_code=application_code,
            rated_capacity_kwh=rated_capacity_kwh,
            soh_pct=soh_pct,
            u95_pp=u95_pp,
            remaining_years_by_threshold=remaining_years_by_threshold,
            valuation=valuation,
        )
        for _grade, application_code in uses
    ]
    # max() keeps the first of equal values: the grade's own use wins a tie.
    best = max(candidates, key=lambda candidate: candidate["reuse_value_jpy"])
    reuse_jpy = max(best["reuse_value_jpy"], Decimal(0)).quantize(YEN, rounding=ROUND_HALF_UP)
    value = max(reuse_jpy, floor_jpy)
    breakdown = {
        "data_version": valuation.version,
        # English in the stored breakdown and the API; pages translate it at display.
        "formula": gettext_noop(
            "max(0, V_recycle, max over qualifying uses of "
            "E_rem * P_ref * f_life * f_risk - E_rem * C_repurpose - C_test - C_logistics)"
        ),
        "recycling": recycling_breakdown,
        "recycling_value_jpy": floor_jpy if recycling is not None else None,
        "recycling_floor_applied": floor_jpy > reuse_jpy,
        "grade_application": valuation.grade_applications[grade],
        **{key: item for key, item in best.items() if key != "reuse_value_jpy"},
        "reuse_value_jpy": best["reuse_value_jpy"].quantize(SHOWN_YEN, rounding=ROUND_HALF_UP),
        "uses_considered": [
            {
                "grade": use_grade,
                "application": candidate["application"],
                "reuse_value_jpy": candidate["reuse_value_jpy"].quantize(
                    SHOWN_YEN, rounding=ROUND_HALF_UP
                ),
            }
            for (use_grade, _code), candidate in zip(uses, candidates, strict=True)
        ],
        "exchange_rates_are_assumptions": valuation.usd_jpy.is_assumption
        or valuation.eur_jpy.is_assumption,
        "not_included": ["recycling value at the end of the second life (V_recycle * (1+r)^-RUL)"],
    }
    return ValueResult(value, breakdown)


def _value_for_use(
    *,
    application_code: str,
    rated_capacity_kwh: Decimal,
    soh_pct: Decimal,
    u95_pp: Decimal,
    remaining_years_by_threshold: dict[Decimal, Decimal | None],
    valuation: Valuation,
) -> dict:
    """V_use before the floor at zero, unrounded, with every step for the breakdown."""
    application = valuation.applications[application_code]
    places = int(valuation.factor_places.value)
    usd_jpy = valuation.usd_jpy.value
    price_jpy_per_kwh = application.new_pack_price_usd_per_kwh.value * usd_jpy
    energy_remaining_kwh = rated_capacity_kwh * soh_pct / HUNDRED

    end_of_life = application.end_of_life_soh_pct.value
    remaining_years = remaining_years_by_threshold[end_of_life]
    new_life_years = application.new_life_years.value
    if remaining_years is None:
        life_factor = Decimal(1)
    else:
        life_factor = _factor(min(Decimal(1), remaining_years / new_life_years), places)

    sigma_pp = u95_pp / 2
    risk_factor = _factor(
        1
        - valuation.z.value * sigma_pp / soh_pct
        - valuation.a_trace.value
        - valuation.a_safety.value,
        places,
    )
    gross_jpy = energy_remaining_kwh * price_jpy_per_kwh * life_factor * risk_factor
    repurpose_jpy_per_kwh = valuation.repurpose_eur_per_kwh.value * valuation.eur_jpy.value
    repurpose_jpy = energy_remaining_kwh * repurpose_jpy_per_kwh
    costs_jpy = repurpose_jpy + valuation.test_jpy.value + valuation.logistics_jpy.value
    return {
        "application": application_code,
        "energy_remaining_kwh": energy_remaining_kwh,
        "new_pack_price_usd_per_kwh": application.new_pack_price_usd_per_kwh.describe(),
        "usd_jpy": valuation.usd_jpy.describe(),
        "price_jpy_per_kwh": price_jpy_per_kwh,
        "end_of_life_soh_pct": application.end_of_life_soh_pct.describe(),
        "remaining_years": remaining_years,
        "new_life_years": application.new_life_years.describe(),
        "f_life": life_factor,
        "z": valuation.z.value,
        "sigma_pp": sigma_pp,
        "a_trace": valuation.a_trace.describe(),
        "a_safety": valuation.a_safety.describe(),
        "f_risk": risk_factor,
        "gross_jpy": gross_jpy.quantize(SHOWN_YEN, rounding=ROUND_HALF_UP),
        "repurpose_eur_per_kwh": valuation.repurpose_eur_per_kwh.describe(),
        "eur_jpy": valuation.eur_jpy.describe(),
        "repurpose_jpy": repurpose_jpy.quantize(SHOWN_YEN, rounding=ROUND_HALF_UP),
        "test_jpy": valuation.test_jpy.value,
        "logistics_jpy": valuation.logistics_jpy.value,
        "reuse_value_jpy": gross_jpy - costs_jpy,
    }
