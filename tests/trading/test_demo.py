"""Demo reference prices: 24 months per element, idempotent, labelled as demo data."""

from datetime import date
from decimal import Decimal

import pytest

from marketplace.trading import selectors, services
from marketplace.trading.demo import seed_reference_prices
from marketplace.trading.models import ReferencePrice

TODAY = date(2026, 11, 24)


@pytest.mark.django_db
def test_seeds_24_monthly_prices_per_element_once():
    first = seed_reference_prices(progress=False, today=TODAY)
    second = seed_reference_prices(progress=False, today=TODAY)

    assert (first, second) == (120, 0)
    dates = sorted(set(ReferencePrice.objects.values_list("effective_date", flat=True)))
    assert (dates[0], dates[-1], len(dates)) == (date(2024, 12, 1), date(2026, 11, 1), 24)
    assert all(
        "Demo data" in source for source in ReferencePrice.objects.values_list("source", flat=True)
    )


@pytest.mark.django_db
def test_lithium_is_the_2025_snapshot_converted_and_nickel_is_interpolated():
    seed_reference_prices(progress=False, today=TODAY)

    current = selectors.reference_prices_on(TODAY)
    june_2025 = selectors.reference_prices_on(date(2025, 6, 1))

    # 86,450 yuan/t Li2CO3 = 86.45 yuan/kg × 5.323 × 21 JPY/CNY = 9,663.64035 → 9,663.64
    assert current["Li"].price_jpy_per_kg == Decimal("9663.64")
    # Ni 2,370 (2024-12-01) → 2,235 (2025-11-13), 347 days; 182 days in: 2370 − 135 × 182/347
    assert june_2025["Ni"].price_jpy_per_kg == Decimal("2299.19")


@pytest.mark.django_db
def test_does_not_overwrite_a_price_staff_recorded(staff):
    services.reference_price_record(
        actor=staff,
        element="Ni",
        price_jpy_per_kg=Decimal("2500"),
        effective_date=date(2026, 11, 1),
        source="LME",
    )

    created = seed_reference_prices(progress=False, today=TODAY)

    assert created == 119
    assert (
        ReferencePrice.objects.get(element="Ni", effective_date=date(2026, 11, 1)).source == "LME"
    )


@pytest.mark.django_db
def test_seed_sales_opens_one_sale_of_each_kind_once(seller):
    from marketplace.catalog.choices import SaleFormat
    from marketplace.trading.demo import seed_sales
    from marketplace.trading.models import Sale
    from tests.catalog.factories import ListingFactory

    common = {"seller": seller.organisation, "created_by": seller}
    ListingFactory(**common, sale_format=SaleFormat.ENGLISH_AUCTION, price=Decimal("250000"))
    ListingFactory(**common, black_mass_listing=True, sale_format=SaleFormat.SEALED_TENDER)
    ListingFactory(**common, vehicle_listing=True, price=Decimal("1200000"))

    first = seed_sales(progress=False)
    second = seed_sales(progress=False)

    assert (first, second) == (3, 0)
    auction = Sale.objects.get(format=SaleFormat.ENGLISH_AUCTION)
    assert auction.reserve_price == Decimal("300000")
    assert sorted(Sale.objects.values_list("format", flat=True)) == [
        "english_auction",
        "fixed_price",
        "sealed_tender",
    ]
