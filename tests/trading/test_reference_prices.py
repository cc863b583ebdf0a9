"""Reference prices: staff record them; the selector picks the latest at or before a date."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from marketplace.trading import selectors, services
from marketplace.trading.models import ReferencePrice


def record(actor, element="Ni", price="2300.00", effective_date=date(2026, 10, 1), **extra):
    return services.reference_price_record(
        actor=actor,
        element=element,
        price_jpy_per_kg=Decimal(price),
        effective_date=effective_date,
        source=extra.pop("source", "LME nickel cash official at 150 JPY/USD"),
        **extra,
    )


@pytest.mark.django_db
def test_staff_records_a_price_with_its_source(staff):
    price = record(staff, source_url="https://www.lme.com/")

    stored = ReferencePrice.objects.get()
    assert stored == price
    assert (stored.element, stored.price_jpy_per_kg, stored.effective_date) == (
        "Ni",
        Decimal("2300.00"),
        date(2026, 10, 1),
    )
    assert stored.created_by == staff
    assert stored.source_url == "https://www.lme.com/"


@pytest.mark.django_db
def test_non_staff_cannot_record_and_nothing_is_stored(buyer):
    with pytest.raises(PermissionDeniedError):
        record(buyer)

    assert ReferencePrice.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field_name"),
    [
        ({"price": "0"}, "price_jpy_per_kg"),
        ({"price": "-1"}, "price_jpy_per_kg"),
        ({"price": "1.234"}, "price_jpy_per_kg"),
        ({"effective_date": date(1999, 12, 31)}, "effective_date"),
        ({"source": "   "}, "source"),
        ({"element": "Fe"}, "element"),
    ],
)
def test_refuses_bad_prices_and_stores_nothing(staff, changes, field_name):
    with pytest.raises(DomainError) as raised:
        record(staff, **changes)

    assert list(raised.value.fields) == [field_name]
    assert ReferencePrice.objects.count() == 0


@pytest.mark.django_db
def test_allows_tomorrow_but_not_the_day_after(staff):
    tomorrow = timezone.localdate() + timedelta(days=1)

    record(staff, effective_date=tomorrow)
    with pytest.raises(DomainError) as raised:
        record(staff, effective_date=tomorrow + timedelta(days=1))

    assert list(raised.value.fields) == ["effective_date"]
    assert list(ReferencePrice.objects.values_list("effective_date", flat=True)) == [tomorrow]


@pytest.mark.django_db
def test_second_price_for_the_same_element_and_date_is_a_conflict(staff):
    record(staff, price="2300")

    with pytest.raises(ConflictError):
        record(staff, price="2400")

    assert list(ReferencePrice.objects.values_list("price_jpy_per_kg", flat=True)) == [
        Decimal("2300.00")
    ]


@pytest.mark.django_db
def test_selector_picks_the_latest_price_at_or_before_the_date(staff):
    record(staff, "Ni", "2200", date(2026, 9, 1))
    october = record(staff, "Ni", "2300", date(2026, 10, 1))
    record(staff, "Ni", "2400", date(2026, 11, 1))
    cobalt = record(staff, "Co", "5000", date(2026, 8, 1))
    record(staff, "Li", "9600", date(2026, 10, 2))

    on_first_of_october = selectors.reference_prices_on(date(2026, 10, 1))
    mid_october = selectors.reference_prices_on(date(2026, 10, 15))

    assert on_first_of_october == {"Co": cobalt, "Ni": october}
    assert {el: row.price_jpy_per_kg for el, row in mid_october.items()} == {
        "Co": Decimal("5000.00"),
        "Li": Decimal("9600.00"),
        "Ni": Decimal("2300.00"),
    }
    assert selectors.reference_prices_on(date(2026, 7, 31)) == {}


@pytest.mark.django_db
def test_selector_uses_one_query(staff, django_assert_num_queries):
    for month in range(1, 13):
        record(staff, "Ni", str(2000 + month), date(2025, month, 1))
        record(staff, "Co", str(5000 + month), date(2025, month, 1))

    with django_assert_num_queries(1):
        current = selectors.reference_prices_on(date(2026, 1, 1))

    assert {el: row.price_jpy_per_kg for el, row in current.items()} == {
        "Co": Decimal("5012.00"),
        "Ni": Decimal("2012.00"),
    }


@pytest.mark.django_db
def test_snapshot_is_plain_values_and_round_trips_through_json(staff):
    nickel = record(staff, "Ni", "2345.67", date(2026, 10, 1))
    record(staff, "Co", "5000", date(2026, 9, 1))

    snapshot = selectors.reference_price_snapshot(date(2026, 10, 20))

    assert snapshot.prices_jpy_per_kg == {"Co": Decimal("5000.00"), "Ni": Decimal("2345.67")}
    assert snapshot.effective_dates == {"Co": date(2026, 9, 1), "Ni": date(2026, 10, 1)}
    assert snapshot.as_json()["prices"]["Ni"] == {
        "price_jpy_per_kg": "2345.67",
        "effective_date": "2026-10-01",
        "reference_price_id": nickel.pk,
    }
    assert selectors.PriceSnapshot.from_json(snapshot.as_json()) == snapshot
