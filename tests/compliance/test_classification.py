import datetime

import pytest

from compliance.services.classification import ClassificationInputError, classify_listing

TODAY = datetime.date(2026, 11, 24)
REUSABLE = {
    "listing_type": "pack",
    "soh_certificate_date": datetime.date(2026, 9, 1),
    "soh_method": "full_discharge",
    "grade": "B1",
    "safety_flags": [],
    "packaging_ok": True,
    "on": TODAY,
}


def test_pack_with_recent_functional_test_is_a_reuse_product():
    result = classify_listing(**REUSABLE)

    assert result.material == "used_pack_for_reuse"
    assert result.is_waste is False
    assert [(c["scheme"], c["code"]) for c in result.codes] == [("hs", "8507.60")]
    assert result.transport == {
        "un_number": "UN3480",
        "special_provisions": [],
        "packing_instruction": "P903",
    }
    # The reuse criteria are an inference in the data: an officer reviews them.
    assert result.needs_officer_review is True


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"soh_certificate_date": datetime.date(2025, 11, 1)}, "older than 365 days"),
        ({"soh_certificate_date": None}, "No SOH certificate."),
        ({"soh_method": "bms_readout"}, "Method bms_readout is not a functional test."),
        ({"soh_method": "model_estimate"}, "Method model_estimate is not a functional test."),
        ({"grade": "R"}, "Grade R is not a reuse grade."),
        ({"packaging_ok": False}, "Packaging is not confirmed as protective."),
    ],
)
def test_pack_without_full_reuse_evidence_is_end_of_life_waste(change, reason):
    result = classify_listing(**{**REUSABLE, **change})

    assert result.material == "end_of_life_pack"
    assert result.is_waste is True
    assert any(reason in line for line in result.reasons)
    assert result.transport == {
        "un_number": "UN3480",
        "special_provisions": ["SP377"],
        "packing_instruction": "P909",
    }


def test_module_with_safety_flags_is_damaged_whatever_its_evidence():
    result = classify_listing(**{**REUSABLE, "listing_type": "module", "safety_flags": ["swollen"]})

    assert result.material == "damaged_pack"
    assert result.reasons == ["Safety flags (swollen) make the pack damaged or defective."]
    assert result.transport["special_provisions"] == ["SP376"]
    assert result.transport["packing_instruction"] == "P908"


def test_eu_list_of_waste_code_changes_on_9_november_2026():
    before = classify_listing(**{**REUSABLE, "grade": "R", "on": datetime.date(2026, 11, 8)})
    after = classify_listing(**{**REUSABLE, "grade": "R", "on": datetime.date(2026, 11, 9)})

    assert [c["code"] for c in before.codes] == ["A1170", "16 06 05", "8549.13"]
    assert [c["code"] for c in after.codes] == ["A1170", "16 06 07*", "8549.13"]


def test_black_mass_codes_and_undetermined_transport():
    result = classify_listing(listing_type="black_mass", on=TODAY)

    assert result.material == "black_mass"
    assert [(c["scheme"], c["code"], c["country"]) for c in result.codes] == [
        ("basel", "A1170", None),
        ("basel", "A1181", None),
        ("basel", "Y49", None),
        ("eu_low", "19 14 02*", None),
        ("hs", "2620", "KR"),
        ("hs", "3824999996", "CN"),
    ]
    assert result.transport == {
        "un_number": None,
        "special_provisions": [],
        "packing_instruction": None,
    }
    assert result.needs_officer_review is True


def test_used_ev_ships_as_un3556_from_2025():
    result = classify_listing(listing_type="used_ev", on=TODAY)

    assert (result.material, result.is_waste) == ("used_ev", False)
    assert result.transport["un_number"] == "UN3556"


def test_unknown_listing_type_is_refused():
    with pytest.raises(ClassificationInputError) as raised:
        classify_listing(listing_type="cell", on=TODAY)

    assert raised.value.fields == {"listing_type": ["Unknown listing type."]}
