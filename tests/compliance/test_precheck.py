"""Scenario tests: each asserts the exact interface object of DESIGN.md."""

import datetime
from decimal import Decimal

import pytest

from compliance.ruleset import get_ruleset, load_ruleset
from compliance.services.precheck import (
    PrecheckInputError,
    parse_precheck_input,
    precheck,
    precheck_from_raw,
)

VERSION = "2026.11.24-draft.2"
NO_TRANSPORT = {"un_number": None, "special_provisions": [], "packing_instruction": None}
PIC_DOCUMENTS = [
    "notification_document",
    "movement_document",
    "contract_esm",
    "financial_guarantee_if_required",
    "dangerous_goods_declaration",
]
NCM_CONFORMING = {"Ni": "20.5", "Co": "6.1", "Li": "3.8", "P": "0.4", "F": "0.2"}
NCM_LOW_NICKEL = {"Ni": "15.0", "Co": "6.1", "Li": "3.8", "P": "0.4", "F": "0.2"}


def run(**raw):
    return precheck_from_raw(**raw).as_dict()


def block_codes(result: dict) -> list[str]:
    return [block["code"] for block in result["blocks"]]


def test_domestic_black_mass_needs_no_consent():
    result = run(material="black_mass", origin="JP", destination="JP", on="2026-12-01")

    assert result == {
        "allowed": True,
        "regime": "domestic",
        "blocks": [],
        "consents_required": [],
        "documents": [],
        "transport": NO_TRANSPORT,
        # The black-mass UN classification is an inference: an officer confirms it.
        "needs_officer_review": True,
        "rules_version": VERSION,
    }


def test_black_mass_japan_to_korea_is_oecd_amber_with_tacit_consents():
    result = run(material="black_mass", origin="JP", destination="KR", on="2026-12-01")

    assert result == {
        "allowed": True,
        "regime": "oecd_amber",
        "blocks": [],
        "consents_required": [
            {"country": "JP", "role": "export", "tacit_after_days": 30},
            {"country": "KR", "role": "import", "tacit_after_days": 30},
        ],
        "documents": [*PIC_DOCUMENTS, "jp_meti_export_approval", "kr_moe_import_permit"],
        "transport": NO_TRANSPORT,
        "needs_officer_review": True,
        "rules_version": VERSION,
    }


def test_end_of_life_pack_within_oecd_with_transit_state_and_no_inference():
    result = run(
        material="end_of_life_pack",
        origin="DE",
        destination="NO",
        transit=["SE"],
        on="2026-12-01",
    )

    assert result == {
        "allowed": True,
        "regime": "oecd_amber",
        "blocks": [],
        "consents_required": [
            {"country": "DE", "role": "export", "tacit_after_days": 30},
            {"country": "NO", "role": "import", "tacit_after_days": 30},
            {"country": "SE", "role": "transit", "tacit_after_days": 30},
        ],
        "documents": [
            *PIC_DOCUMENTS,
            "eu_diwass_filing",
            "eu_facility_audit_evidence",
            "eu_low_code_2025_934",
        ],
        "transport": {
            "un_number": "UN3480",
            "special_provisions": ["SP377"],
            "packing_instruction": "P909",
        },
        "needs_officer_review": False,
        "rules_version": VERSION,
    }


def test_eu_black_mass_to_india_after_9_nov_2026_is_banned():
    result = run(material="black_mass", origin="DE", destination="IN", on="2026-12-01")

    assert result["allowed"] is False
    assert result["regime"] == "prohibited"
    assert block_codes(result) == ["EU-HAZ-EXPORT-NON-OECD"]
    assert result["blocks"][0]["source"].startswith("S23: EUWID")
    assert result["consents_required"] == []
    assert result["documents"] == []


def test_eu_black_mass_to_india_before_9_nov_2026_is_pic_for_an_officer_to_classify():
    result = precheck_from_raw(
        material="black_mass", origin="DE", destination="IN", on="2026-11-08"
    )

    assert result.as_dict() == {
        "allowed": True,
        "regime": "basel_pic",
        "blocks": [],
        "consents_required": [
            {"country": "DE", "role": "export", "tacit_after_days": None},
            {"country": "IN", "role": "import", "tacit_after_days": None},
        ],
        "documents": [*PIC_DOCUMENTS, "eu_diwass_filing", "in_moefcc_permission"],
        "transport": NO_TRANSPORT,
        "needs_officer_review": True,
        "rules_version": VERSION,
    }
    assert [line.rule_id for line in result.explanation if line.effect == "review"] == [
        "EU-EXPORT-NON-OECD-BEFORE-2025-934"
    ]


def test_used_ev_to_russia_from_9_aug_2023_is_banned():
    result = run(material="used_ev", origin="JP", destination="RU", on="2023-08-09")

    assert result == {
        "allowed": False,
        "regime": "prohibited",
        "blocks": [
            {
                "code": "SANC-JP-RU-VEHICLES",
                "reason": "Japan bans exports of hybrid, plug-in hybrid and electric vehicles, "
                "including used ones, to Russia from 2023-08-09 (Export Trade Control Order).",
                "source": "S32: NHK - Japan Russia export ban expansion (cabinet 2023-07-28, "
                "in force 2023-08-09) (https://www3.nhk.or.jp/news/html/20230728/"
                "k10014145431000.html)",
            }
        ],
        "consents_required": [],
        "documents": [],
        "transport": {"un_number": "UN3171", "special_provisions": [], "packing_instruction": None},
        "needs_officer_review": False,
        "rules_version": VERSION,
    }


def test_used_ev_to_russia_before_the_bans_is_a_product_export():
    result = run(material="used_ev", origin="JP", destination="RU", on="2021-06-01")

    assert result == {
        "allowed": True,
        "regime": "product",
        "blocks": [],
        "consents_required": [],
        "documents": ["customs_export_declaration", "dangerous_goods_declaration"],
        "transport": {"un_number": "UN3171", "special_provisions": [], "packing_instruction": None},
        "needs_officer_review": False,
        "rules_version": VERSION,
    }


def test_used_ev_to_russia_in_the_luxury_car_window_goes_to_an_officer():
    result = run(material="used_ev", origin="JP", destination="RU", on="2023-01-10")

    assert (result["allowed"], result["regime"], result["needs_officer_review"]) == (
        True,
        "product",
        True,
    )


def test_used_ev_transport_switches_to_un3556_in_2025():
    result = run(material="used_ev", origin="JP", destination="NZ", on="2026-01-05")

    assert result["transport"] == {
        "un_number": "UN3556",
        "special_provisions": [],
        "packing_instruction": None,
    }


def test_non_conforming_black_mass_to_china_is_blocked():
    result = run(
        material="black_mass",
        origin="JP",
        destination="CN",
        on="2026-01-15",
        assay=NCM_LOW_NICKEL,
    )

    assert result["allowed"] is False
    assert block_codes(result) == ["CN-IMPORT-BLACK-MASS-OFFSPEC"]


def test_black_mass_to_china_without_assay_is_blocked():
    result = run(material="black_mass", origin="JP", destination="CN", on="2026-01-15")

    assert block_codes(result) == ["CN-IMPORT-BLACK-MASS-OFFSPEC"]


def test_conforming_black_mass_to_china_is_a_product_with_officer_review():
    result = run(
        material="black_mass",
        origin="JP",
        destination="CN",
        on="2026-01-15",
        assay=NCM_CONFORMING,
    )

    assert result == {
        "allowed": True,
        "regime": "product",
        "blocks": [],
        "consents_required": [],
        "documents": [
            "customs_export_declaration",
            "dangerous_goods_declaration",
            "cn_gacc_inspection",
            "cn_black_powder_packaging",
        ],
        "transport": NO_TRANSPORT,
        "needs_officer_review": True,
        "rules_version": VERSION,
    }


def test_lfp_black_mass_meets_the_chinese_spec_through_its_own_variant():
    lfp = {"Li": "2.4", "P": "11", "Fe": "19.5", "F": "0.05"}

    result = run(material="black_mass", origin="KR", destination="CN", on="2026-01-15", assay=lfp)

    assert (result["allowed"], result["regime"]) == (True, "product")


def test_conforming_black_mass_to_china_before_1_aug_2025_was_banned():
    result = run(
        material="black_mass",
        origin="JP",
        destination="CN",
        on="2025-07-31",
        assay=NCM_CONFORMING,
    )

    assert block_codes(result) == ["CN-IMPORT-BLACK-MASS-BEFORE-2025-08"]


def test_end_of_life_pack_to_china_is_banned_solid_waste():
    result = run(material="end_of_life_pack", origin="VN", destination="CN", on="2026-01-15")

    assert block_codes(result) == ["CN-IMPORT-WASTE-PACKS"]
    assert result["needs_officer_review"] is False


def test_basel_non_party_without_agreement_is_prohibited():
    result = run(material="black_mass", origin="US", destination="IN", on="2026-01-15")

    assert result["allowed"] is False
    assert result["regime"] == "prohibited"
    assert block_codes(result) == ["BASEL-NONPARTY-NO-AGREEMENT"]
    # The rule is the researcher's inference, so an officer looks at it.
    assert result["needs_officer_review"] is True


def test_basel_party_to_non_party_with_an_agreement_is_bilateral():
    result = run(material="end_of_life_pack", origin="MY", destination="US", on="2026-01-15")

    assert result == {
        "allowed": True,
        "regime": "bilateral",
        "blocks": [],
        "consents_required": [
            {"country": "MY", "role": "export", "tacit_after_days": None},
            {"country": "US", "role": "import", "tacit_after_days": None},
        ],
        "documents": [
            "notification_document",
            "movement_document",
            "contract_esm",
            "dangerous_goods_declaration",
            "us_import_notice",
        ],
        "transport": {
            "un_number": "UN3480",
            "special_provisions": ["SP377"],
            "packing_instruction": "P909",
        },
        "needs_officer_review": False,
        "rules_version": VERSION,
    }


def test_import_only_agreement_does_not_allow_the_reverse_direction():
    result = run(material="end_of_life_pack", origin="US", destination="MY", on="2026-01-15")

    assert block_codes(result) == ["BASEL-NONPARTY-NO-AGREEMENT"]


def test_japan_to_us_uses_the_oecd_decision_as_the_agreement():
    # The US is not a Basel Party, but both states apply the OECD Decision.
    result = run(material="end_of_life_pack", origin="JP", destination="US", on="2026-01-15")

    assert (result["allowed"], result["regime"]) == (True, "oecd_amber")
    assert result["documents"][-2:] == ["jp_meti_export_approval", "us_import_notice"]


def test_basel_pic_adds_a_written_consent_for_each_transit_state():
    result = run(
        material="damaged_pack",
        origin="JP",
        destination="IN",
        transit=["SG", "MY"],
        on="2026-01-15",
    )

    assert result["regime"] == "basel_pic"
    assert result["consents_required"] == [
        {"country": "JP", "role": "export", "tacit_after_days": None},
        {"country": "IN", "role": "import", "tacit_after_days": None},
        {"country": "SG", "role": "transit", "tacit_after_days": None},
        {"country": "MY", "role": "transit", "tacit_after_days": None},
    ]
    assert result["transport"] == {
        "un_number": "UN3480",
        "special_provisions": ["SP376"],
        "packing_instruction": "P908",
    }


def test_non_oecd_transit_takes_an_oecd_movement_out_of_the_amber_procedure():
    result = run(
        material="end_of_life_pack", origin="JP", destination="KR", transit=["CN"], on="2026-01-15"
    )

    assert result["regime"] == "basel_pic"
    assert result["consents_required"][-1] == {
        "country": "CN",
        "role": "transit",
        "tacit_after_days": None,
    }


def test_transit_state_that_waived_written_consent_gets_tacit_days(rules_copy):
    # Given a rules copy where Singapore declared it needs no written transit consent
    countries = rules_copy / "countries.yaml"
    text = countries.read_text(encoding="utf-8")
    countries.write_text(
        text.replace(
            "  - id: BASEL_TRANSIT_WAIVERS\n    members: []",
            "  - id: BASEL_TRANSIT_WAIVERS\n    members: [SG]",
        ),
        encoding="utf-8",
    )
    request = parse_precheck_input(
        material="end_of_life_pack", origin="JP", destination="IN", transit=["SG"], on="2026-01-15"
    )

    result = precheck(request, ruleset=load_ruleset(rules_copy)).as_dict()

    assert result["consents_required"][-1] == {
        "country": "SG",
        "role": "transit",
        "tacit_after_days": 60,
    }


def test_inference_rule_routes_to_an_officer():
    # Packs to Russia: coverage by the 758-item ban is unverified (an inference rule).
    result = precheck_from_raw(
        material="end_of_life_pack", origin="JP", destination="RU", on="2026-01-15"
    )

    assert result.needs_officer_review is True
    review = [line for line in result.explanation if line.effect == "review"]
    assert [line.rule_id for line in review] == ["SANC-JP-RU-PACKS", "BAN-AMENDMENT-GENERIC"]
    assert {line.confidence for line in review} == {"inference"}


def test_embargoed_destination_is_blocked_for_any_material():
    result = run(material="used_pack_for_reuse", origin="JP", destination="KP", on="2026-01-15")

    assert block_codes(result) == ["EMBARGO-JP-KP"]
    assert result["needs_officer_review"] is True


def test_reuse_pack_is_a_product_but_an_inference():
    result = run(material="used_pack_for_reuse", origin="JP", destination="TH", on="2026-01-15")

    assert result == {
        "allowed": True,
        "regime": "product",
        "blocks": [],
        "consents_required": [],
        "documents": [
            "customs_export_declaration",
            "dangerous_goods_declaration",
            "reuse_evidence_soh_report",
            "reuse_evidence_functionality_test",
            "reuse_evidence_packaging_photos",
            "reuse_sales_contract",
        ],
        "transport": {
            "un_number": "UN3480",
            "special_provisions": [],
            "packing_instruction": "P903",
        },
        "needs_officer_review": True,
        "rules_version": VERSION,
    }


def test_no_matching_regime_blocks_for_an_officer(rules_copy):
    # Given Haiti confirmed as a non-Party: two non-Parties have no Basel procedure and no
    # agreement in the data, so no regime rule matches.
    countries = rules_copy / "countries.yaml"
    text = countries.read_text(encoding="utf-8")
    countries.write_text(text.replace("members: [US]", "members: [US, HT]"), encoding="utf-8")
    request = parse_precheck_input(
        material="black_mass", origin="US", destination="HT", on="2026-01-15"
    )

    result = precheck(request, ruleset=load_ruleset(rules_copy)).as_dict()

    assert block_codes(result) == ["NO-APPLICABLE-REGIME"]
    assert result["needs_officer_review"] is True


def test_input_is_normalised():
    request = parse_precheck_input(
        material="black_mass",
        origin="jp",
        destination=" kr ",
        transit=["US", "US"],
        on=datetime.date(2026, 1, 2),
        assay={"ni": "20.50", "CO": 6},
    )

    assert request.origin == "JP"
    assert request.destination == "KR"
    assert request.transit == ("US",)
    assert request.assay == {"Ni": Decimal("20.50"), "Co": Decimal("6")}


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"material": "battery"}, "material", "Unknown material 'battery'"),
        ({"origin": "XX"}, "origin", "'XX' is not an ISO 3166-1 alpha-2 country code."),
        ({"transit": ["JPN"]}, "transit", "'JPN' is not an ISO 3166-1 alpha-2 country code."),
        ({"on": "2026-13-01"}, "date", "'2026-13-01' is not a date YYYY-MM-DD."),
        ({"assay": {"Ni": "lots"}}, "assay", "Ni: 'lots' is not a percentage between 0 and 100."),
        ({"assay": {"Nickel": "5"}}, "assay", "'Nickel' is not an element symbol."),
        ({"assay": {"Li": "101"}}, "assay", "Li: '101' is not a percentage between 0 and 100."),
    ],
)
def test_bad_input_is_refused_per_field(raw, field, message):
    values = {"material": "black_mass", "origin": "JP", "destination": "KR", **raw}

    with pytest.raises(PrecheckInputError) as raised:
        parse_precheck_input(**values)

    assert list(raised.value.fields) == [field]
    assert raised.value.fields[field][0].startswith(message)


def test_result_carries_the_active_rules_version():
    assert run(material="used_ev", origin="JP", destination="JP")["rules_version"] == (
        get_ruleset().version
    )
