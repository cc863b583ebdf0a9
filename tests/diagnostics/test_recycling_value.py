"""Residual value is never below the recycling value: metal content x payables x the
platform's reference prices.

Worked prices (JPY per kg of contained metal): Ni 2,500, Co 4,000, Li 11,000, Cu 1,400.
NMC532, 40 kWh (BatPaC 5.2 via Busch, kg/kWh): Ni 0.4361, Co 0.1751, Li 0.1057, Mn 0.245,
Cu 0.3976. Payables: Ni and Co 69 %, Li 4 %; Mn and Cu 0 (no public payable).
    Ni 40 * 0.4361 = 17.444 kg * 0.69 * 2,500  = 30,090.90
    Co 40 * 0.1751 =  7.004 kg * 0.69 * 4,000  = 19,331.04
    Li 40 * 0.1057 =  4.228 kg * 0.04 * 11,000 =  1,860.32
    V_recycle = 51,282.26 -> 51,282 JPY
"""

import datetime
from decimal import Decimal

import pytest

from diagnostics.engine import MetalPrice, diagnose, parse_request
from diagnostics.engine.valuation import residual_value
from diagnostics.reference import reference_data
from marketplace.trading.models import ReferencePrice
from tests.diagnostics.conftest import issue

PRICES = {"Ni": "2500", "Co": "4000", "Li": "11000", "Cu": "1400"}


def metal_prices() -> dict[str, MetalPrice]:
    return {
        element: MetalPrice(Decimal(price), "2026-11-20", "test price")
        for element, price in PRICES.items()
    }


def nmc532(soh_pct: str, **changes):
    data = {
        "chemistry": "NMC532",
        "rated_capacity_kwh": 40,
        "soh_pct": soh_pct,
        "method": "full_discharge",
        "age_years": 5,
        "cycles": 300,
        "safety_flags": [],
    }
    data.update(changes)
    return diagnose(parse_request(data), metal_prices=metal_prices())


def test_a_swollen_pack_is_worth_its_metal():
    result = nmc532("95", safety_flags=["swelling"])

    assert result.grade == "R"
    assert result.residual_value_jpy == Decimal("51282")
    recycling = result.breakdown["valuation"]["recycling"]
    assert [(line["element"], line["value_jpy"]) for line in recycling["lines"]] == [
        ("Li", Decimal("1860.32")),
        ("Ni", Decimal("30090.90")),
        ("Co", Decimal("19331.04")),
    ]
    assert recycling["elements_without_price"] == []


def test_a_worn_pack_is_never_valued_below_its_recycling_value():
    # A 52 % pack: grade C, and its reuse value is nil after repurposing costs
    result = nmc532("52")

    valuation = result.breakdown["valuation"]
    assert result.grade == "C"
    assert valuation["reuse_value_jpy"] < 51282
    assert result.residual_value_jpy == Decimal("51282")
    assert valuation["recycling_floor_applied"] is True


def test_a_healthy_pack_keeps_its_higher_reuse_value():
    result = nmc532("90")

    valuation = result.breakdown["valuation"]
    assert result.residual_value_jpy > Decimal("51282")
    assert valuation["recycling_value_jpy"] == Decimal("51282")
    assert valuation["recycling_floor_applied"] is False


def test_an_element_without_a_price_is_left_out_and_named():
    prices = metal_prices()
    del prices["Co"]
    request = parse_request(
        {"chemistry": "NMC532", "rated_capacity_kwh": 40, "soh_pct": 95,
         "method": "full_discharge", "age_years": 5, "safety_flags": ["leakage"]}
    )  # fmt: skip

    result = diagnose(request, metal_prices=prices)

    # 51,282.26 - 19,331.04 = 31,951.22
    assert result.residual_value_jpy == Decimal("31951")
    assert result.breakdown["valuation"]["recycling"]["elements_without_price"] == ["Co"]


def test_without_prices_the_floor_is_not_estimated():
    result = diagnose(parse_request({
        "chemistry": "NMC532", "rated_capacity_kwh": 40, "soh_pct": 95,
        "method": "full_discharge", "age_years": 5, "safety_flags": ["swelling"],
    }))  # fmt: skip

    assert result.residual_value_jpy == Decimal("0")
    assert result.breakdown["valuation"]["recycling"] == {
        "not_estimated": "no reference metal prices were given"
    }


def test_the_floor_keeps_value_monotonic_in_soh():
    values = [nmc532(str(soh)).residual_value_jpy for soh in range(45, 101)]

    assert values == sorted(values)
    assert min(values) == Decimal("51282")


def test_residual_value_takes_the_recycling_floor_directly():
    from diagnostics.engine.valuation import recycling_value

    valuation = reference_data().valuation
    floor = recycling_value(
        chemistry="NMC532",
        rated_capacity_kwh=Decimal("40"),
        metal_prices=metal_prices(),
        valuation=valuation,
    )
    valued = residual_value(
        grade="R",
        rated_capacity_kwh=Decimal("40"),
        soh_pct=Decimal("90"),
        u95_pp=Decimal("2"),
        remaining_years_by_threshold={},
        valuation=valuation,
        recycling=floor,
    )

    assert (floor.value_jpy, valued.residual_value_jpy) == (Decimal("51282"), Decimal("51282"))


@pytest.mark.django_db
def test_certificates_use_the_platforms_reference_prices(client, provider, full_discharge, pack):
    for element, price in PRICES.items():
        ReferencePrice.objects.create(
            element=element,
            price_jpy_per_kg=Decimal(price),
            effective_date=datetime.date(2026, 9, 30),
            source="LME / Fastmarkets, converted (test)",
        )

    certificate = issue(provider, full_discharge, pack, safety_flags=("swelling",))
    client.force_login(provider)
    page = client.get(f"/diagnostics/certificates/{certificate.uuid}/").content.decode()

    assert (certificate.grade, certificate.residual_value_jpy) == ("R", Decimal("51282"))
    assert certificate.breakdown["valuation"]["recycling"]["lines"][1]["price_date"] == (
        "2026-09-30"
    )
    assert "Recycling value (the floor)" in page
    assert "51282" in page
