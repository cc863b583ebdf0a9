"""Residual value in JPY (diagnostics.md 3.3, a proposal built from sourced inputs).

    E_rem    = E_nom * SOH / 100
    P_ref    = new-pack price of the use (USD/kWh) * usd_jpy
    f_life   = min(1, RUL_app / L_new_app)          RUL_app: years to the use's end of life
    f_risk   = 1 - z * sigma / SOH - a_trace - a_safety        sigma = u95 / 2 (pp)
    V_use    = E_rem * P_ref * f_life * f_risk - E_rem * C_repurpose - C_test - C_logistics
    residual_value_jpy = max(0, max over the uses the pack qualifies for of V_use),
                         rounded half-up to whole yen

A pack qualifies for its own grade's use and for every use of a lower grade (grading.yaml
lists grades best first and each lower grade's gates are weaker): a grade-A pack can always
be sold for stationary storage. Valuing at the best of those uses makes the value
non-decreasing in SOH for otherwise identical packs. Valuing only at the grade's own use would
not: the small-mobility price (108 USD/kWh) is above the EV-reuse price (99 USD/kWh), so a
B1 pack at 79.4 % was worth more than an A pack at 81.4 %.

f_life and f_risk are rounded half-up to `factor_places` first, so every product is a
terminating decimal a person can check by hand. Grade R has no reuse value; its recycling
value (metal payables) is not estimated here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from diagnostics.reference import Valuation

YEN = Decimal(1)
SHOWN_YEN = Decimal("0.01")  # intermediate amounts in the breakdown; the result is exact
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ValueResult:
    residual_value_jpy: Decimal
    breakdown: dict


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
) -> ValueResult:
    """`remaining_years_by_threshold` maps an end-of-life SOH % to years (None = beyond horizon)."""
    uses = qualified_applications(grade, valuation)
    if not uses:
        return ValueResult(
            Decimal(0),
            {
                "data_version": valuation.version,
                "application": None,
                "note": (
                    "recycling: no reuse value; the recycling value depends on metal payables "
                    "and is quoted separately"
                ),
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
    value = max(best["reuse_value_jpy"], Decimal(0)).quantize(YEN, rounding=ROUND_HALF_UP)
    breakdown = {
        "data_version": valuation.version,
        "formula": (
            "max(0, max over qualifying uses of "
            "E_rem * P_ref * f_life * f_risk - E_rem * C_repurpose - C_test - C_logistics)"
        ),
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
        "not_included": ["recycling value at end of second life (V_recycle * (1+r)^-RUL)"],
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
