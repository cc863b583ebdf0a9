"""The data loader: shipped data is valid; a broken file names the file and the key."""

import shutil
from pathlib import Path

import pytest

from diagnostics.reference import DATA_DIR, ReferenceDataError, load_reference_data


@pytest.fixture
def data_copy(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_data_loads_with_every_required_method():
    data = load_reference_data()

    assert {
        "full_discharge",
        "hppc",
        "eis",
        "bms_readout",
        "partial_charge",
        "model_estimate",
    } <= set(data.methods)
    assert data.methods["full_discharge"].u95_pp.value == 2
    assert data.methods["hppc"].gives_headline_soh is False
    assert str(data.ageing.models["lfp_gr_250Ah_prismatic"].params["p1"].value) == "83700"


def test_non_numeric_value_names_file_and_key(data_copy):
    _replace(data_copy / "methods.yaml", "u95_pp: {value: 8,", "u95_pp: {value: eight,")

    with pytest.raises(ReferenceDataError) as error:
        load_reference_data(data_copy)

    assert str(error.value) == (
        "diagnostics/data/methods.yaml: methods.bms_readout.u95_pp.value: "
        "expected a number, got 'eight'"
    )


def test_unknown_source_key_is_refused(data_copy):
    _replace(
        data_copy / "valuation.yaml",
        "source: bnef_2025, quality: primary}",
        "source: bnef_2099, quality: primary}",
    )

    with pytest.raises(
        ReferenceDataError,
        match=(
            r"valuation\.yaml: applications\.ev\.new_pack_price_usd_per_kwh\.source: "
            r"unknown source key 'bnef_2099'"
        ),
    ):
        load_reference_data(data_copy)


def test_missing_key_is_refused(data_copy):
    _replace(
        data_copy / "ageing.yaml",
        "  c_rate: {value: 0.3, source: diagnostics_note, quality: estimate}\n",
        "",
    )

    with pytest.raises(
        ReferenceDataError, match=r"ageing\.yaml: reference_conditions\.c_rate: missing"
    ):
        load_reference_data(data_copy)


def test_bad_quality_is_refused(data_copy):
    _replace(data_copy / "grading.yaml", "quality: secondary}", "quality: rumour}")

    with pytest.raises(
        ReferenceDataError, match=r"grading\.yaml: grades\.A\.soh_min_pct\.quality: 'rumour'"
    ):
        load_reference_data(data_copy)


def test_invalid_yaml_is_refused(data_copy):
    (data_copy / "methods.yaml").write_text("methods: [unclosed\n", encoding="utf-8")

    with pytest.raises(
        ReferenceDataError, match=r"^diagnostics/data/methods\.yaml: not valid YAML"
    ):
        load_reference_data(data_copy)


def test_exchange_rates_are_marked_as_dated_assumptions():
    valuation = load_reference_data().valuation

    for rate in (valuation.usd_jpy, valuation.eur_jpy):
        assert (rate.source, rate.quality, rate.as_of) == ("assumption", "assumption", "2026-11-24")
    assert valuation.usd_jpy.describe() == {
        "value": 150,
        "source": "assumption",
        "quality": "assumption",
        "as_of": "2026-11-24",
    }


def test_an_assumption_without_its_date_is_refused(data_copy):
    _replace(
        data_copy / "valuation.yaml",
        'usd_jpy: {value: 150, source: assumption, quality: assumption, as_of: "2026-11-24"}',
        "usd_jpy: {value: 150, source: assumption, quality: assumption}",
    )

    with pytest.raises(ReferenceDataError) as error:
        load_reference_data(data_copy)

    assert str(error.value) == (
        "diagnostics/data/valuation.yaml: exchange_rates.usd_jpy.as_of: "
        "an assumption needs the date it was chosen"
    )


def test_grade_applications_out_of_grading_order_are_refused(data_copy):
    _replace(
        data_copy / "valuation.yaml",
        "grade_applications: {A: ev, B1: small_mobility, B2: stationary, C: backup}",
        "grade_applications: {B1: small_mobility, A: ev, B2: stationary, C: backup}",
    )

    with pytest.raises(ReferenceDataError, match="list the grades in grading.yaml's order"):
        load_reference_data(data_copy)


def test_a_chemistry_without_metal_content_is_refused(data_copy):
    _replace(
        data_copy / "valuation.yaml",
        "    LMO: {value: {Li: 0.0968, Ni: 0, Co: 0, Cu: 0.5247}, "
        "source: batpac52_busch_intensity, quality: primary}\n",
        "",
    )

    with pytest.raises(ReferenceDataError) as error:
        load_reference_data(data_copy)

    assert str(error.value) == (
        "diagnostics/data/valuation.yaml: recycling.metal_kg_per_kwh: no entry for LMO"
    )
