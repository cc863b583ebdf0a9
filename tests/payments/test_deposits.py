"""Bidder deposits against localstripe: required above the threshold, released for losers,
captured for the winner and applied to the order, renewed before the card hold lapses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.accounts.choices import Role
from marketplace.catalog.choices import SaleFormat
from marketplace.core.models import OutboxTask
from marketplace.payments import services
from marketplace.payments.clients import stripe_client
from marketplace.payments.models import Payment
from marketplace.payments.services import deposits as deposits_module
from marketplace.trading import services as trading_services
from marketplace.trading.models import Bid, Order, TenderBid
from tests.catalog.factories import ListingFactory
from tests.payments.support import D
from tests.trading.sale_support import T0, bidder, minutes, open_auction

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_auction(seller):
    # Start price 2,000,000 JPY is above the 1,000,000 JPY threshold (fees.yaml): the deposit
    # is 10 % of it, 200,000 JPY.
    return open_auction(seller, start="2000000")


def test_a_lot_at_or_below_the_threshold_needs_no_deposit(seller):
    small = open_auction(seller, start="1000000")
    assert services.deposit_required_amount(small) == 0


def test_a_bid_without_a_deposit_is_refused_with_instructions_and_nothing_is_placed(
    big_auction, stripe_local
):
    alice = bidder("alice")

    with pytest.raises(services.DepositRequired) as refused:
        trading_services.bid_place(
            sale=big_auction, user=alice, max_amount=D("2000000"), now=T0 + minutes(1)
        )

    error = refused.value
    assert (error.status, error.code) == (402, "deposit_required")
    assert "200,000 JPY" in error.message
    assert f"/api/v1/payments/sales/{big_auction.pk}/deposit/" in error.message
    assert error.fields == {"deposit": [error.message]}
    assert not Bid.objects.exists()


def test_a_hold_below_the_required_amount_does_not_let_the_bidder_bid(big_auction, card):
    alice = bidder("alice")
    held = services.deposit_authorise(
        sale=big_auction, user=alice, payment_method=card, now=T0 + minutes(1)
    )
    Payment.objects.filter(pk=held.pk).update(amount=D("199999"))  # the lot asks 200,000

    with pytest.raises(services.DepositRequired, match="200,000 JPY"):
        trading_services.bid_place(
            sale=big_auction, user=alice, max_amount=D("2000000"), now=T0 + minutes(2)
        )
    assert not Bid.objects.exists()


def test_a_hold_not_yet_authorised_does_not_let_the_bidder_bid(big_auction, card):
    alice = bidder("alice")
    held = services.deposit_authorise(
        sale=big_auction, user=alice, payment_method=card, now=T0 + minutes(1)
    )
    Payment.objects.filter(pk=held.pk).update(status="requires_action")

    with pytest.raises(services.DepositRequired):
        trading_services.bid_place(
            sale=big_auction, user=alice, max_amount=D("2000000"), now=T0 + minutes(2)
        )
    assert not Bid.objects.exists()


def test_a_missing_deposit_is_named_before_a_bid_that_is_too_low(big_auction, card):
    alice, bob = bidder("alice"), bidder("bob")
    services.deposit_authorise(
        sale=big_auction, user=alice, payment_method=card, now=T0 + minutes(1)
    )
    trading_services.bid_place(
        sale=big_auction, user=alice, max_amount=D("3000000"), now=T0 + minutes(2)
    )

    with pytest.raises(services.DepositRequired):  # bob has none, and bids below the minimum
        trading_services.bid_place(
            sale=big_auction, user=bob, max_amount=D("1000"), now=T0 + minutes(3)
        )
    assert Bid.objects.count() == 1


def test_an_authorised_hold_lets_the_bidder_bid(big_auction, card):
    alice = bidder("alice")
    services.deposit_authorise(
        sale=big_auction, user=alice, payment_method=card, now=T0 + minutes(1)
    )

    bid = trading_services.bid_place(
        sale=big_auction, user=alice, max_amount=D("2500000"), now=T0 + minutes(2)
    )

    assert (bid.amount, bid.max_amount) == (D("2000000"), D("2500000"))
    assert Bid.objects.get().pk == bid.pk


def test_losers_deposit_is_released_and_winners_is_captured_and_applied(
    big_auction, card, django_capture_on_commit_callbacks
):
    alice, bob = bidder("alice"), bidder("bob")
    held = {
        user.username: services.deposit_authorise(
            sale=big_auction, user=user, payment_method=card, now=T0 + minutes(1)
        )
        for user in (alice, bob)
    }
    assert {d.status for d in held.values()} == {"requires_capture"}
    assert {d.amount for d in held.values()} == {D("200000")}
    trading_services.bid_place(
        sale=big_auction, user=alice, max_amount=D("2100000"), now=T0 + minutes(2)
    )
    trading_services.bid_place(
        sale=big_auction, user=bob, max_amount=D("2500000"), now=T0 + minutes(3)
    )

    # The close's final transition sends payments.settle_deposits through the outbox.
    with django_capture_on_commit_callbacks(execute=True):
        trading_services.sale_close(sale=big_auction, now=T0 + timedelta(hours=25))

    loser, winner = (Payment.objects.get(pk=held[name].pk) for name in ("alice", "bob"))
    assert (loser.status, loser.deposit_outcome, loser.order_id) == ("canceled", "released", None)
    assert stripe_client.retrieve_intent(loser.stripe_intent_id).status == "canceled"
    order = Order.objects.get(sale=big_auction)
    # Bob wins at Alice's maximum plus one increment: 2,100,000 + 10,000 = 2,110,000 JPY.
    assert order.amount == D("2110000")
    assert (winner.status, winner.deposit_outcome, winner.order_id) == (
        "succeeded",
        "captured",
        order.pk,
    )
    assert winner.amount_received == D("200000")
    assert stripe_client.retrieve_intent(winner.stripe_intent_id).status == "succeeded"
    # The deposit counts towards the order: 1,910,000 JPY is left to pay; not paid yet.
    assert services.order_amount_due(order) - services.order_amount_paid(order) == D("1910000")
    order.refresh_from_db()
    assert order.status == "created"


def test_a_close_without_deposits_sends_no_settling(seller):
    auction = open_auction(seller, start="2000000")

    trading_services.sale_close(sale=auction, now=T0 + timedelta(hours=25))  # no bids

    auction.refresh_from_db()
    assert auction.status == "no_sale"
    assert not OutboxTask.objects.filter(task_name="payments.settle_deposits").exists()


def test_a_batch_close_settles_the_sales_with_deposits_only(
    seller, card, django_capture_on_commit_callbacks
):
    with_deposit, without = (
        open_auction(seller, start="2000000"),
        open_auction(seller, start="2000000"),
    )
    held = services.deposit_authorise(
        sale=with_deposit, user=bidder("alice"), payment_method=card, now=T0 + minutes(1)
    )

    with django_capture_on_commit_callbacks() as sends:
        closed = trading_services.sales_close_due(now=T0 + timedelta(hours=25))

    assert sorted(closed) == sorted([with_deposit.pk, without.pk])
    settling = OutboxTask.objects.filter(task_name="payments.settle_deposits")
    assert [row.kwargs for row in settling] == [{"sale_id": with_deposit.pk}]
    for send in sends:
        send()
    held.refresh_from_db()
    assert (held.status, held.deposit_outcome) == ("canceled", "released")


def test_a_deposit_recorded_while_the_sale_closes_is_released(
    big_auction, card, monkeypatch, django_capture_on_commit_callbacks
):
    # Given: Alice's authorisation read the sale as open; the close commits before her deposit
    # row exists, so the close sees no deposit and sends no settling.
    original_open = deposits_module.payment_open

    def close_first_then_open(**kwargs):
        trading_services.sale_close(sale=big_auction, now=T0 + timedelta(hours=25))
        assert not OutboxTask.objects.filter(task_name="payments.settle_deposits").exists()
        return original_open(**kwargs)

    monkeypatch.setattr(deposits_module, "payment_open", close_first_then_open)

    # When: her hold is placed after all.
    with django_capture_on_commit_callbacks(execute=True):
        held = services.deposit_authorise(
            sale=big_auction, user=bidder("alice"), payment_method=card, now=T0 + minutes(1)
        )

    # Then: the authorisation saw the sale decided and settled it: the hold is released.
    held.refresh_from_db()
    assert (held.status, held.deposit_outcome) == ("canceled", "released")
    assert stripe_client.retrieve_intent(held.stripe_intent_id).status == "canceled"


def test_settling_deposits_twice_changes_nothing(big_auction, card):
    alice = bidder("alice")
    deposit = services.deposit_authorise(
        sale=big_auction, user=alice, payment_method=card, now=T0 + minutes(1)
    )
    trading_services.sale_close(sale=big_auction, now=T0 + timedelta(hours=25))  # no bids

    first = services.deposits_settle(sale=big_auction)
    second = services.deposits_settle(sale=big_auction)

    assert first == {"captured": 0, "released": 1}
    assert second == {"captured": 0, "released": 0}
    deposit.refresh_from_db()
    assert (deposit.status, deposit.deposit_outcome) == ("canceled", "released")


def test_authorising_twice_returns_the_live_hold(big_auction, card):
    alice = bidder("alice")
    first = services.deposit_authorise(
        sale=big_auction, user=alice, payment_method=card, now=T0 + minutes(1)
    )
    second = services.deposit_authorise(
        sale=big_auction, user=alice, payment_method=card, now=T0 + minutes(2)
    )
    assert second.pk == first.pk
    assert Payment.objects.filter(purpose="deposit").count() == 1


def test_a_hold_older_than_six_days_is_renewed_on_the_saved_card(big_auction, card):
    alice = bidder("alice")
    old = services.deposit_authorise(
        sale=big_auction, user=alice, payment_method=card, now=T0 + minutes(1)
    )
    Payment.objects.filter(pk=old.pk).update(authorised_at=timezone.now() - timedelta(hours=145))

    counts = services.deposits_renew_due()

    assert counts == {"renewed": 1, "expired": 0}
    old.refresh_from_db()
    assert (old.status, old.deposit_outcome) == ("canceled", "renewed")
    new = Payment.objects.get(purpose="deposit", deposit_outcome="")
    assert (new.status, new.amount, new.payment_method_id) == (
        "requires_capture",
        D("200000"),
        card,
    )
    services.ensure_deposit(sale=big_auction, organisation=alice.organisation)  # may bid


def test_a_hold_without_a_saved_card_expires_and_the_bidder_is_asked_again(big_auction, card):
    alice = bidder("alice")
    old = services.deposit_authorise(
        sale=big_auction, user=alice, payment_method=card, now=T0 + minutes(1)
    )
    Payment.objects.filter(pk=old.pk).update(
        authorised_at=timezone.now() - timedelta(hours=145), payment_method_id=""
    )

    assert services.deposits_renew_due() == {"renewed": 0, "expired": 1}

    old.refresh_from_db()
    assert (old.status, old.deposit_outcome) == ("canceled", "expired")
    with pytest.raises(services.DepositRequired):
        trading_services.bid_place(
            sale=big_auction, user=alice, max_amount=D("2000000"), now=T0 + minutes(5)
        )


def test_a_tender_on_a_valuable_lot_needs_a_deposit_too(seller, card):
    # A black-mass lot asking 20,000,000 JPY: 10 % deposit, 2,000,000 JPY.
    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        black_mass_listing=True,
        sale_format=SaleFormat.SEALED_TENDER,
        price=D("20000000"),
    )
    sale = trading_services.sale_open(
        listing=listing, actor=seller, ends_at=T0 + minutes(60), now=T0
    )
    smelter = bidder("smelter", role=Role.RECYCLER, permit=True)

    with pytest.raises(services.DepositRequired, match="2,000,000 JPY"):
        trading_services.tender_bid_submit(
            sale=sale, user=smelter, fixed_jpy_per_dry_tonne=D("500000"), now=T0 + minutes(1)
        )
    assert not TenderBid.objects.exists()

    services.deposit_authorise(sale=sale, user=smelter, payment_method=card, now=T0 + minutes(2))
    trading_services.tender_bid_submit(
        sale=sale, user=smelter, fixed_jpy_per_dry_tonne=D("500000"), now=T0 + minutes(3)
    )
    assert TenderBid.objects.count() == 1
