"""Outflow dashboard pages, CSV and API; circularity scores of orders and organisations.

Worked figures of the three sales: tests/circularity/test_outflow.py.
"""

import csv
import io
from decimal import Decimal

from django.template import Context, Template
from django.urls import reverse

from marketplace.trading.choices import OrderStatus
from marketplace.trading.models import Order
from tests.catalog.factories import ListingFactory
from tests.circularity.sales_support import completed_sale, tokyo

D = Decimal


def test_public_dashboard_shows_aggregates_charts_and_no_organisation(client, three_sales):
    page = client.get(reverse("circularity:outflow"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert "12,614,937" in html  # Li+Ni+Co value of Fukuoka, April 2026
    assert "2,013" in html  # CO2 avoided (kg)
    for name in ("Hakata EV", "Kyushu Storage", "Pohang", "Kitakyushu"):
        assert name not in html
    assert 'id="outflow-organisations"' not in html


def test_public_dashboard_hides_a_region_with_fewer_than_three_sales(client, seller, buyer, prices):
    for day in (3, 4):
        completed_sale(
            ListingFactory(seller=seller.organisation, created_by=seller, region="Saga"),
            buyer.organisation,
            at=tokyo(2026, 4, day),
        )

    html = client.get(reverse("circularity:outflow")).content.decode()

    assert "suppressed (fewer than 3 sales" in html
    assert "258,732" not in html  # value of the two Saga sales, 2 × 129,366 JPY


def test_bad_month_on_the_page_is_a_field_error(client, db):
    page = client.get(reverse("circularity:outflow"), {"month_from": "2026-00"})

    assert page.status_code == 400
    assert page.context["form"].errors["month_from"] == ["Give a month as YYYY-MM, e.g. 2026-04."]


def test_staff_dashboard_lists_organisations(client, staff, three_sales):
    client.force_login(staff)

    html = client.get(reverse("circularity:staff-outflow")).content.decode()

    assert 'id="outflow-organisations"' in html
    assert "Pohang Battery Materials" in html


def test_members_cannot_open_the_staff_dashboard(client, seller):
    client.force_login(seller)

    assert client.get(reverse("circularity:staff-outflow")).status_code == 403
    assert client.get(reverse("circularity:staff-outflow-csv")).status_code == 403


def test_csv_download_has_the_dashboard_numbers(client, three_sales):
    response = client.get(reverse("circularity:outflow-csv"), {"month_from": "2026-04"})

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert [row["region"] for row in rows] == ["Fukuoka", "(all regions)"]
    assert rows[0]["contained Co (kg)"] == "635.773"
    assert rows[0]["capacity exported (kWh)"] == "62.50"


def test_api_returns_the_public_report(api_client, three_sales, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = api_client.get("/api/v1/circularity/outflow/", {"month_to": "2026-04"})

    body = response.json()
    (april,) = body["months"]
    (fukuoka,) = april["regions"]
    assert response.status_code == 200
    assert fukuoka["figures"]["li_kg"] == "374.791"
    assert fukuoka["figures"]["co2_avoided_kg"] == "2013.0"
    assert fukuoka["figures"]["circularity_index"] == "45.12"
    assert body["organisations"] == []
    assert body["total"] is None


def test_api_query_count_does_not_grow_with_sales(
    api_client, three_sales, seller, buyer, django_assert_max_num_queries
):
    for day in range(1, 10):
        completed_sale(
            ListingFactory(seller=seller.organisation, created_by=seller),
            buyer.organisation,
            at=tokyo(2026, 5, day),
        )

    with django_assert_max_num_queries(6):
        response = api_client.get("/api/v1/circularity/outflow/")

    assert [month["month"] for month in response.json()["months"]] == ["2026-05", "2026-04"]


def test_api_bad_month_is_a_400_with_the_field(api_client, db):
    response = api_client.get("/api/v1/circularity/outflow/", {"month_from": "26-4"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "month_from": ["Give a month as YYYY-MM, e.g. 2026-04."]
    }


def test_api_staff_report_is_staff_only(api_client, seller, staff, three_sales):
    api_client.force_authenticate(seller)
    assert api_client.get("/api/v1/circularity/outflow/staff/").status_code == 403

    api_client.force_authenticate(staff)
    body = api_client.get("/api/v1/circularity/outflow/staff/").json()
    assert body["total"]["metal_value_jpy"] == "12614937"
    assert {row["name"] for row in body["organisations"]} >= {"Hakata EV", "Kitakyushu Eco Metals"}


# --- Scores ------------------------------------------------------------------------------


def test_order_tag_shows_the_buyer_the_score_kwh_and_co2(three_sales):
    reuse, export, _recycling = three_sales

    html = Template("{% load circularity_report %}{% order_circularity_score order %}").render(
        Context({"order": reuse})
    )

    assert "Circularity score: 100 / 100" in html
    assert "33 kWh" in html
    assert "2,013 kg CO2e" in html or "2013 kg CO2e" in html


def test_order_tag_shows_nothing_for_a_cancelled_order(seller, buyer, prices):
    order = completed_sale(
        ListingFactory(seller=seller.organisation, created_by=seller),
        buyer.organisation,
        at=tokyo(2026, 4, 2),
        status=OrderStatus.CANCELLED,
    )

    html = Template("{% load circularity_report %}{% order_circularity_score order %}").render(
        Context({"order": order})
    )

    assert html.strip() == ""


def test_order_score_api_for_the_buyer_only(api_client, buyer, outsider, three_sales):
    reuse, export, _recycling = three_sales
    api_client.force_authenticate(buyer)

    mine = api_client.get(f"/api/v1/circularity/orders/{reuse.pk}/score/")
    theirs = api_client.get(f"/api/v1/circularity/orders/{export.pk}/score/")

    assert mine.json() | {"order": None} == {
        "order": None,
        "outcome": "reuse",
        "score": "100.00",
        "kwh": "40.00",
        "kwh_in_use": "33.00",
        "co2_avoided_kg": "2013.0",
        "metals_kg": {"Li": "4.228", "Ni": "17.444", "Co": "7.004"},
        "metal_value_jpy": "129366",
        "reference_version": "2026-11-24.2",
    }
    assert theirs.status_code == 404


def test_organisation_score_sums_its_purchases(api_client, buyer, seller, three_sales):
    # A second purchase by the buyer: the exported pack's twin, bought in Japan for reuse.
    completed_sale(
        ListingFactory(
            seller=seller.organisation,
            created_by=seller,
            pack__chemistry="NMC811",
            pack__rated_capacity_kwh=D("62.50"),
            pack__soh_pct=D("80.00"),
        ),
        buyer.organisation,
        at=tokyo(2026, 4, 28),
    )
    api_client.force_authenticate(buyer)

    body = api_client.get(f"/api/v1/circularity/organisations/{buyer.organisation_id}/score/")

    # kWh in use 33.00 + 62.5 × 80 % = 83.00; CO2 83 × 61 = 5,063.0 kg; both reuse: 100.
    assert body.json() | {"organisation": None} == {
        "organisation": None,
        "sales": 2,
        "sales_reuse": 2,
        "sales_recycling": 0,
        "sales_exported": 0,
        "kwh": "102.50",
        "kwh_in_use": "83.00",
        "co2_avoided_kg": "5063.0",
        "mean_score": "100.00",
        "circularity_index": "100.00",
        "reference_version": "2026-11-24.2",
    }


def test_organisation_score_is_private_to_its_members(api_client, outsider, buyer):
    api_client.force_authenticate(outsider)

    response = api_client.get(f"/api/v1/circularity/organisations/{buyer.organisation_id}/score/")

    assert response.status_code == 404


def test_organisation_page_lists_purchases_with_their_scores(client, buyer, three_sales):
    client.force_login(buyer)

    page = client.get(reverse("circularity:organisation"))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="organisation-circularity"' in html
    assert "reuse in the country" in html


def test_organisation_tag_renders_the_summary(buyer, three_sales):
    html = Template(
        "{% load circularity_report %}{% organisation_circularity organisation %}"
    ).render(Context({"organisation": buyer.organisation}))

    assert "Completed purchases" in html
    assert "2,013" in html or "2013" in html


def test_public_dashboard_shows_the_domestic_first_policy_in_force(client, db):
    html = client.get(reverse("circularity:outflow")).content.decode()

    assert 'id="domestic-first-rules"' in html
    assert "<td>Black-mass lot</td><td>72</td>" in html


def test_order_tag_on_a_list_loads_the_reference_prices_once(
    three_sales, django_assert_num_queries
):
    orders = list(
        Order.objects.filter(pk__in=[o.pk for o in three_sales]).select_related(
            "listing__pack",
            "listing__module_lot",
            "listing__black_mass_lot",
            "seller_organisation",
            "buyer_organisation",
        )
    )
    template = Template(
        "{% load circularity_report %}"
        "{% for o in orders %}{% order_circularity_score o %}{% endfor %}"
    )

    with django_assert_num_queries(3):  # Li, Ni and Co price histories, once
        html = template.render(Context({"orders": orders}))

    assert html.count("Circularity score:") == 3
