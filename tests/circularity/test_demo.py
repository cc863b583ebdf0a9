"""Demo completed sales: catalog demo listings sold through the real services, idempotent,
and the outflow dashboard shows them."""

import pytest

from marketplace.accounts.demo import DEMO_ORGANISATIONS, seed_organisation, seed_staff
from marketplace.catalog.demo import seed_listings
from marketplace.catalog.models import Listing
from marketplace.circularity.demo import seed_completed_sales
from marketplace.circularity.services.outflow import PUBLIC, STAFF, OutflowFilters, outflow_report
from marketplace.trading.demo import seed_reference_prices, seed_sales
from marketplace.trading.models import Order


@pytest.fixture
def demo_market(db):
    staff, _created = seed_staff()
    for spec in DEMO_ORGANISATIONS:
        seed_organisation(spec, staff=staff)
    seed_reference_prices(progress=False)
    seed_listings(count=40, progress=False)
    seed_sales(progress=False)


def test_demo_sales_are_made_once_and_fill_the_dashboard(demo_market):
    listings = Listing.objects.count()

    first = seed_completed_sales(progress=False)
    second = seed_completed_sales(progress=False)

    assert first > 12
    assert second == 0
    assert Listing.objects.count() == listings  # sold, not added
    assert Order.objects.count() == first
    staff_view = outflow_report(filters=OutflowFilters(), audience=STAFF)
    total = staff_view.total
    assert total.sales == first
    assert total.sales_reuse > 0
    assert total.sales_exported > 0
    assert staff_view.unpriced_metals == ()
    assert len(staff_view.months) >= 4
    public_view = outflow_report(filters=OutflowFilters(), audience=PUBLIC)
    shown = [month for month in public_view.months if not month.total.suppressed]
    assert shown, "the public dashboard must show at least one month"


def test_without_the_demo_people_nothing_is_sold(db):
    assert seed_completed_sales(progress=False) == 0
    assert Order.objects.count() == 0
