"""HTML: /trading/reference-prices/ (table, SVG history, staff form) and /trading/quote/."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.trading import services
from marketplace.trading.models import ReferencePrice

PRICES_PAGE = "/trading/reference-prices/"
QUOTE_PAGE = "/trading/quote/"


def record(staff, element: str, price: str, on: date) -> ReferencePrice:
    return services.reference_price_record(
        actor=staff,
        element=element,
        price_jpy_per_kg=Decimal(price),
        effective_date=on,
        source=f"{element} test source",
    )


@pytest.mark.django_db
def test_members_see_current_prices_and_an_svg_history_but_no_form(client, staff, buyer):
    record(staff, "Ni", "2200", date(2026, 1, 1))
    record(staff, "Ni", "2345.5", timezone.localdate())
    client.force_login(buyer)

    response = client.get(PRICES_PAGE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "2345.5" in html
    assert "<svg" in html
    assert html.count("<circle") == 2
    assert "<polyline" in html
    assert 'name="price_jpy_per_kg"' not in html
    # The page itself loads no script; only the site-wide one from base.html.
    assert html.count("<script src") == html.count("js/site.js")


@pytest.mark.django_db
def test_staff_records_a_price_through_the_form(client, staff):
    client.force_login(staff)

    response = client.post(
        PRICES_PAGE,
        {
            "element": "Cu",
            "price_jpy_per_kg": "1620.00",
            "effective_date": timezone.localdate().isoformat(),
            "source": "LME copper cash at 150 JPY/USD",
        },
    )

    assert response.status_code == 302
    assert ReferencePrice.objects.get().price_jpy_per_kg == Decimal("1620.00")


@pytest.mark.django_db
def test_staff_form_shows_the_service_error_on_the_date_field(client, staff):
    record(staff, "Cu", "1600", date(2026, 1, 1))
    client.force_login(staff)

    response = client.post(
        PRICES_PAGE,
        {
            "element": "Cu",
            "price_jpy_per_kg": "1700",
            "effective_date": "2026-01-01",
            "source": "again",
        },
    )

    assert response.status_code == 200
    assert "already recorded" in response.context["form"].errors["effective_date"][0]
    assert ReferencePrice.objects.count() == 1


@pytest.mark.django_db
def test_non_staff_post_is_forbidden_and_nothing_is_created(client, buyer):
    client.force_login(buyer)

    response = client.post(
        PRICES_PAGE,
        {"element": "Cu", "price_jpy_per_kg": "1", "effective_date": "2026-01-01", "source": "x"},
    )

    assert response.status_code == 403
    assert ReferencePrice.objects.count() == 0


@pytest.mark.django_db
def test_pages_need_a_login(client):
    for page in (PRICES_PAGE, QUOTE_PAGE):
        response = client.get(page)

        assert response.status_code == 302
        assert "/login" in response["Location"]


@pytest.mark.django_db
def test_quote_page_values_the_lot_with_todays_reference_price_when_price_is_blank(
    client, staff, buyer
):
    record(staff, "Ni", "2300", date(2026, 1, 1))
    client.force_login(buyer)

    response = client.get(
        QUOTE_PAGE,
        {
            "wet_kg": "1000",
            "moisture_pct": "5",
            "assay_Ni": "20",
            "payable_Ni": "75",
            "assay_Cu": "2.5",
            "payable_Co": "",
            "price_Ni": "",
        },
    )

    result = response.context["result"]
    assert response.status_code == 200
    # 950 kg dry × 20 % × 75 % × 2,300
    assert result.value_jpy == 327750
    assert "327,750 JPY" in response.content.decode()
    assert 'id="quote-preview"' in response.content.decode()
    assert 'name="payable_Li"' in response.content.decode()


@pytest.mark.django_db
def test_quote_page_puts_a_valuation_error_on_its_field(client, buyer):
    client.force_login(buyer)

    response = client.get(
        QUOTE_PAGE,
        {"wet_kg": "1000", "moisture_pct": "5", "assay_Ni": "20", "payable_Ni": "75"},
    )

    assert response.context["result"] is None
    assert response.context["form"].errors["price_Ni"] == [
        "There is a payable for Ni but no price for it."
    ]


@pytest.mark.django_db
def test_quote_page_applies_a_penalty_at_the_default_free_limit_when_only_a_rate_is_given(
    client, buyer
):
    client.force_login(buyer)

    response = client.get(
        QUOTE_PAGE,
        {
            "wet_kg": "1000",
            "moisture_pct": "5",
            "assay_Ni": "20",
            "assay_Cu": "2.5",
            "payable_Ni": "75",
            "price_Ni": "2300",
            "penalty_rate_Cu": "10000",
        },
    )

    # 327,750 for Ni, less 0.95 dmt × (2.5 − 2) points × 10,000 = 4,750 for Cu
    assert response.context["result"].value_jpy == 323000


@pytest.mark.django_db
def test_quote_page_puts_a_penalty_error_on_the_penalty_field(client, buyer):
    client.force_login(buyer)

    response = client.get(
        QUOTE_PAGE,
        {
            "wet_kg": "1000",
            "moisture_pct": "5",
            "assay_Ni": "20",
            "payable_Ni": "75",
            "price_Ni": "2300",
            "penalty_rate_Al": "1000",
            "penalty_limit_Al": "120",
        },
    )

    assert response.context["result"] is None
    assert response.context["form"].errors["penalty_limit_Al"] == [
        "A percentage must be between 0 and 100."
    ]
