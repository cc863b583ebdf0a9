import datetime
from decimal import Decimal

import pytest

from marketplace.catalog.choices import Grade, ModuleFormat, SohSource
from tests.catalog.factories import ListingFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Factories hash a password per user; the real hasher makes this suite crawl.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def listing(seller):
    """A published listing of a 2018 Nissan Leaf pack with a declared SOH and footprint."""
    return ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        pack__serial_number="AZE0-000123",
        pack__module_format=ModuleFormat.PRISMATIC,
        pack__manufactured_on=datetime.date(2018, 3, 1),
        pack__first_used_on=datetime.date(2018, 6, 15),
        pack__carbon_footprint_kg_co2e=Decimal("5200.0"),
        pack__soh_pct=Decimal("82.50"),
        pack__soh_low_pct=Decimal("80.00"),
        pack__soh_high_pct=Decimal("85.00"),
        pack__soh_source=SohSource.SELF_DECLARED,
        pack__grade=Grade.B2,
    )


@pytest.fixture
def pack(listing):
    return listing.pack
