"""Residual value in JPY (diagnostics.md 3.3, a proposal built from sourced inputs).

    E_rem    = E_nom * SOH / 100
    P_ref    = new-pack price of the grade's application (USD/kWh) * usd_jpy
    f_life   = min(1, RUL_app / L_new_app)          RUL_app: years to the application's end of life
    f_risk   = 1 - z * sigma / SOH - a_trace - a_safety        sigma = u95 / 2 (pp)
    V_reuse  = E_rem * P_ref * f_life * f_risk - E_rem * C_repurpose - C_test - C_logistics
    residual_value_jpy = max(V_reuse, 0), rounded half-up to whole yen

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
    application_code = valuation.grade_applications.get(grade)
    if application_code is None:
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
    reuse_value_jpy = gross_jpy - costs_jpy
    value = max(reuse_value_jpy, Decimal(0)).quantize(YEN, rounding=ROUND_HALF_UP)
    breakdown = {
        "data_version": valuation.version,
        "formula": (
            "max(0, E_rem * P_ref * f_life * f_risk - E_rem * C_repurpose - C_test - C_logistics)"
        ),
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
        "reuse_value_jpy": reuse_value_jpy.quantize(SHOWN_YEN, rounding=ROUND_HALF_UP),
        "not_included": ["recycling value at end of second life (V_recycle * (1+r)^-RUL)"],
    }
    return ValueResult(value, breakdown)
