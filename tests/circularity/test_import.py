"""Passport import: validated listing-create input, errors keyed by attribute path."""

import copy
import datetime
import json
from decimal import Decimal

import pytest

from marketplace.catalog import services as catalog_services
from marketplace.circularity.services import (
    PassportInvalid,
    chemistry_code,
    passport_export,
    passport_import,
)

pytestmark = pytest.mark.django_db

MINIMAL = {
    "generalProductInformation": {
        "productIdentifier": "ZE1-PACK-0001",
        "manufacturerInformation": {"contactName": "AESC"},
        "batteryCategory": "ev",
    },
    "performanceAndDurability": {"batteryTechicalProperties": {"ratedEnergy": 40}},
    "materialComposition": {"batteryChemistry": {"shortName": "NMC532"}},
}


def passport(**changes) -> dict:
    """MINIMAL with dotted-path changes; a value of None removes the attribute."""
    data = copy.deepcopy(MINIMAL)
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        node = data
        for key in parents:
            node = node.setdefault(key, {})
        if value is None:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return data


def errors_of(data, actor) -> dict[str, list[str]]:
    with pytest.raises(PassportInvalid) as raised:
        passport_import(data=data, actor=actor)
    return raised.value.fields


def test_minimal_passport_prefills_a_pack_listing(seller):
    prefill = passport_import(data=MINIMAL, actor=seller)

    assert prefill == {
        "listing_type": "battery_pack",
        "title": "AESC NMC532 40 kWh battery pack",
        "country": "JP",
        "pack": {
            "serial_number": "ZE1-PACK-0001",
            "manufacturer": "AESC",
            "chemistry": "NMC532",
            "rated_capacity_kwh": Decimal("40.00"),
        },
    }


def test_round_trip_export_then_import_reproduces_the_pack(pack, buyer):
    exported = passport_export(pack=pack, audience="legitimate_interest")

    prefill = passport_import(data=json.loads(json.dumps(exported)), actor=buyer)

    expected = {
        name: getattr(pack, name)
        for name in catalog_services.PACK_FIELDS
        if getattr(pack, name) not in (None, "")
    }
    assert prefill["pack"] == expected
    assert expected["soh_pct"] == Decimal("82.50")
    assert expected["first_used_on"] == datetime.date(2018, 6, 15)
    assert len(expected) == len(catalog_services.PACK_FIELDS)


def test_public_passport_round_trip_carries_no_soh(pack, buyer):
    exported = passport_export(pack=pack, audience="public")

    prefill = passport_import(data=exported, actor=buyer)

    assert "soh_pct" not in prefill["pack"]
    assert "first_used_on" not in prefill["pack"]
    assert prefill["pack"]["carbon_footprint_kg_co2e"] == Decimal("5200.0")


@pytest.mark.parametrize(
    ("given", "field", "expected"),
    [
        ({"value": 40000, "unit": "Wh"}, "rated_capacity_kwh", Decimal("40.00")),
        ({"value": "0.04", "unit": "MWh"}, "rated_capacity_kwh", Decimal("40.00")),
        ("39.996", "rated_capacity_kwh", Decimal("40.00")),
    ],
)
def test_energy_units_are_converted_to_kwh(seller, given, field, expected):
    data = passport(
        performanceAndDurability__batteryTechicalProperties__ratedEnergy=given,
    )

    assert passport_import(data=data, actor=seller)["pack"][field] == expected


def test_other_units_are_converted_to_the_catalog_units(seller):
    data = passport(
        generalProductInformation__batteryMass={"value": 0.303, "unit": "t"},
        performanceAndDurability__batteryTechicalProperties__ratedCapacity={
            "value": 56300,
            "unit": "mAh",
        },
        carbonFootprint__absoluteCarbonFootprint={"value": 5.2, "unit": "t CO2e"},
    )

    pack = passport_import(data=data, actor=seller)["pack"]

    assert pack["mass_kg"] == Decimal("303.0")
    assert pack["rated_capacity_ah"] == Decimal("56.3")
    assert pack["carbon_footprint_kg_co2e"] == Decimal("5200.0")


def test_errors_are_keyed_by_attribute_path_with_exact_messages(seller):
    data = passport(
        generalProductInformation__batteryCategory="portable",
        generalProductInformation__productIdentifier=None,
        generalProductInformation__manufacturingDate="March 2018",
        performanceAndDurability__batteryTechicalProperties__ratedEnergy=40000,
        performanceAndDurability__batteryTechicalProperties__nominalVoltage={
            "value": 350,
            "unit": "volts",
        },
        materialComposition__batteryChemistry__shortName="NMC",
    )

    assert errors_of(data, seller) == {
        "generalProductInformation.batteryCategory": [
            '"portable" is not a Battery Pass battery category; '
            "use one of: lmt, ev, industrial, stationary."
        ],
        "generalProductInformation.manufacturingDate": [
            "Enter an ISO 8601 date or date-time, e.g. 2019-04-01T00:00:00Z."
        ],
        "performanceAndDurability.batteryTechicalProperties.ratedEnergy": [
            "40000 kWh is not plausible for a battery pack; it looks like Wh. "
            'Send kWh, or {"value": 40000, "unit": "Wh"}.'
        ],
        "performanceAndDurability.batteryTechicalProperties.nominalVoltage": [
            'Unit "volts" is not accepted here; use one of: V, kV, mV.'
        ],
        "materialComposition.batteryChemistry.shortName": [
            "NMC without its ratio: give one of NMC111, NMC532, NMC622 or NMC811."
        ],
        "generalProductInformation.productIdentifier": ["This field is required."],
    }


def test_missing_category_and_unknown_chemistry(seller):
    data = passport(
        generalProductInformation__batteryCategory=None,
        materialComposition__batteryChemistry__shortName="Unobtainium",
    )

    assert errors_of(data, seller) == {
        "generalProductInformation.batteryCategory": ["This attribute is required."],
        "materialComposition.batteryChemistry.shortName": [
            'Unknown chemistry "Unobtainium"; use one of: '
            "NMC111, NMC532, NMC622, NMC811, NCA, LFP, LMO, LTO, OTHER."
        ],
    }


def test_catalog_rules_are_reported_at_the_attribute_path(seller):
    data = passport(
        performanceAndDurability__batteryCondition__stateOfCertifiedEnergy={
            "stateOfCertifiedEnergyValue": 82,
            "lastUpdate": "2026-10-01T00:00:00Z",
        },
        **{"x-batteryMarket__soh__lowPct": 90, "x-batteryMarket__moduleCount": 2.5},
    )

    assert errors_of(data, seller) == {
        "x-batteryMarket.moduleCount": ["Enter a whole number."],
        "x-batteryMarket.soh.lowPct": ["The lower bound cannot exceed the SOH."],
    }


def test_a_negative_energy_is_refused_at_its_path(seller):
    data = passport(performanceAndDurability__batteryTechicalProperties__ratedEnergy=-1)

    assert errors_of(data, seller) == {
        "performanceAndDurability.batteryTechicalProperties.ratedEnergy": [
            "Ensure this value is greater than or equal to 0."
        ]
    }


def test_not_an_object_is_one_error(seller):
    assert errors_of([MINIMAL], seller) == {
        "__all__": ["Expected a JSON object: one battery passport."]
    }


def test_attributes_we_do_not_map_are_ignored(seller):
    data = passport(
        generalProductInformation__batteryStatus="Original",
        supplyChainDueDiligence={"supplyChainDueDiligenceReport": "https://example.org/r.pdf"},
    )

    assert passport_import(data=data, actor=seller)["pack"]["serial_number"] == "ZE1-PACK-0001"


@pytest.mark.parametrize(
    ("short_name", "clear_name", "code"),
    [
        ("NCM811", None, "NMC811"),
        ("nmc 6-2-2", None, "NMC622"),
        ("NCM523", None, "NMC532"),
        ("LiFePO4", None, "LFP"),
        (None, "Lithium iron phosphate", "LFP"),
        ("NCA", "Lithium nickel cobalt aluminium oxide", "NCA"),
        ("LMFP", None, "OTHER"),
        ("Sodium-ion", None, "OTHER"),
    ],
)
def test_battery_pass_chemistry_names_map_to_our_codes(short_name, clear_name, code):
    assert chemistry_code(short_name, clear_name) == code


def test_dates_and_date_times_keep_the_calendar_date_as_written(seller):
    data = passport(
        generalProductInformation__manufacturingDate="2018-03-01T08:00:00+09:00",
        generalProductInformation__puttingIntoService="2018-06-15",
    )

    pack = passport_import(data=data, actor=seller)["pack"]

    assert pack["manufactured_on"] == datetime.date(2018, 3, 1)
    assert pack["first_used_on"] == datetime.date(2018, 6, 15)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            "NaN",
            'Enter a number in kWh, or {"value": …, "unit": …} in one of: kWh, Wh, MWh.',
        ),
        (True, 'Enter a number in kWh, or {"value": …, "unit": …} in one of: kWh, Wh, MWh.'),
        ({"value": "forty", "unit": "kWh"}, "Enter a number as the value."),
        ({"value": "1e999", "unit": "kWh"}, "Enter a smaller number."),
    ],
)
def test_values_that_are_not_quantities_are_refused(seller, given, message):
    data = passport(performanceAndDurability__batteryTechicalProperties__ratedEnergy=given)

    assert errors_of(data, seller) == {
        "performanceAndDurability.batteryTechicalProperties.ratedEnergy": [message]
    }
