"""People and items for the certificate and guarantee tests."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from diagnostics import services
from diagnostics.models import RegisteredMethod, SohCertificate
from marketplace.accounts.choices import Role
from tests.catalog.factories import ListingFactory
from tests.factories import UserFactory

TESTED_ON = datetime.date(2026, 10, 1)


@pytest.fixture
def provider(db):
    return UserFactory(
        username="provider",
        role=Role.DIAGNOSTICS_PROVIDER,
        organisation__legal_name="Kyushu Battery Lab",
    )


@pytest.fixture
def full_discharge(provider):
    """Catalogue uncertainty: u95 = 2 pp."""
    return RegisteredMethod.objects.create(
        organisation=provider.organisation,
        method_code="full_discharge",
        instrument_make="Hioki",
        instrument_model="BT4560",
        registered_by=provider,
    )


@pytest.fixture
def bms_readout(provider):
    """Catalogue uncertainty: u95 = 8 pp."""
    return RegisteredMethod.objects.create(
        organisation=provider.organisation,
        method_code="bms_readout",
        instrument_make="Autel",
        instrument_model="MS909EV",
        registered_by=provider,
    )


@pytest.fixture
def listing(seller):
    """A published pack listing of the seller: AESC NMC532, 40 kWh, 56.3 Ah."""
    return ListingFactory(seller=seller.organisation, created_by=seller, title="Leaf 40 kWh pack")


@pytest.fixture
def pack(listing):
    return listing.pack


def values(**overrides) -> services.CertificateValues:
    """A full-discharge result of 34 kWh on the 40 kWh pack: SOH_E 85.0 %."""
    data = {
        "tested_on": TESTED_ON,
        "measured_energy_kwh": Decimal("34.000"),
        "age_years": Decimal("5.00"),
        "odometer_km": 60000,
        "resistance_increase_pct": Decimal("20.00"),
        "test_temperature_c": Decimal("25.0"),
        "safety_flags": (),
    }
    data.update(overrides)
    return services.CertificateValues(**data)


def issue(provider, registration, pack, **overrides):
    return services.certificate_issue(
        actor=provider,
        registered_method_id=registration.pk,
        subject=pack,
        values=values(**overrides),
    )


def tamper(certificate, **columns) -> None:
    """Change a stored certificate the way only someone with database access could: plain
    SQL, below the model's immutability guard. The content hash is what catches this."""
    table = SohCertificate._meta.db_table
    assignments = ", ".join(
        f"{connection.ops.quote_name(SohCertificate._meta.get_field(name).column)} = %s"
        for name in columns
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(table)} SET {assignments} WHERE id = %s",  # noqa: S608
            [*(str(value) for value in columns.values()), certificate.pk],
        )
