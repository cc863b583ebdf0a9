"""A certified SOH reaches the passport with its history, for legitimate interest only."""

import datetime
from decimal import Decimal

import pytest

from diagnostics import services as diagnostics_services
from marketplace.accounts.choices import Role
from marketplace.circularity.services import passport_export
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TESTED_ON = datetime.date(2026, 10, 1)


@pytest.fixture
def certificate(pack):
    provider = UserFactory(
        username="provider",
        role=Role.DIAGNOSTICS_PROVIDER,
        organisation__legal_name="Kyushu Battery Lab",
    )
    method = diagnostics_services.registered_method_add(
        actor=provider,
        method_code="full_discharge",
        instrument_make="Hioki",
        instrument_model="BT4560",
    )
    return diagnostics_services.certificate_issue(
        actor=provider,
        registered_method_id=method.pk,
        subject=pack,
        values=diagnostics_services.CertificateValues(
            tested_on=TESTED_ON,
            measured_energy_kwh=Decimal("34.000"),
            age_years=Decimal("5.00"),
            odometer_km=60000,
            resistance_increase_pct=Decimal("20.00"),
            test_temperature_c=Decimal("25.0"),
            safety_flags=(),
        ),
    )


def test_certified_soh_is_dated_by_the_test_and_listed_with_its_history(pack, certificate):
    pack.refresh_from_db()

    document = passport_export(pack=pack, audience="legitimate_interest")

    soce = document["performanceAndDurability"]["batteryCondition"]["stateOfCertifiedEnergy"]
    assert soce == {
        "stateOfCertifiedEnergyValue": 85,
        "lastUpdate": "2026-10-01T00:00:00Z",
    }
    assert document["x-batteryMarket"]["soh"] == {
        "lowPct": 83,
        "highPct": 87,
        "source": "certificate",
        "grade": "A",
    }
    assert document["x-batteryMarket"]["sohCertificates"] == [
        {
            "certificateId": str(certificate.uuid),
            "provider": "Kyushu Battery Lab",
            "testedOn": "2026-10-01",
            "method": "full_discharge",
            "measurand": "SOH_E",
            "sohPct": 85,
            "sohLowPct": 83,
            "sohHighPct": 87,
            "status": "issued",
        }
    ]


def test_certificates_stay_out_of_the_public_passport(pack, certificate):
    document = passport_export(pack=pack, audience="public")

    assert "sohCertificates" not in document["x-batteryMarket"]
    assert "batteryCondition" not in document["performanceAndDurability"]
