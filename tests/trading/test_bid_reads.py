"""A bid reads its lot once, with the columns the bid path uses (selectors.sale_get_for_bid):
nothing it decides or answers with is left to be loaded by a second query, and its answer
is the sale as the full read shows it."""

from decimal import Decimal as D

import pytest
from django.db.models import Model

from tests.trading.sale_support import bidder, live_auction

pytestmark = pytest.mark.django_db


@pytest.fixture
def deferred_loads(monkeypatch) -> list[tuple[str, tuple[str, ...]]]:
    """Every field loaded after the fact (Django's deferred-field query), as (model, fields)."""
    loads = []
    original = Model.refresh_from_db

    def recording(self, using=None, fields=None, from_queryset=None):
        if fields:
            loads.append((type(self).__name__, tuple(fields)))
        return original(self, using=using, fields=fields, from_queryset=from_queryset)

    monkeypatch.setattr(Model, "refresh_from_db", recording)
    return loads


def _auction(seller, **listing):
    return live_auction(
        seller, listing=listing, reserve_price=D("300000"), buy_now_price=D("900000")
    )


def _bid(api_client, user, sale, amount: str):
    api_client.force_authenticate(user)
    return api_client.post(
        f"/api/v1/trading/sales/{sale.pk}/bids/", {"max_amount": amount}, format="json"
    )


@pytest.mark.parametrize("lot", [{}, {"module_listing": True}], ids=["pack", "module lot"])
def test_bids_and_refusals_need_no_second_read_of_the_lot(api_client, seller, deferred_loads, lot):
    sale = _auction(seller, **lot)
    alice, bob = bidder("alice"), bidder("bob")

    answers = [
        _bid(api_client, alice, sale, "200000"),  # first bid
        _bid(api_client, bob, sale, "150000"),  # outbid at once by her proxy
        _bid(api_client, alice, sale, "400000"),  # the leader raises her maximum
        _bid(api_client, bob, sale, "1000"),  # too low
        _bid(api_client, seller, sale, "500000"),  # the seller may not bid
    ]

    assert [answer.status_code for answer in answers] == [201, 201, 201, 400, 403]
    assert deferred_loads == []


def test_a_cross_border_bid_is_decided_on_the_same_read(api_client, seller, deferred_loads):
    sale = _auction(seller)
    answer = _bid(api_client, bidder("hans", country="DE", permit=True), sale, "200000")

    assert answer.status_code in (201, 400, 403), answer.content
    assert deferred_loads == []


def test_the_answer_to_a_bid_is_the_sale_as_its_page_reads_it(api_client, seller):
    sale = _auction(seller)
    alice = bidder("alice")

    placed = _bid(api_client, alice, sale, "350000")
    shown = api_client.get(f"/api/v1/trading/sales/{sale.pk}/")

    assert placed.status_code == 201
    assert placed.json() == shown.json()
    assert placed.json()["reserve_met"] is True
