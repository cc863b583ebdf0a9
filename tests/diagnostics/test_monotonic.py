"""Property: for otherwise identical packs, a higher SOH is never worth less and never has
less life left. Checked on a 0.1 pp grid from 49.0 to 100.0 %, which crosses every grade
boundary (C/B2 60, B2/B1 70, B1/A 80 and A's lower-bound gate), for every chemistry."""

from decimal import Decimal

import pytest

from diagnostics.engine import diagnose, parse_request
from diagnostics.reference import reference_data

CHEMISTRIES = sorted(reference_data().ageing.chemistries)
GRID = [Decimal(tenths) / 10 for tenths in range(490, 1001)]


def _pack(soh_pct: Decimal, **changes) -> dict:
    data = {
        "chemistry": "LFP",
        "rated_capacity_kwh": 60,
        "soh_pct": str(soh_pct),
        "method": "full_discharge",
        "age_years": 4,
        "cycles": 200,
        "safety_flags": [],
    }
    data.update(changes)
    return data


def _sweep(**changes):
    return [(soh, diagnose(parse_request(_pack(soh, **changes)))) for soh in GRID]


def _years_key(years: Decimal | None) -> Decimal:
    # None is "not reached within the forecast horizon": later than any number of years.
    return Decimal("Infinity") if years is None else years


@pytest.mark.parametrize("chemistry", CHEMISTRIES)
@pytest.mark.parametrize(
    ("method", "resistance_increase_pct"),
    [("full_discharge", None), ("bms_readout", None), ("full_discharge", "60")],
)
def test_value_and_life_never_fall_as_soh_rises(chemistry, method, resistance_increase_pct):
    changes = {"chemistry": chemistry, "method": method}
    if resistance_increase_pct is not None:
        changes["resistance_increase_pct"] = resistance_increase_pct
    results = _sweep(**changes)

    grades_seen = {result.grade for _soh, result in results}
    assert {"B2", "C", "R"} <= grades_seen  # the grid really crosses the boundaries
    for (lower_soh, lower), (higher_soh, higher) in zip(results, results[1:], strict=False):
        assert higher.residual_value_jpy >= lower.residual_value_jpy, (
            f"{chemistry} {method}: {higher_soh} % ({higher.grade}) worth "
            f"{higher.residual_value_jpy} < {lower_soh} % ({lower.grade}) worth "
            f"{lower.residual_value_jpy}"
        )
        assert _years_key(higher.years_to_70_pct) >= _years_key(lower.years_to_70_pct), (
            f"{chemistry}: years to 70 % fell from {lower.years_to_70_pct} at {lower_soh} % "
            f"to {higher.years_to_70_pct} at {higher_soh} %"
        )
        assert _years_key(higher.years_to_60_pct) >= _years_key(lower.years_to_60_pct)


def test_the_full_discharge_sweep_reaches_every_grade():
    assert {result.grade for _soh, result in _sweep()} == {"A", "B1", "B2", "C", "R"}


def test_crossing_into_grade_a_never_lowers_the_value():
    # Given two LFP packs either side of the B1/A line, 4 years and 200 cycles
    below = diagnose(parse_request(_pack(Decimal("79.9"))))
    above = diagnose(parse_request(_pack(Decimal("80.0"))))
    assert (below.grade, above.grade) == ("B1", "A")

    # Valued only for their own grade's use, the A pack was worth less: the EV-reuse price
    # (99 USD/kWh) is below the small-mobility price (108 USD/kWh) with the same life factor.
    own_use = {
        result.grade: next(
            use["reuse_value_jpy"]
            for use in result.breakdown["valuation"]["uses_considered"]
            if use["grade"] == result.grade
        )
        for result in (below, above)
    }
    assert own_use == {"B1": Decimal("70025.36"), "A": Decimal("51715.88")}

    # Both qualify for backup power (to 50 %, 12.3 and 12.4 years >= 10: f_life 1; sigma 1 pp)
    # 79.9 %: 47.94 kWh * 10500 * 0.9875 = 497077.88 - 47.94 * 5338.25 = 255915.71 -> 241162
    # 80.0 %: 48.00 kWh * 10500 * 0.9875 = 497700.00 - 48.00 * 5338.25 = 256236.00 -> 241464
    assert below.residual_value_jpy == Decimal("241162")
    assert above.residual_value_jpy == Decimal("241464")
    assert above.breakdown["valuation"]["application"] == "backup"


def test_of_two_identical_packs_the_healthier_lasts_longer_and_is_worth_more():
    # Given two identical 60 kWh NMC packs, 4 years and 200 cycles, measured at 88 % and 84 %
    healthier = diagnose(parse_request(_pack(Decimal("88"), chemistry="NMC")))
    weaker = diagnose(parse_request(_pack(Decimal("84"), chemistry="NMC")))

    # Then the healthier one reaches 70 % later and is worth more
    assert healthier.years_to_70_pct > weaker.years_to_70_pct
    assert healthier.years_to_60_pct > weaker.years_to_60_pct
    assert healthier.residual_value_jpy > weaker.residual_value_jpy


@pytest.mark.parametrize("chemistry", CHEMISTRIES)
def test_forecast_soh_falls_every_year_and_the_band_orders_the_dates(chemistry):
    result = diagnose(parse_request(_pack(Decimal("90"), chemistry=chemistry)))

    curve = result.forecast.curve(15)
    assert curve[0] == (0, Decimal("90.0"))  # the forecast starts at the measured SOH
    for (year, soh), (next_year, next_soh) in zip(curve, curve[1:], strict=False):
        assert next_year == year + 1
        assert next_soh < soh, f"{chemistry}: {next_soh} % after {next_year} y >= {soh} %"
    band = result.breakdown["ageing"]["years_to_70_pct_band"]
    # From the low end of the band 70 % comes sooner, from the high end later
    assert _years_key(band["from_soh_low"]) <= _years_key(result.years_to_70_pct)
    assert _years_key(result.years_to_70_pct) <= _years_key(band["from_soh_high"])
    assert _years_key(band["from_soh_low"]) < _years_key(band["from_soh_high"])
