"""Real concurrency on PostgreSQL: threads with their own connections bid and close at once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from marketplace.core.exceptions import DomainError
from marketplace.trading import services
from marketplace.trading.auction import auction_state
from marketplace.trading.choices import SaleStatus
from marketplace.trading.models import Bid, Order, Sale, SaleEvent
from marketplace.trading.services.bidding import proxies_of
from tests.trading.sale_support import T0, D, bidder, minutes, open_auction

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db(transaction=True)]


def _run_at_once(calls):
    """Run each call in its own thread (own DB connection), released by one barrier."""
    barrier = threading.Barrier(len(calls))
    errors: list[Exception] = []
    results: list = []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except DomainError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_simultaneous_bids_leave_one_leader_at_the_proxy_price(seller):
    sale = open_auction(seller, start="100000")
    maxima = [D(f"{100000 + 7000 * i}") for i in range(8)]  # 100,000 … 149,000
    users = [bidder(f"bidder{i}") for i in range(len(maxima))]

    results, errors = _run_at_once(
        [
            lambda u=user, m=maximum: services.bid_place(
                sale=Sale.objects.get(pk=sale.pk), user=u, max_amount=m, now=T0 + minutes(1)
            )
            for user, maximum in zip(users, maxima, strict=True)
        ]
    )

    sale.refresh_from_db()
    placed = Bid.objects.filter(sale=sale, is_automatic=False)
    # A bid may be refused only for being too low by the time it got the lock; never lost.
    assert {error.code for error in errors} <= {"bid_too_low"}
    assert placed.count() + len(errors) == len(maxima) == 8
    assert sale.bid_count == placed.count()
    recomputed = auction_state(
        proxies_of(sale),
        start_price=D("100000"),
        reserve_price=None,
        increment=lambda price: D("5000"),
    )
    assert sale.leading_bid.bidder_organisation == users[-1].organisation
    assert sale.current_price == recomputed.current_price
    assert sale.current_price == min(
        D("149000"), placed.order_by("-max_amount")[1].max_amount + 5000
    )


def test_scheduled_close_and_sweeper_racing_create_exactly_one_order(seller):
    sale = open_auction(seller, hours=1)
    services.bid_place(sale=sale, user=bidder("alice"), max_amount=D("100000"), now=T0)
    end = T0 + minutes(60)

    results, errors = _run_at_once(
        [
            lambda: services.sale_close(sale=Sale.objects.get(pk=sale.pk), now=end),
            lambda: services.sales_close_due(now=end),
            lambda: services.sale_close(sale=Sale.objects.get(pk=sale.pk), now=end),
            lambda: services.sales_close_due(now=end),
        ]
    )

    sale.refresh_from_db()
    assert errors == []
    assert sale.status == SaleStatus.AWARDED
    assert Order.objects.filter(sale=sale).count() == 1
    assert SaleEvent.objects.filter(sale=sale, kind="closed").count() == 1


def test_last_second_bid_and_close_do_not_both_win(seller):
    """A bid holding the lock extends the end; the close then finds the sale not yet due."""
    sale = open_auction(seller, hours=1)
    services.bid_place(sale=sale, user=bidder("alice"), max_amount=D("100000"), now=T0)
    end = T0 + minutes(60)
    bob = bidder("bob")

    results, errors = _run_at_once(
        [
            lambda: services.bid_place(
                sale=Sale.objects.get(pk=sale.pk),
                user=bob,
                max_amount=D("200000"),
                now=end - minutes(0.5),
            ),
            lambda: services.sale_close(sale=Sale.objects.get(pk=sale.pk), now=end),
        ]
    )

    sale.refresh_from_db()
    if errors:  # the close won the lock first: the bid is refused, the sale awarded to Alice
        assert [e.code for e in errors] == ["sale_closed"]
        assert Order.objects.get(sale=sale).buyer_organisation.legal_name == "Alice K.K."
    else:  # the bid won: the end moved, the close did nothing
        assert sale.status == SaleStatus.OPEN
        assert sale.ends_at == end + minutes(5)
        assert sale.current_price == Decimal("105000")


def test_closers_side_by_side_close_every_due_sale_exactly_once(seller):
    """A closing storm: the close tasks' batches and the scheduled closes run together."""
    alice = bidder("alice")
    sales = [open_auction(seller, hours=1) for _ in range(12)]
    for sale in sales:
        services.bid_place(sale=sale, user=alice, max_amount=D("100000"), now=T0)
    end = T0 + minutes(60)

    results, errors = _run_at_once(
        [
            lambda: services.sales_close_due(now=end, limit=5, skip_locked=True),
            lambda: services.sales_close_due(now=end, limit=5, skip_locked=True),
            lambda: services.sales_close_due(now=end, limit=5, skip_locked=True),
            lambda: services.sale_close(sale=Sale.objects.get(pk=sales[-1].pk), now=end),
        ]
    )

    assert errors == []
    closed_by_batches = [pk for batch in results if isinstance(batch, list) for pk in batch]
    assert len(closed_by_batches) == len(set(closed_by_batches))  # no sale closed twice
    ids = [sale.pk for sale in sales]
    assert Sale.objects.filter(pk__in=ids, status=SaleStatus.AWARDED).count() == 12
    assert Order.objects.filter(sale_id__in=ids).count() == 12
    assert SaleEvent.objects.filter(sale_id__in=ids, kind="closed").count() == 12


def test_a_batch_skips_a_sale_another_transaction_holds(seller):
    held, free = open_auction(seller, hours=1), open_auction(seller, hours=1)
    end = T0 + minutes(60)
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        from django.db import transaction

        try:
            with transaction.atomic():
                Sale.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        closed = services.sales_close_due(now=end, skip_locked=True)
    finally:
        release.set()
        holder.join(timeout=30)

    assert closed == [free.pk]  # returned without waiting for the held row
    held.refresh_from_db()
    assert held.status == SaleStatus.OPEN
    assert services.sales_close_due(now=end, skip_locked=True) == [held.pk]
