"""Outflow figures of three completed sales, worked by hand.

Reference data (marketplace/circularity/data/reference.yaml, version 2026-11-24.2):
NMC532 0.1057 Li / 0.4361 Ni / 0.1751 Co kg per kWh; NMC811 0.0922 / 0.6078 / 0.0763;
new-pack footprint 61 kg CO2e per kWh; score weights reuse 1.00, recycling 0.50, export 0.10.
Reference prices in these tests (JPY per kg of metal, from 1 April 2026):
Li 12,000; Ni 2,500; Co 5,000.

1. A 40 kWh NMC532 pack, SOH 82.5 %, sold in Fukuoka to a Kumamoto reuse maker: reuse.
   Li 40 × 0.1057 = 4.228 kg; Ni 17.444 kg; Co 7.004 kg.
   Value 4.228 × 12,000 + 17.444 × 2,500 + 7.004 × 5,000 = 50,736 + 43,610 + 35,020
   = 129,366 JPY. Kept in use 40 × 82.5 % = 33.00 kWh; CO2 avoided 33 × 61 = 2,013.0 kg.
2. A 62.5 kWh NMC811 pack sold in Fukuoka to a Korean buyer: export.
   Li 62.5 × 0.0922 = 5.7625 → 5.763 kg; Ni 37.9875 → 37.988 kg; Co 4.76875 → 4.769 kg.
   Value 69,156 + 94,970 + 23,845 = 187,971 JPY. No reuse claimed, no CO2.
3. A black-mass lot, 10,000 kg wet at 4 % moisture = 9,600.0 kg dry, assay Li 3.80 %,
   Ni 20.00 %, Co 6.50 %, sold in Fukuoka to a Kitakyushu recycler: recycling.
   Li 364.800 kg; Ni 1,920.000 kg; Co 624.000 kg.
   Value 4,377,600 + 4,800,000 + 3,120,000 = 12,297,600 JPY. No kWh, no CO2.
"""

from decimal import Decimal

import pytest

from marketplace.circularity.services.outflow import (
    PUBLIC,
    STAFF,
    OutflowFilters,
    outflow_filters,
    outflow_report,
)
from marketplace.circularity.services.outflow_csv import csv_rows
from marketplace.core.exceptions import DomainError
from marketplace.trading.choices import OrderStatus
from tests.catalog.factories import ListingFactory
from tests.circularity.sales_support import completed_sale, reference_prices, tokyo

D = Decimal


def test_three_sales_give_the_hand_worked_figures(three_sales):
    report = outflow_report(filters=OutflowFilters(), audience=STAFF)

    total = report.total
    assert (total.sales, total.sales_domestic, total.sales_exported) == (3, 2, 1)
    assert (total.sales_reuse, total.sales_recycling) == (1, 1)
    assert (total.kwh, total.kwh_domestic, total.kwh_exported) == (
        D("102.50"),
        D("40.00"),
        D("62.50"),
    )
    assert total.li_kg == D("4.228") + D("5.763") + D("364.800") == D("374.791")
    assert total.ni_kg == D("17.444") + D("37.988") + D("1920.000") == D("1975.432")
    assert total.co_kg == D("7.004") + D("4.769") + D("624.000") == D("635.773")
    assert total.metals_exported_kg == D("48.520")
    assert total.metal_value_jpy == D(129366 + 187971 + 12297600) == D("12614937")
    assert total.metal_value_exported_jpy == D("187971")
    assert total.kwh_in_use == D("33.00")
    assert total.co2_avoided_kg == D("2013.0")
    assert total.domestic_share_pct == D("66.7")
    assert total.domestic_kwh_share_pct == D("39.0")  # 40 / 102.5
    # 100 × (1.00 × 40 + 0.10 × 62.5 + 0.50 × 0) / 102.5 = 45.12
    assert total.circularity_index == D("45.12")
    assert total.mean_score == D("53.33")  # (100 + 10 + 50) / 3
    assert report.unpriced_metals == ()


def test_staff_see_each_organisation_as_seller_and_buyer(three_sales, seller, buyer):
    report = outflow_report(filters=OutflowFilters(), audience=STAFF)

    rows = {row.name: row for row in report.organisations}
    assert rows["Hakata EV"].as_seller.sales == 3
    assert rows["Hakata EV"].as_seller.metal_value_exported_jpy == D("187971")
    assert rows["Kyushu Storage K.K."].as_buyer.co2_avoided_kg == D("2013.0")
    assert rows["Pohang Battery Materials"].as_buyer.sales_exported == 1


def test_a_cancelled_order_is_not_a_completed_sale(three_sales, seller, buyer):
    completed_sale(
        ListingFactory(seller=seller.organisation, created_by=seller),
        buyer.organisation,
        at=tokyo(2026, 4, 12),
        status=OrderStatus.CANCELLED,
    )

    assert outflow_report(filters=OutflowFilters(), audience=STAFF).total.sales == 3


def test_month_filter_keeps_sales_of_the_tokyo_month(three_sales, seller, buyer):
    # 31 March 23:30 in Tokyo is 14:30 UTC: a March sale, whatever UTC says.
    completed_sale(
        ListingFactory(seller=seller.organisation, created_by=seller),
        buyer.organisation,
        at=tokyo(2026, 3, 31, 23),
    )

    april = outflow_report(filters=outflow_filters({"month_from": "2026-04"}), audience=STAFF)
    march = outflow_report(
        filters=outflow_filters({"month_from": "2026-03", "month_to": "2026-03"}), audience=STAFF
    )

    assert april.total.sales == 3
    assert march.total.sales == 1
    assert [row.month.isoformat() for row in march.months] == ["2026-03-01"]


def test_a_sale_without_a_price_on_its_date_is_valued_without_that_metal(seller, buyer):
    reference_prices(tokyo(2026, 5, 1).date(), Ni="2500")
    completed_sale(
        ListingFactory(seller=seller.organisation, created_by=seller),
        buyer.organisation,
        at=tokyo(2026, 5, 2),
    )

    report = outflow_report(filters=OutflowFilters(), audience=STAFF)

    assert report.total.metal_value_jpy == D("43610")  # 17.444 kg Ni × 2,500
    assert report.unpriced_metals == ("Co", "Li")


def test_region_is_the_listing_region_else_the_seller_region(seller, buyer, prices):
    completed_sale(
        ListingFactory(seller=seller.organisation, created_by=seller, region="Saga"),
        buyer.organisation,
        at=tokyo(2026, 4, 3),
    )
    completed_sale(
        ListingFactory(seller=seller.organisation, created_by=seller, region=""),
        buyer.organisation,
        at=tokyo(2026, 4, 4),
    )

    saga = outflow_report(filters=outflow_filters({"region": "saga"}), audience=STAFF)
    fukuoka = outflow_report(filters=outflow_filters({"region": "Fukuoka"}), audience=STAFF)

    assert saga.total.sales == 1
    assert fukuoka.total.sales == 1  # no listing region: the seller's (Fukuoka)


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"month_from": "2026-13"}, "month_from"),
        ({"month_to": "April"}, "month_to"),
        ({"month_from": "2026-05", "month_to": "2026-04"}, "month_to"),
    ],
)
def test_bad_months_are_refused_per_field(raw, field):
    with pytest.raises(DomainError) as caught:
        outflow_filters(raw)
    assert list(caught.value.fields) == [field]


def test_public_report_suppresses_small_cells_and_their_complement(three_sales, seller, buyer):
    # April: Fukuoka has the three sales; two more in Saga and Oita with one each.
    for region, day in (("Saga", 5), ("Oita", 6)):
        completed_sale(
            ListingFactory(seller=seller.organisation, created_by=seller, region=region),
            buyer.organisation,
            at=tokyo(2026, 4, day),
        )

    report = outflow_report(filters=OutflowFilters(), audience=PUBLIC)

    (april,) = report.months
    cells = {row.region: row.cell for row in april.regions}
    assert cells["Saga"].suppressed
    assert cells["Oita"].suppressed
    assert cells["Fukuoka"].suppressed  # … so the smallest visible cell goes too
    assert not april.total.suppressed
    assert april.total.sales == 5
    assert report.total is None
    assert report.organisations == []
    assert cells["Saga"].as_dict()["sales"] is None


def test_public_report_shows_a_region_with_three_sales(three_sales):
    report = outflow_report(filters=OutflowFilters(), audience=PUBLIC)

    (april,) = report.months
    (fukuoka,) = april.regions
    assert not fukuoka.cell.suppressed
    assert fukuoka.cell.as_dict()["metal_value_jpy"] == "12614937"


def test_csv_has_units_in_headers_and_the_page_numbers(three_sales):
    rows = list(csv_rows(outflow_report(filters=OutflowFilters(), audience=PUBLIC)))

    header, fukuoka, total = rows
    assert "contained Li (kg)" in header
    assert "CO2 avoided by reuse (kg CO2e)" in header
    line = dict(zip(header, fukuoka, strict=True))
    assert line["month (YYYY-MM)"] == "2026-04"
    assert line["region"] == "Fukuoka"
    assert line["contained Ni (kg)"] == "1975.432"
    assert line["Li+Ni+Co value at reference prices (JPY)"] == "12614937"
    assert line["CO2 avoided by reuse (kg CO2e)"] == "2013.0"
    assert dict(zip(header, total, strict=True))["region"] == "(all regions)"


def test_public_region_filter_keeps_the_suppression_of_the_unfiltered_page(
    three_sales, seller, buyer
):
    # Unfiltered, Fukuoka (3 sales) is hidden to protect Saga and Oita (1 each); asking for
    # Fukuoka alone must not show it, or month total − Fukuoka would give Saga + Oita.
    for region, day in (("Saga", 5), ("Oita", 6)):
        completed_sale(
            ListingFactory(seller=seller.organisation, created_by=seller, region=region),
            buyer.organisation,
            at=tokyo(2026, 4, day),
        )

    report = outflow_report(filters=outflow_filters({"region": "fukuoka"}), audience=PUBLIC)

    (april,) = report.months
    (fukuoka,) = april.regions
    assert fukuoka.cell.suppressed
    assert april.total is fukuoka.cell
    assert report.filters.region == "fukuoka"
