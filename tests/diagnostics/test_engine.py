"""The engine against worked examples computed by hand from diagnostics/data/*.yaml.

Hand arithmetic uses: usd_jpy 150, eur_jpy 163, repurposing 32.75 EUR/kWh (= 5338.25 JPY/kWh),
BEV pack 99 USD/kWh (= 14850 JPY/kWh), all-uses pack 108 USD/kWh (= 16200 JPY/kWh),
stationary pack 70 USD/kWh (= 10500 JPY/kWh),
u95: full_discharge 2, bms_readout 8, partial_charge 4, gtr22_soce_monitor 5 (pp).
"""

import math
from decimal import Decimal

import pytest

from diagnostics.engine import diagnose, parse_request
from diagnostics.engine.ageing import Conditions, anode_potential, loss_terms
from diagnostics.reference import reference_data

LFP_PACK = {
    "chemistry": "LFP",
    "rated_capacity_kwh": 60,
    "measured_capacity_kwh": 54,
    "method": "full_discharge",
    "age_years": 4,
    "cycles": 200,
    "safety_flags": [],
}


def run(**changes):
    data = {**LFP_PACK, **changes}
    return diagnose(parse_request({key: value for key, value in data.items() if value is not None}))


def headline(result) -> dict:
    output = result.as_dict()
    output.pop("breakdown")
    return output


def _lfp_years_to(threshold: float) -> float:
    """Independent closed form of the LFP 250 Ah model for the LFP_PACK example."""
    temp, dod, c_rate = 298.15, 0.8, 0.3
    xa = 0.0085 + 0.6 * (0.78 - 0.0085)
    ua = (
        0.6379
        + 0.5416 * math.exp(-305.5309 * xa)
        + 0.044 * math.tanh(-(xa - 0.1958) / 0.1088)
        - 0.1978 * math.tanh((xa - 1.0571) / 0.0854)
        - 0.6875 * math.tanh((xa + 0.0117) / 0.0529)
        - 0.0175 * math.tanh((xa - 0.5692) / 0.0875)
    )
    k_cal = 8.37e4 * math.exp(-5.21e3 / temp) * math.exp(-3.56e3 * ua / temp)
    k_cyc = (4.38e-8 + 1.55e-8 * dod + 1.68e-7 * c_rate) * (
        math.exp(2.19e3 / temp) + math.exp(-1.55e5 / temp)
    )

    def loss(years: float) -> float:
        return k_cal * (years * 365) ** 0.526 + k_cyc * (50 * years) ** 0.828

    scalar = (1 - 0.90) / loss(4)
    low, high = 0.0, 50.0
    for _ in range(100):
        middle = (low + high) / 2
        if 0.90 - scalar * (loss(4 + middle) - loss(4)) > threshold:
            low = middle
        else:
            high = middle
    return high


def test_full_discharge_lfp_pack_worked_example():
    # Given a 60 kWh LFP pack measured at 54 kWh by a full discharge test
    result = run()

    # Then SOH = 54/60 = 90.0 % +/- 2 pp; grade A (90 >= 80, low 88 >= 78)
    assert headline(result) == {
        "soh_pct": Decimal("90.0"),
        "soh_low_pct": Decimal("88.0"),
        "soh_high_pct": Decimal("92.0"),
        "grade": "A",
        "recommended_use": "EV reuse",
        "years_to_70_pct": Decimal("17.5"),
        "years_to_60_pct": Decimal("29.0"),
        # A qualifies for EV reuse and every lower use; the best one is small mobility:
        # E_rem 54.0 kWh; f_life = min(1, 17.5/8) = 1; f_risk = 1 - 1/90 = 0.9889
        # 54 * 16200 * 1 * 0.9889 = 865089.72; minus 54 * 5338.25 = 288265.50
        # = 576824.22 -> 576824
        "residual_value_jpy": Decimal("576824"),
    }
    valuation = result.breakdown["valuation"]
    assert valuation["grade_application"] == "ev"
    assert valuation["application"] == "small_mobility"
    assert valuation["f_life"] == Decimal("1")
    assert valuation["f_risk"] == Decimal("0.9889")
    assert valuation["price_jpy_per_kwh"] == Decimal("16200")
    assert valuation["gross_jpy"] == Decimal("865089.72")
    assert valuation["repurpose_jpy"] == Decimal("288265.50")
    # EV reuse: 54 * 14850 * 1 * 0.9889 - 288265.50 = 504733.41; stationary (to 60 %, 29.0
    # years >= 10): 54 * 10500 * 0.9889 - 288265.50 = 272440.80; backup (50 %): the same
    # price and f_life, so the same value.
    assert valuation["uses_considered"] == [
        {"grade": "A", "application": "ev", "reuse_value_jpy": Decimal("504733.41")},
        {
            "grade": "B1",
            "application": "small_mobility",
            "reuse_value_jpy": Decimal("576824.22"),
        },
        {"grade": "B2", "application": "stationary", "reuse_value_jpy": Decimal("272440.80")},
        {"grade": "C", "application": "backup", "reuse_value_jpy": Decimal("272440.80")},
    ]


def test_remaining_life_matches_an_independent_closed_form():
    result = run()

    assert math.floor(_lfp_years_to(0.70) * 10) / 10 == float(result.years_to_70_pct)
    assert math.floor(_lfp_years_to(0.60) * 10) / 10 == float(result.years_to_60_pct)
    assert result.breakdown["ageing"]["calibrated_scalar"] == Decimal("2.6768")
    assert result.breakdown["ageing"]["efc_per_year"] == Decimal("50.0")


def test_bms_readout_nmc_pack_from_odometer_worked_example():
    # Given an NMC pack read out by the BMS at 76 %, 6 years and 90,000 km
    result = run(
        chemistry="NMC",
        rated_capacity_kwh=75,
        measured_capacity_kwh=None,
        soh_pct=76,
        method="bms_readout",
        age_years=6,
        cycles=None,
        odometer_km=90000,
    )

    # Then the band is +/- 8 pp and the pack is B1 (70 <= 76 < 80)
    assert headline(result) == {
        "soh_pct": Decimal("76.0"),
        "soh_low_pct": Decimal("68.0"),
        "soh_high_pct": Decimal("84.0"),
        "grade": "B1",
        "recommended_use": "forklifts, AGVs and small mobility",
        "years_to_70_pct": Decimal("3.5"),
        "years_to_60_pct": Decimal("10.8"),
        # Small mobility (to 70 %): f_life = 3.5/8 = 0.4375; f_risk = 1 - 4/76 = 0.9474
        # 57 * 16200 * 0.4375 * 0.9474 = 382737.7575 - 57 * 5338.25 = 78457.5075.
        # Stationary storage, which a B1 pack also qualifies for, is worth more: to 60 % is
        # 10.8 years >= 10, f_life = 1; 57 * 10500 * 1 * 0.9474 = 567018.90
        # minus 304280.25 = 262738.65 -> 262739
        "residual_value_jpy": Decimal("262739"),
    }
    assert result.breakdown["valuation"]["application"] == "stationary"
    # Then 90,000 km * 0.16 kWh/km / 75 kWh = 192 cycles, 32 per year
    assert result.breakdown["ageing"]["efc_to_date"] == Decimal("192.0")
    assert result.breakdown["ageing"]["efc_per_year"] == Decimal("32.0")


@pytest.mark.parametrize(
    "flag", ["swelling", "leakage", "thermal_event", "crash_damage", "water_ingress"]
)
def test_any_safety_flag_forces_recycling(flag):
    # Given an otherwise excellent pack (98 %) with one safety flag
    result = run(measured_capacity_kwh=Decimal("58.8"), safety_flags=[flag])

    assert result.soh_pct == Decimal("98.0")
    assert result.grade == "R"
    assert result.recommended_use == "recycling"
    assert result.residual_value_jpy == Decimal("0")
    assert result.breakdown["grading"]["gates"] == []
    assert result.breakdown["grading"]["reason"] == f"safety flag(s) force recycling: {flag}"


def test_conflicting_results_are_flagged():
    # Given a full discharge at 80.0 % (sigma 1) and a BMS read-out at 92 % (sigma 4)
    result = run(
        chemistry="NMC811",
        rated_capacity_kwh=100,
        measured_capacity_kwh=80,
        age_years=5,
        cycles=250,
        measurements=[{"method": "bms_readout", "soh_pct": 92}],
    )

    # Then s = (80/1 + 92/16) / (1 + 1/16) = 80.705..; sigma_s = 1.0625^-1/2 = 0.9701
    # BMS residual 11.29 > 2*sqrt(16 + 0.9412) = 8.23: conflict; full discharge 0.71 < 2.79
    combination = result.breakdown["combination"]
    assert result.conflict is True
    assert combination["conflict"] is True
    assert combination["conflicts"] == [
        {
            "method": "bms_readout",
            "soh_pct": Decimal("92.0"),
            "residual_pp": Decimal("11.3"),
            "allowed_pp": Decimal("8.2"),
        }
    ]
    assert (result.soh_pct, result.soh_low_pct, result.soh_high_pct) == (
        Decimal("80.7"),
        Decimal("78.8"),
        Decimal("82.6"),
    )


def test_agreeing_results_combine_into_a_narrower_band():
    # Given two full discharge tests at 80 % and 81 % (each +/- 2 pp)
    result = run(
        rated_capacity_kwh=100,
        measured_capacity_kwh=80,
        measurements=[{"method": "full_discharge", "measured_capacity_kwh": 81}],
    )

    # Then s = 80.5 and u95 = 2 / sqrt(2) = 1.41 -> 1.4: narrower than either alone
    assert (result.soh_pct, result.soh_low_pct, result.soh_high_pct) == (
        Decimal("80.5"),
        Decimal("79.1"),
        Decimal("81.9"),
    )
    assert result.conflict is False
    assert result.breakdown["combination"]["method"] == "inverse_variance_weighted_mean"
    single = run(rated_capacity_kwh=100, measured_capacity_kwh=80)
    assert result.soh_high_pct - result.soh_low_pct < single.soh_high_pct - single.soh_low_pct


@pytest.mark.parametrize(
    ("changes", "grade", "use"),
    [
        # 81 % by partial charge: low bound 77 < 78 fails A
        ({"measured_capacity_kwh": Decimal("48.6"), "method": "partial_charge"}, "B1", None),
        # 90 % but resistance +60 % fails A's 50 % gate
        ({"resistance_increase_pct": 60}, "B1", None),
        # 90 % but resistance +80 % fails B1's 75 % gate too: stationary
        ({"resistance_increase_pct": 80}, "B2", "stationary storage"),
        # a BMS read-out alone never gives grade A, even at 95 % (low 87)
        ({"measured_capacity_kwh": None, "soh_pct": 95, "method": "bms_readout"}, "B1", None),
        ({"measured_capacity_kwh": 39}, "B2", "stationary storage"),  # 65 %
        ({"measured_capacity_kwh": 33}, "C", "backup power"),  # 55 %
        ({"measured_capacity_kwh": 29}, "R", "recycling"),  # 48.3 %
    ],
)
def test_grade_gates(changes, grade, use):
    result = run(**changes)

    assert result.grade == grade
    assert result.recommended_use == (use or "forklifts, AGVs and small mobility")


def test_soce_reading_uses_the_gtr22_band():
    result = run(measured_capacity_kwh=None, soce_pct=Decimal("65"), method="gtr22_soce_monitor")

    assert (result.soh_pct, result.soh_low_pct, result.soh_high_pct) == (
        Decimal("65.0"),
        Decimal("60.0"),
        Decimal("70.0"),
    )
    assert result.years_to_70_pct == Decimal("0.0")
    assert result.breakdown["measurements"][0]["measurand"] == "SOCE"


def test_outputs_contain_no_floats():
    def walk(value):
        assert not isinstance(value, float), value
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(run(odometer_km=50000, resistance_increase_pct=10).as_dict())


@pytest.mark.parametrize(
    ("model", "years", "expected"),
    [
        ("lfp_gr_250Ah_prismatic", 5, 0.957),
        ("lfp_gr_250Ah_prismatic", 8, 0.942),
        ("lfp_gr_250Ah_prismatic", 10, 0.933),
        ("nmc111_gr_kokam_75Ah", 5, 0.967),
        ("nmc111_gr_kokam_75Ah", 8, 0.958),
        ("nmc111_gr_kokam_75Ah", 10, 0.953),
    ],
)
def test_models_reproduce_the_notes_illustrative_outputs(model, years, expected):
    # diagnostics.md 2.2: EV-like, 25 C, mean SOC 0.6, 50 EFC/yr, cell level
    ageing = reference_data().ageing
    calendar, cycle = loss_terms(ageing.models[model], Conditions.from_data(ageing))

    assert round(1 - calendar(years * 365) - cycle(50 * years), 3) == expected


def test_worked_example_scalar_of_the_note():
    # diagnostics.md 2.3: LFP, 6 years, 60 EFC/yr, measured 0.85 -> fitted scalar 2.9
    ageing = reference_data().ageing
    calendar, cycle = loss_terms(
        ageing.models["lfp_gr_250Ah_prismatic"], Conditions.from_data(ageing)
    )

    assert round(0.15 / (calendar(6 * 365) + cycle(360)), 1) == 2.9


def test_anode_potential_is_finite_over_the_soc_range():
    assert all(0 < anode_potential(soc / 10) < 1 for soc in range(11))


def test_scalar_is_floored_when_the_pack_beats_the_lab_model():
    # Given a pack measuring 100 % after two years: no measured loss to calibrate on
    result = run(measured_capacity_kwh=60, age_years=2, cycles=100)

    assert result.breakdown["ageing"]["scalar_used"] == Decimal("1.0000")
    assert result.years_to_70_pct is None  # the cell model alone does not reach 70 % in 50 years
