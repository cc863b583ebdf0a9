"""Demo completed sales: through the real services, idempotent, and the dashboard shows them."""

import pytest

from marketplace.accounts.demo import DEMO_ORGANISATIONS, seed_organisation, seed_staff
from marketplace.circularity.demo import DEMO_COMPLETED_SALES, seed_completed_sales
from marketplace.circularity.services.outflow import PUBLIC, STAFF, OutflowFilters, outflow_report
from marketplace.trading.demo import seed_reference_prices
from marketplace.trading.models import Order


@pytest.fixture
def demo_people(db):
    staff, _created = seed_staff()
    for spec in DEMO_ORGANISATIONS:
        seed_organisation(spec, staff=staff)
    seed_reference_prices(progress=False)


def test_demo_sales_are_created_once_and_fill_the_dashboard(demo_people):
    first = seed_completed_sales(progress=False)
    second = seed_completed_sales(progress=False)

    assert (first, second) == (len(DEMO_COMPLETED_SALES), 0) == (24, 0)
    assert Order.objects.count() == 24
    staff_view = outflow_report(filters=OutflowFilters(), audience=STAFF)
    assert staff_view.total.sales == 24
    assert (staff_view.total.sales_reuse, staff_view.total.sales_recycling) == (10, 5)
    assert staff_view.total.sales_exported == 9  # 6 packs to Germany, 3 lots to Korea
    assert staff_view.unpriced_metals == ()
    public_view = outflow_report(filters=OutflowFilters(), audience=PUBLIC)
    visible = [
        row for month in public_view.months for row in month.regions if not row.cell.suppressed
    ]
    assert visible, "the public dashboard must show at least one month and region"
    assert any(
        row.region == "Saga" and row.cell.suppressed
        for month in public_view.months
        for row in month.regions
    )


def test_without_the_demo_people_nothing_is_seeded(db):
    assert seed_completed_sales(progress=False) == 0
    assert Order.objects.count() == 0
