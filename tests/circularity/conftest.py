import datetime
from decimal import Decimal

import pytest

from marketplace.accounts.choices import Role
from marketplace.catalog.choices import Chemistry, Grade, ModuleFormat, SohSource
from tests.catalog.factories import ListingFactory
from tests.circularity.sales_support import completed_sale, reference_prices, tokyo
from tests.factories import UserFactory

D = Decimal


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


# --- Three completed sales, worked by hand in test_outflow.py ----------------------------


@pytest.fixture
def prices(db):
    reference_prices(tokyo(2026, 4, 1).date(), Li="12000", Ni="2500", Co="5000")


@pytest.fixture
def korean_buyer(db):
    return UserFactory(
        username="refiner_kr",
        role=Role.REUSE_MAKER,
        organisation__legal_name="Pohang Battery Materials",
        organisation__country="KR",
        organisation__region="Gyeongbuk",
    ).organisation


@pytest.fixture
def recycler(db):
    return UserFactory(
        username="recycler",
        role=Role.RECYCLER,
        organisation__legal_name="Kitakyushu Eco Metals",
        organisation__region="Fukuoka",
    ).organisation


@pytest.fixture
def three_sales(seller, buyer, korean_buyer, recycler, prices):
    reuse = completed_sale(
        ListingFactory(
            seller=seller.organisation,
            created_by=seller,
            pack__chemistry=Chemistry.NMC532,
            pack__rated_capacity_kwh=D("40.00"),
            pack__soh_pct=D("82.50"),
            pack__grade=Grade.B2,
        ),
        buyer.organisation,
        at=tokyo(2026, 4, 10),
    )
    export = completed_sale(
        ListingFactory(
            seller=seller.organisation,
            created_by=seller,
            pack__chemistry=Chemistry.NMC811,
            pack__rated_capacity_kwh=D("62.50"),
            pack__soh_pct=D("75.00"),
            pack__grade=Grade.B2,
        ),
        korean_buyer,
        at=tokyo(2026, 4, 20),
    )
    recycling = completed_sale(
        ListingFactory(seller=seller.organisation, created_by=seller, black_mass_listing=True),
        recycler,
        at=tokyo(2026, 4, 25),
    )
    return reuse, export, recycling
