"""quote_black_mass: exact decimals, one rounding at the end, penalties, input rules."""

from decimal import Decimal

import pytest

from marketplace.trading.pricing import (
    QuoteInputError,
    decimal_text,
    dumps_exact,
    loads_exact,
    quote_black_mass,
)

NCM_ASSAY = {"Ni": 20, "Co": 10, "Li": 4, "Cu": "2.5"}
NCM_PAYABLES = {"Ni": 75, "Co": 75, "Li": 5}
PRICES = {"Ni": 2300, "Co": 5000, "Li": 9600}
CU_PENALTY = [{"element": "Cu", "threshold_pct": 2, "jpy_per_dry_tonne_per_pct_over": 10000}]


def test_worked_example_ncm_lot_with_copper_penalty():
    # Given 1 t wet at 5 % moisture: 950 kg dry.
    # Ni 950 × 20 % = 190 kg × 75 % × 2300 = 327,750
    # Co 950 × 10 % =  95 kg × 75 % × 5000 = 356,250
    # Li 950 ×  4 % =  38 kg ×  5 % × 9600 =  18,240
    # Cu 2.5 % is 0.5 points over 2 %: 0.95 dmt × 0.5 × 10,000 = 4,750 deducted
    quote = quote_black_mass(1000, 5, NCM_ASSAY, NCM_PAYABLES, PRICES, CU_PENALTY)

    assert quote.dry_kg == Decimal("950")
    assert quote.contained_kg == {
        "Ni": Decimal("190"),
        "Co": Decimal("95"),
        "Li": Decimal("38"),
        "Cu": Decimal("23.75"),
    }
    assert [(line.element, line.payable_value_jpy, line.penalty_jpy) for line in quote.lines] == [
        ("Ni", Decimal("327750"), Decimal("0")),
        ("Co", Decimal("356250"), Decimal("0")),
        ("Li", Decimal("18240"), Decimal("0")),
        ("Cu", Decimal("0"), Decimal("4750")),
    ]
    assert quote.value_jpy == 697490


def test_keeps_every_digit_until_the_final_rounding():
    # dry = 1234.567 × (1 − 0.0789) = 1137.1596637 kg
    # Ni  = 1137.1596637 × 18.37 % = 208.89623022169 kg
    # value = 208.89623022169 × 73.5 % × 2412.35 = 370,389.1534168409955525 → 370,389
    quote = quote_black_mass("1234.567", "7.89", {"Ni": "18.37"}, {"Ni": "73.5"}, {"Ni": "2412.35"})

    assert quote.dry_kg == Decimal("1137.1596637")
    assert quote.contained_kg["Ni"] == Decimal("208.89623022169")
    assert quote.lines[0].payable_value_jpy == Decimal("370389.1534168409955525")
    assert quote.value_jpy == 370389


def test_rounds_once_at_the_end_not_per_line():
    # Ni and Co each 1 kg × 10 % × 3 JPY = 0.3 JPY; per-line rounding would give 0, the sum 0.6 → 1
    quote = quote_black_mass(100, 0, {"Ni": 1, "Co": 1}, {"Ni": 10, "Co": 10}, {"Ni": 3, "Co": 3})

    assert [line.value_jpy for line in quote.lines] == [Decimal("0.3"), Decimal("0.3")]
    assert quote.value_jpy == 1


@pytest.mark.parametrize(
    ("price", "expected_jpy"),
    [("5", 1), ("25", 3), ("24.9", 2), ("35", 4)],  # 0.5 → 1 and 2.5 → 3: half up, not to even
)
def test_rounds_half_up_to_whole_yen(price, expected_jpy):
    # 1 kg Ni × 10 % × price: 0.5, 2.5, 2.49, 3.5
    quote = quote_black_mass(100, 0, {"Ni": 1}, {"Ni": 10}, {"Ni": price})

    assert quote.value_jpy == expected_jpy


def test_penalty_is_linear_in_the_excess_per_dry_tonne_and_moisture_can_be_penalised():
    # 2,000 kg wet at 8 % moisture = 1,840 kg dry = 1.84 dmt
    # Al 3.25 % is 1.25 points over 2 %: 1.84 × 1.25 × 4,000 = 9,200
    # H2O 8 % is 3 points over 5 %:      1.84 × 3    × 1,500 = 8,280
    # Ni 1,840 × 20 % = 368 kg × 70 % × 2,000 = 515,200
    penalties = [
        {"element": "Al", "threshold_pct": 2, "jpy_per_dry_tonne_per_pct_over": 4000},
        {"element": "H2O", "threshold_pct": 5, "jpy_per_dry_tonne_per_pct_over": 1500},
    ]
    quote = quote_black_mass(2000, 8, {"Ni": 20, "Al": "3.25"}, {"Ni": 70}, {"Ni": 2000}, penalties)

    lines = {line.element: line for line in quote.lines}
    assert lines["Al"].penalty_jpy == Decimal("9200")
    assert lines["H2O"].penalty_jpy == Decimal("8280")
    assert lines["H2O"].assay_pct == Decimal("8")
    assert lines["H2O"].contained_kg == Decimal("160")
    assert quote.value_jpy == 515200 - 9200 - 8280


def test_no_penalty_at_or_below_the_threshold():
    quote = quote_black_mass(1000, 0, {"Ni": 20, "Cu": 2}, {"Ni": 70}, {"Ni": 2000}, CU_PENALTY)

    assert quote.lines[-1].penalty_jpy == Decimal("0")
    assert quote.value_jpy == 280000


def test_element_without_assay_counts_as_zero_and_extra_prices_are_ignored():
    quote = quote_black_mass(
        1000, 0, {"Ni": 20}, {"Ni": 70, "Co": 70}, {"Ni": 2000, "Co": 5000, "Mn": 300}
    )

    assert [(line.element, line.assay_pct, line.contained_kg) for line in quote.lines] == [
        ("Ni", Decimal("20"), Decimal("200")),
        ("Co", Decimal("0"), Decimal("0")),
    ]
    assert quote.value_jpy == 280000


@pytest.mark.parametrize(
    ("changes", "field_name"),
    [
        ({"wet_kg": -1}, "wet_kg"),
        ({"wet_kg": 0}, "wet_kg"),
        ({"wet_kg": True}, "wet_kg"),
        ({"wet_kg": "heavy"}, "wet_kg"),
        ({"moisture_pct": 100}, "moisture_pct"),
        ({"moisture_pct": -0.1}, "moisture_pct"),
        ({"assay_pct": {"Ni": 60, "Co": 41}}, "assay_pct"),
        ({"assay_pct": {"Ni": 20, "Xx": 1}}, "assay_pct.Xx"),
        ({"assay_pct": {}}, "assay_pct"),
        ({"assay_pct": [20]}, "assay_pct"),
        ({"payables_pct": {"Ni": "100.01"}}, "payables_pct.Ni"),
        ({"payables_pct": {"Al": 10}}, "payables_pct.Al"),
        ({"prices_jpy_per_kg": {"Co": 5000}}, "prices_jpy_per_kg.Ni"),
        ({"prices_jpy_per_kg": {"Ni": 0}}, "prices_jpy_per_kg.Ni"),
        (
            {"penalties": [{"element": "Cu", "threshold_pct": 2}]},
            "penalties.0.jpy_per_dry_tonne_per_pct_over",
        ),
        ({"penalties": [{"element": "Qq", "threshold_pct": 2}]}, "penalties.0.element"),
        ({"penalties": CU_PENALTY * 2}, "penalties.1.element"),
        ({"penalties": {"Cu": 2}}, "penalties"),
        ({"wet_kg": "1e20"}, "wet_kg"),
        ({"wet_kg": "0.0000000000001"}, "wet_kg"),
    ],
)
def test_refuses_bad_input_naming_the_field(changes, field_name):
    arguments = {
        "wet_kg": 1000,
        "moisture_pct": 5,
        "assay_pct": {"Ni": 20},
        "payables_pct": {"Ni": 70},
        "prices_jpy_per_kg": {"Ni": 2000},
        **changes,
    }

    with pytest.raises(QuoteInputError) as raised:
        quote_black_mass(**arguments)

    assert list(raised.value.fields) == [field_name]
    assert raised.value.status == 400


def test_exact_json_writes_decimals_as_numbers_from_their_text():
    text = dumps_exact({"a": Decimal("950.00"), "b": [Decimal("0.10"), 3, None], "c": "é"})

    assert text == '{"a": 950, "b": [0.1, 3, null], "c": "é"}'
    assert loads_exact('{"x": 0.1, "y": 7}') == {"x": Decimal("0.1"), "y": Decimal("7")}
    assert decimal_text(Decimal("1.2E+3")) == "1200"
    assert decimal_text(Decimal("-0.000")) == "0"
