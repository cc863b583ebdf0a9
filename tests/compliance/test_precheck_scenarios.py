"""The issue's worked pre-check scenarios, one test each, through the same entry point the
API and `manage.py compliance_precheck` use."""

from compliance.services.precheck import precheck_from_raw


def run(**raw) -> dict:
    return precheck_from_raw(**raw).as_dict()


def consents(result: dict) -> list[tuple[str, str, int | None]]:
    return [(c["country"], c["role"], c["tacit_after_days"]) for c in result["consents_required"]]


def test_used_ev_japan_to_russia_is_blocked_by_sanctions():
    result = run(material="used_ev", origin="JP", destination="RU", on="2026-12-01")

    assert (result["allowed"], result["regime"]) == (False, "prohibited")
    assert [block["code"] for block in result["blocks"]] == ["SANC-JP-RU-VEHICLES"]
    assert result["consents_required"] == []


def test_black_mass_germany_to_indonesia_after_9_nov_2026_is_blocked():
    # Indonesia is outside the OECD: the EU export ban on hazardous waste applies.
    result = run(material="black_mass", origin="DE", destination="ID", on="2026-11-10")

    assert (result["allowed"], result["regime"]) == (False, "prohibited")
    assert [block["code"] for block in result["blocks"]] == ["EU-HAZ-EXPORT-NON-OECD"]


def test_end_of_life_pack_japan_to_korea_needs_korean_import_consent_and_un3480_sp377():
    result = run(material="end_of_life_pack", origin="JP", destination="KR", on="2026-12-01")

    assert (result["allowed"], result["regime"]) == (True, "oecd_amber")
    assert ("KR", "import", 30) in consents(result)
    assert result["transport"] == {
        "un_number": "UN3480",
        "special_provisions": ["SP377"],
        "packing_instruction": "P909",
    }


def test_a_damaged_pack_carries_sp376():
    result = run(material="damaged_pack", origin="JP", destination="KR", on="2026-12-01")

    assert result["transport"] == {
        "un_number": "UN3480",
        "special_provisions": ["SP376"],
        "packing_instruction": "P908",
    }


def test_a_domestic_movement_needs_no_consents():
    result = run(material="end_of_life_pack", origin="JP", destination="JP", on="2026-12-01")

    assert (result["allowed"], result["regime"]) == (True, "domestic")
    assert result["consents_required"] == []


def test_non_party_to_party_without_an_agreement_is_blocked():
    result = run(material="black_mass", origin="US", destination="IN", on="2026-01-15")

    assert (result["allowed"], result["regime"]) == (False, "prohibited")
    assert [block["code"] for block in result["blocks"]] == ["BASEL-NONPARTY-NO-AGREEMENT"]


def test_a_transit_country_appears_in_the_consents():
    # Our own: a Chinese transhipment takes the Korean movement out of the OECD amber
    # procedure; every state, the transit one included, must consent in writing.
    result = run(
        material="end_of_life_pack", origin="JP", destination="KR", transit=["CN"], on="2026-12-01"
    )

    assert result["regime"] == "basel_pic"
    assert consents(result) == [
        ("JP", "export", None),
        ("KR", "import", None),
        ("CN", "transit", None),
    ]
