"""Circularity figures for the outflow report: exact Decimals from reference.yaml."""

from decimal import Decimal

import pytest

from marketplace.circularity.metrics import (
    Outcome,
    circularity_index,
    circularity_score,
    co2_avoided_by_reuse_kg,
    contained_metals_kg,
)


def test_contained_metals_of_a_40_kwh_nmc532_pack():
    assert contained_metals_kg("NMC532", Decimal("40.00")) == {
        "Li": Decimal("4.228"),
        "Ni": Decimal("17.444"),
        "Co": Decimal("7.004"),
        "Mn": Decimal("9.800"),
    }


def test_contained_metals_round_half_up_to_the_gram():
    # 0.0922 × 62.5 = 5.7625 kg Li; 0.0763 × 62.5 = 4.76875 kg Co
    assert contained_metals_kg("NMC811", Decimal("62.5")) == {
        "Li": Decimal("5.763"),
        "Ni": Decimal("37.988"),
        "Co": Decimal("4.769"),
        "Mn": Decimal("4.438"),
    }


def test_lfp_contains_lithium_and_no_nickel_or_cobalt():
    assert contained_metals_kg("LFP", Decimal("60")) == {
        "Li": Decimal("5.340"),
        "Ni": Decimal("0.000"),
        "Co": Decimal("0.000"),
        "Mn": Decimal("0.000"),
    }


def test_no_manganese_is_invented_where_the_reference_data_give_none():
    assert contained_metals_kg("NCA", Decimal("100")) == {
        "Li": Decimal("9.940"),
        "Ni": Decimal("65.560"),
        "Co": Decimal("12.340"),
    }


@pytest.mark.parametrize("chemistry", ["LTO", "OTHER"])
def test_chemistries_without_reference_data_give_no_estimate(chemistry):
    assert contained_metals_kg(chemistry, Decimal("40")) == {}


def test_negative_capacity_is_refused():
    with pytest.raises(ValueError, match="kWh cannot be negative"):
        contained_metals_kg("LFP", Decimal("-1"))


def test_co2_avoided_by_reusing_32_kwh_at_61_kg_per_kwh():
    assert co2_avoided_by_reuse_kg(Decimal("32")) == Decimal("1952.0")


def test_co2_avoided_rounds_to_a_tenth_of_a_kg():
    # 33.01 × 61 = 2013.61
    assert co2_avoided_by_reuse_kg(Decimal("33.01")) == Decimal("2013.6")


def test_scores_put_reuse_before_recycling_before_export():
    kwh = Decimal("40")
    assert circularity_score(Outcome.REUSE, kwh) == Decimal("40.00")
    assert circularity_score(Outcome.RECYCLING, kwh) == Decimal("20.00")
    assert circularity_score(Outcome.EXPORT, kwh) == Decimal("4.00")


def test_unknown_outcome_is_refused():
    with pytest.raises(ValueError, match="Unknown outcome 'landfill'"):
        circularity_score("landfill", Decimal("1"))


def test_index_weights_outcomes_by_capacity():
    # 100 × (1.00×40 + 0.50×20 + 0.10×40) / 100 = 54
    outcomes = [
        (Outcome.REUSE, Decimal("40")),
        (Outcome.RECYCLING, Decimal("20")),
        (Outcome.EXPORT, Decimal("40")),
    ]
    assert circularity_index(outcomes) == Decimal("54.00")


def test_index_of_nothing_traded_is_none():
    assert circularity_index([]) is None
