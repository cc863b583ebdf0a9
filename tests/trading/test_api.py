"""/api/v1/trading/: reference prices (read by members, written by staff) and the quote preview."""

import json
from datetime import date
from decimal import Decimal

import pytest

from marketplace.trading import services
from marketplace.trading.models import ReferencePrice
from tests.trading.test_quote_command import EXPECTED_JSON, INPUT

PRICES_URL = "/api/v1/trading/reference-prices/"
QUOTE_URL = "/api/v1/trading/quote/"
NEW_PRICE = {
    "element": "Co",
    "price_jpy_per_kg": "5012.50",
    "effective_date": "2026-11-02",
    "source": "Fastmarkets standard-grade cobalt, low end, at 150 JPY/USD",
}


def record(staff, element: str, price: str, on: date) -> ReferencePrice:
    return services.reference_price_record(
        actor=staff,
        element=element,
        price_jpy_per_kg=Decimal(price),
        effective_date=on,
        source="test",
    )


@pytest.mark.django_db
def test_staff_records_a_reference_price(api_client, staff):
    api_client.force_authenticate(staff)

    response = api_client.post(PRICES_URL, NEW_PRICE, format="json")

    assert response.status_code == 201
    body = response.json()
    assert {
        k: body[k] for k in ("element", "price_jpy_per_kg", "effective_date", "created_by")
    } == {
        "element": "Co",
        "price_jpy_per_kg": "5012.50",
        "effective_date": "2026-11-02",
        "created_by": "staff",
    }
    assert ReferencePrice.objects.get().created_by == staff


@pytest.mark.django_db
def test_non_staff_cannot_record_a_price_and_nothing_is_created(api_client, buyer):
    api_client.force_authenticate(buyer)

    response = api_client.post(PRICES_URL, NEW_PRICE, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert ReferencePrice.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_cannot_read_prices(api_client):
    assert api_client.get(PRICES_URL).status_code == 401


@pytest.mark.django_db
def test_bad_price_is_a_400_with_field_errors(api_client, staff):
    api_client.force_authenticate(staff)

    response = api_client.post(
        PRICES_URL,
        {**NEW_PRICE, "element": "Fe", "price_jpy_per_kg": "1.234", "source": ""},
        format="json",
    )

    error = response.json()["error"]
    assert response.status_code == 400
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"element", "price_jpy_per_kg", "source"}
    assert ReferencePrice.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_date_is_a_409_naming_the_date(api_client, staff):
    api_client.force_authenticate(staff)
    api_client.post(PRICES_URL, NEW_PRICE, format="json")

    response = api_client.post(PRICES_URL, {**NEW_PRICE, "price_jpy_per_kg": "1"}, format="json")

    assert response.status_code == 409
    assert list(response.json()["error"]["fields"]) == ["effective_date"]
    assert ReferencePrice.objects.count() == 1


@pytest.mark.django_db
def test_members_filter_prices_by_element_and_date_range(
    api_client, staff, buyer, django_assert_max_num_queries
):
    for month in (8, 9, 10, 11):
        record(staff, "Ni", f"{2200 + month}", date(2026, month, 1))
        record(staff, "Co", f"{5000 + month}", date(2026, month, 1))
    api_client.force_authenticate(buyer)

    with django_assert_max_num_queries(3):
        response = api_client.get(
            PRICES_URL, {"element": "Ni", "date_from": "2026-09-01", "date_to": "2026-10-31"}
        )

    assert response.status_code == 200
    assert [
        (r["element"], r["effective_date"], r["price_jpy_per_kg"])
        for r in response.json()["results"]
    ] == [
        ("Ni", "2026-10-01", "2210.00"),
        ("Ni", "2026-09-01", "2209.00"),
    ]


@pytest.mark.django_db
def test_quote_answers_exactly_what_the_command_prints(api_client, buyer):
    api_client.force_authenticate(buyer)

    response = api_client.post(QUOTE_URL, INPUT, format="json")

    assert response.status_code == 200
    assert response.content.decode() == EXPECTED_JSON


@pytest.mark.django_db
def test_quote_without_prices_uses_todays_reference_prices(api_client, staff, buyer):
    record(staff, "Ni", "2000", date(2026, 1, 1))
    record(staff, "Ni", "2300", date(2026, 2, 1))
    record(staff, "Co", "5000", date(2026, 2, 1))
    api_client.force_authenticate(buyer)
    body = {k: v for k, v in INPUT.items() if k not in ("prices_jpy_per_kg", "penalties")}
    body["payables_pct"] = {"Ni": 75, "Co": 75}

    response = api_client.post(QUOTE_URL, body, format="json")

    result = json.loads(response.content)
    assert response.status_code == 200
    # Ni 190 kg × 75 % × 2,300 + Co 95 kg × 75 % × 5,000
    assert result["value_jpy"] == 327750 + 356250
    assert [line["price_jpy_per_kg"] for line in result["lines"][:2]] == [2300, 5000]


@pytest.mark.django_db
def test_quote_without_prices_names_the_element_that_has_none(api_client, staff, buyer):
    record(staff, "Ni", "2300", date(2026, 2, 1))
    api_client.force_authenticate(buyer)
    body = {k: v for k, v in INPUT.items() if k != "prices_jpy_per_kg"}

    response = api_client.post(QUOTE_URL, body, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["prices_jpy_per_kg.Co"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"wet_kg": "lots"}, ["wet_kg"]),
        ({"moisture_pct": 100}, ["moisture_pct"]),
        ({"assay_pct": {"Ni": 70, "Co": 40}}, ["assay_pct"]),
        ({"assay_pct": {"Ni": "x"}}, ["assay_pct.Ni"]),
        ({"payables_pct": {"Zz": 5}}, ["payables_pct.Zz"]),
        (
            {"penalties": [{"element": "Cu"}]},
            ["penalties.0.threshold_pct", "penalties.0.jpy_per_dry_tonne_per_pct_over"],
        ),
    ],
)
def test_bad_quote_input_is_a_400_with_field_errors(api_client, buyer, changes, fields):
    api_client.force_authenticate(buyer)

    response = api_client.post(QUOTE_URL, {**INPUT, **changes}, format="json")

    error = response.json()["error"]
    assert response.status_code == 400
    assert error["code"] == "validation_error"
    assert sorted(error["fields"]) == sorted(fields)


@pytest.mark.django_db
def test_quote_needs_a_login(api_client):
    response = api_client.post(QUOTE_URL, INPUT, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
