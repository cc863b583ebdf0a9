"""Passport export: Battery Pass groups, public vs legitimate-interest audiences."""

import datetime
import json
from decimal import Decimal

import pytest

from marketplace.catalog.models import ListingAttachment
from marketplace.circularity import reference
from marketplace.circularity.models import PassportRecord
from marketplace.circularity.services import passport_export, passport_record_ensure

pytestmark = pytest.mark.django_db

SOCE_PATH = "performanceAndDurability.batteryCondition.stateOfCertifiedEnergy"


def _expected_public(pack, record) -> dict:
    return {
        "schemaVersion": "1.0.0",
        "mappingVersion": "2026-11-24.1",
        "dataModel": "Battery Pass data model 1.2.0 (DIN DKE SPEC 99100:2025-02)",
        "passportId": str(record.passport_id),
        "audience": "public",
        "generalProductInformation": {
            "batteryPassportIdentifier": f"urn:batterymarket:{record.passport_id.hex}",
            "productIdentifier": "AZE0-000123",
            "manufacturerInformation": {"contactName": "AESC"},
            "batteryCategory": "ev",
            "manufacturingDate": "2018-03-01T00:00:00Z",
            "batteryMass": 303,
        },
        "performanceAndDurability": {
            "batteryTechicalProperties": {
                "ratedEnergy": 40,
                "ratedCapacity": 56.3,
                "nominalVoltage": 350,
            }
        },
        "carbonFootprint": {"absoluteCarbonFootprint": 5200},
        "circularity": {},
        "materialComposition": {
            "batteryChemistry": {
                "shortName": "NMC532",
                "clearName": "Lithium nickel manganese cobalt oxide (NMC 5:3:2)",
            },
            "x-estimatedContainedMaterials": {
                "isEstimate": True,
                "basis": "NMC532 × 40 kWh × kg per kWh of the reference design; not an assay",
                "unit": "g",
                "referenceVersion": "2026-11-24.2",
                "sources": [
                    {
                        "title": "BatPaC 5.2 mineral intensity via pmbusch/USA-EV-Lithium-GHG "
                        "Inputs/Mineral_Intensity.xlsx (MIT)",
                        "url": "https://github.com/pmbusch/USA-EV-Lithium-GHG",
                    },
                    {
                        "title": "Project research note diagnostics.md section 5.1: Mn from Co "
                        "and the NMC molar ratio (stoichiometric estimate); LFP has no Mn",
                        "url": None,
                    },
                ],
                "batteryMaterials": [
                    {
                        "batteryMaterialName": "Lithium",
                        "batteryMaterialIdentifier": "7439-93-2",
                        "batteryMaterialMass": 4228,
                        "isCriticalRawMaterial": True,
                    },
                    {
                        "batteryMaterialName": "Nickel",
                        "batteryMaterialIdentifier": "7440-02-0",
                        "batteryMaterialMass": 17444,
                        "isCriticalRawMaterial": True,
                    },
                    {
                        "batteryMaterialName": "Cobalt",
                        "batteryMaterialIdentifier": "7440-48-4",
                        "batteryMaterialMass": 7004,
                        "isCriticalRawMaterial": True,
                    },
                    {
                        "batteryMaterialName": "Manganese",
                        "batteryMaterialIdentifier": "7439-96-5",
                        "batteryMaterialMass": 9800,
                        "isCriticalRawMaterial": True,
                    },
                ],
            },
        },
        "x-batteryMarket": {"moduleCount": 24, "moduleFormat": "prismatic"},
    }


def test_public_passport_has_the_public_attributes_only(pack):
    document = passport_export(pack=pack, audience="public")

    record = PassportRecord.objects.get(pack=pack)
    generated_at = document.pop("generatedAt")
    assert generated_at.endswith("Z")
    assert document == _expected_public(pack, record)


def test_legitimate_interest_passport_adds_soh_and_history(pack):
    document = passport_export(pack=pack, audience="legitimate_interest")

    assert document["audience"] == "legitimate_interest"
    assert document["performanceAndDurability"]["batteryCondition"] == {
        "stateOfCertifiedEnergy": {
            "stateOfCertifiedEnergyValue": 82.5,
            "lastUpdate": pack.updated_at.astimezone(datetime.UTC)
            .isoformat()
            .replace("+00:00", "Z"),
        }
    }
    assert document["generalProductInformation"]["puttingIntoService"] == "2018-06-15T00:00:00Z"
    assert document["x-batteryMarket"] == {
        "moduleCount": 24,
        "moduleFormat": "prismatic",
        "soh": {"lowPct": 80, "highPct": 85, "source": "self_declared", "grade": "B2"},
    }


def test_the_public_passport_is_the_full_one_less_legitimate_interest_attributes(pack):
    full = passport_export(pack=pack, audience="legitimate_interest")
    public = passport_export(pack=pack, audience="public")

    restricted = [a.path for a in reference.mapping().attributes if not a.is_public]
    for path in restricted:
        node = public
        for key in path.split(".")[:-1]:
            node = node.get(key, {})
        assert path.rsplit(".", 1)[-1] not in node, path
    assert public["generalProductInformation"] == {
        key: value
        for key, value in full["generalProductInformation"].items()
        if key != "puttingIntoService"
    }


def test_passport_identifier_is_stable_per_pack(pack):
    first = passport_export(pack=pack, audience="public")
    second = passport_export(pack=pack, audience="public")

    assert first["passportId"] == second["passportId"]
    assert PassportRecord.objects.filter(pack=pack).count() == 1
    assert (
        passport_record_ensure(pack=pack).urn
        == (first["generalProductInformation"]["batteryPassportIdentifier"])
    )


def test_no_carbon_footprint_is_invented_when_none_was_declared(pack):
    pack.carbon_footprint_kg_co2e = None
    pack.save()

    document = passport_export(pack=pack, audience="legitimate_interest")

    assert document["carbonFootprint"] == {}


def test_no_material_estimate_for_a_chemistry_without_reference_data(pack):
    pack.chemistry = "OTHER"
    pack.save()

    document = passport_export(pack=pack, audience="public")

    assert document["materialComposition"] == {
        "batteryChemistry": {"shortName": "OTHER", "clearName": "Other or mixed chemistry"}
    }


def test_every_group_of_the_mapping_is_filled_for_a_documented_pack(listing, pack):
    ListingAttachment.objects.create(
        listing=listing,
        kind="sds",
        file="catalog/listings/1/sds.pdf",
        original_name="sds.pdf",
        content_type="application/pdf",
        size_bytes=1000,
    )

    document = passport_export(
        pack=pack, audience="legitimate_interest", url_prefix="https://market.example"
    )

    groups = list(reference.mapping().groups)
    assert groups == [*reference.BATTERY_PASS_GROUPS, reference.EXTENSION_GROUP]
    assert all(document[group] for group in groups)
    sheet = ListingAttachment.objects.get(listing=listing)
    assert document["circularity"] == {
        "safetyMeasures": {
            "safetyInstructions": f"https://market.example/catalog/attachments/{sheet.pk}/"
        }
    }


def test_every_group_has_mapped_attributes_and_every_attribute_a_label():
    from marketplace.circularity.labels import ATTRIBUTE_LABELS, GROUP_TITLES

    mapping = reference.mapping()
    groups_with_attributes = {attribute.group for attribute in mapping.attributes}
    assert groups_with_attributes == set(mapping.groups)
    assert set(GROUP_TITLES) == set(mapping.groups)
    assert {a.path for a in mapping.attributes} == set(ATTRIBUTE_LABELS)


def test_passport_is_plain_json(pack):
    document = passport_export(pack=pack, audience="legitimate_interest")

    assert json.loads(json.dumps(document)) == document
    assert not any(isinstance(value, Decimal) for value in document.values())
