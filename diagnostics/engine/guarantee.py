"""Premium of a residual-value guarantee from the spread of remaining-life forecasts.

diagnostics.md 3.4 [Proposal]; every guarantee names an SOH floor and pays on a breach
(SOH_T below the floor within the term):
    capacity warranty (pro-rata): payout = P_ref * E_nom * max(0, SOH_floor - SOH_T) / 100
    fixed benefit:                payout = B * 1[SOH_T < SOH_floor]
    buy-back:                     payout = max(0, price - V_T) * 1[SOH_T < SOH_floor]
                                  (the guarantor pays the price and gets back a pack worth V_T)
    P(breach)                     = sum(weight * 1[SOH_T < SOH_floor])
    premium                       = (1 + loading) * E[payout], whole yen, half-up

E[payout] is a weighted sum over a 3 x 3 grid of scenarios: the pack's SOH starts at the low,
central or high end of its 95 % band, and is used at the low, observed or high multiple of
its cycles per year (assessment.yaml). In each scenario the calibrated forecast gives
SOH_T after the term (0.1 pp, half-up); V_T is the residual value of a pack of SOH_T with the
remaining life left after the term (diagnostics/engine/valuation.py), graded afresh.
P_ref is the new-pack price of the pack's current application in JPY/kWh. Payouts are not
discounted and have no cap (the guarantor's liability is the guaranteed amount itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from diagnostics.engine.ageing import Forecast, to_decimal
from diagnostics.engine.grading import grade_pack
from diagnostics.engine.valuation import RecyclingValue, residual_value
from diagnostics.reference import ReferenceData

BUY_BACK = "buy_back"
CAPACITY_WARRANTY = "capacity_warranty"
FIXED = "fixed"
FORMULAS = {
    CAPACITY_WARRANTY: "payout = E_nom * P_ref * max(0, SOH_floor - SOH_T) / 100",
    FIXED: "payout = B * 1[SOH_T < SOH_floor]",
    BUY_BACK: "payout = max(0, price - V_T) * 1[SOH_T < SOH_floor]",
}
YEN = Decimal(1)
CENT = Decimal("0.01")
SOH_STEP = Decimal("0.1")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class GuaranteePrice:
    expected_payout_jpy: Decimal  # whole yen
    premium_jpy: Decimal  # whole yen
    breakdown: dict


def _years_after_term(years: Decimal | None, term_years: int) -> Decimal | None:
    if years is None:
        return None
    return max(years - term_years, Decimal(0))


def price_guarantee(
    *,
    guarantee_type: str,
    term_years: int,
    guaranteed_value_jpy: Decimal | None,
    guaranteed_soh_pct: Decimal | None,
    grade: str,
    fixed_payout_jpy: Decimal | None = None,
    recycling: RecyclingValue | None = None,
    rated_capacity_kwh: Decimal,
    soh_pct: Decimal,
    soh_low_pct: Decimal,
    soh_high_pct: Decimal,
    u95_pp: Decimal,
    methods_used: set[str],
    forecast: Forecast,
    reference: ReferenceData,
) -> GuaranteePrice:
    pricing = reference.assessment.guarantee_pricing
    valuation = reference.valuation
    application = valuation.applications[valuation.grade_applications[grade]]
    price_jpy_per_kwh = application.new_pack_price_usd_per_kwh.value * valuation.usd_jpy.value
    thresholds = sorted({app.end_of_life_soh_pct.value for app in valuation.applications.values()})
    starts = {"low": soh_low_pct, "central": soh_pct, "high": soh_high_pct}
    usage = {
        "low": pricing.usage_multiplier_low.value,
        "central": Decimal(1),
        "high": pricing.usage_multiplier_high.value,
    }
    weights = {
        "low": pricing.weight_low.value,
        "central": pricing.weight_central.value,
        "high": pricing.weight_high.value,
    }

    scenarios = []
    expected = Decimal(0)
    breach_probability = Decimal(0)
    for usage_key, multiplier in usage.items():
        scenario_forecast = forecast.with_usage_rate(multiplier)
        for start_key, start_pct in starts.items():
            fraction = scenario_forecast.capacity_after(
                float(term_years), start=float(start_pct) / 100
            )
            soh_at_term = max(to_decimal(fraction * 100, SOH_STEP), Decimal(0))
            entry = {
                "soh_start": start_key,
                "usage": usage_key,
                "usage_multiplier": multiplier,
                "start_soh_pct": start_pct,
                "soh_at_term_pct": soh_at_term,
                "weight": weights[start_key] * weights[usage_key],
            }
            # A buy-back offered before floors existed has none: it can be exercised anyway.
            breached = guaranteed_soh_pct is None or soh_at_term < guaranteed_soh_pct
            entry["breached"] = breached
            if breached:
                breach_probability += entry["weight"]
            if guarantee_type == CAPACITY_WARRANTY:
                shortfall = max(guaranteed_soh_pct - soh_at_term, Decimal(0))
                payout = rated_capacity_kwh * price_jpy_per_kwh * shortfall / HUNDRED
            elif guarantee_type == FIXED:
                payout = fixed_payout_jpy if breached else Decimal(0)
            elif not breached:
                payout = Decimal(0)
            else:
                graded = grade_pack(
                    soh_pct=soh_at_term,
                    soh_low_pct=max(soh_at_term - u95_pp, Decimal(0)),
                    resistance_increase_pct=None,
                    safety_flags=(),
                    methods_used=methods_used,
                    grading=reference.grading,
                )
                remaining = {
                    threshold: _years_after_term(
                        scenario_forecast.years_to(threshold, start_pct=start_pct), term_years
                    )
                    for threshold in thresholds
                }
                value_at_term = residual_value(
                    grade=graded.grade,
                    rated_capacity_kwh=rated_capacity_kwh,
                    soh_pct=soh_at_term,
                    u95_pp=u95_pp,
                    remaining_years_by_threshold=remaining,
                    valuation=valuation,
                    recycling=recycling,
                ).residual_value_jpy
                entry["grade_at_term"] = graded.grade
                entry["value_at_term_jpy"] = value_at_term
                payout = max(guaranteed_value_jpy - value_at_term, Decimal(0))
            payout = payout.quantize(YEN, rounding=ROUND_HALF_UP)
            entry["payout_jpy"] = payout
            expected += entry["weight"] * payout
            scenarios.append(entry)

    loading = pricing.loading_factor.value
    premium = ((1 + loading) * expected).quantize(YEN, rounding=ROUND_HALF_UP)
    breakdown = {
        "data_version": reference.assessment.version,
        "formula": "premium = (1 + loading) * sum(weight * payout); " + FORMULAS[guarantee_type],
        "term_years": term_years,
        "soh_floor_pct": guaranteed_soh_pct,
        "breach_probability": breach_probability,
        "rated_capacity_kwh": rated_capacity_kwh,
        "price_jpy_per_kwh": price_jpy_per_kwh,
        "application": application.code,
        "loading_factor": pricing.loading_factor.describe(),
        "scenarios": scenarios,
        "expected_payout_jpy": expected.quantize(CENT, rounding=ROUND_HALF_UP),
        "premium_jpy": premium,
        "not_included": ["discounting", "payout cap", "settling-measurement tolerance"],
    }
    return GuaranteePrice(
        expected_payout_jpy=expected.quantize(YEN, rounding=ROUND_HALF_UP),
        premium_jpy=premium,
        breakdown=breakdown,
    )
