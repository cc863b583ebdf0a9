"""Fixed price: buy-now and offers (accept, counter, decline, expire); who may bid (codes)."""

from datetime import timedelta

import pytest

from marketplace.accounts.choices import Role
from marketplace.catalog.choices import ListingStatus, SaleFormat
from marketplace.core.exceptions import DomainError
from marketplace.trading import services
from marketplace.trading.choices import OfferStatus, OrderOrigin, SaleStatus
from marketplace.trading.models import Bid, Offer, Order, TenderBid
from tests.catalog.factories import ListingFactory
from tests.trading.sale_support import T0, D, bidder, minutes, open_auction

pytestmark = pytest.mark.django_db


def open_fixed(seller, price="1500000", listing=None):
    listing = listing or ListingFactory(
        seller=seller.organisation, created_by=seller, vehicle_listing=True, price=D(price)
    )
    return services.sale_open(
        listing=listing, actor=seller, ends_at=T0 + timedelta(days=30), now=T0
    )


# --- Fixed price and offers --------------------------------------------------------------


def test_buy_now_at_the_fixed_price(seller):
    sale = open_fixed(seller)

    order = services.sale_buy_now(sale=sale, user=bidder("alice"), now=T0 + minutes(5))

    assert (order.amount, order.origin) == (D("1500000"), OrderOrigin.BUY_NOW)
    sale.refresh_from_db()
    assert sale.status == SaleStatus.AWARDED


def test_second_buyer_finds_the_sale_gone(seller):
    sale = open_fixed(seller)
    services.sale_buy_now(sale=sale, user=bidder("alice"), now=T0)

    with pytest.raises(DomainError) as caught:
        services.sale_buy_now(sale=sale, user=bidder("bob"), now=T0 + minutes(1))

    assert caught.value.code == "sale_closed"
    assert Order.objects.count() == 1


def test_seller_accepts_an_offer(seller):
    sale = open_fixed(seller)
    alice, bob = bidder("alice"), bidder("bob")
    offer = services.offer_make(sale=sale, user=alice, amount=D("1400000"), now=T0)
    other = services.offer_make(sale=sale, user=bob, amount=D("1300000"), now=T0)

    order = services.offer_accept(offer=offer, user=seller, now=T0 + minutes(30))

    assert (order.buyer_organisation, order.amount, order.origin) == (
        alice.organisation,
        D("1400000"),
        OrderOrigin.OFFER,
    )
    other.refresh_from_db()
    offer.refresh_from_db()
    assert (offer.status, other.status) == (OfferStatus.ACCEPTED, OfferStatus.DECLINED)
    assert order.listing.status == ListingStatus.SOLD


def test_counter_then_the_buyer_accepts_the_counter(seller):
    sale = open_fixed(seller)
    alice = bidder("alice")
    offer = services.offer_make(sale=sale, user=alice, amount=D("1200000"), now=T0)

    counter = services.offer_counter(
        offer=offer, user=seller, amount=D("1450000"), now=T0 + minutes(10)
    )
    order = services.offer_accept(offer=counter, user=alice, now=T0 + minutes(20))

    offer.refresh_from_db()
    assert offer.status == OfferStatus.COUNTERED
    assert (counter.parent, counter.made_by_seller) == (offer, True)
    assert order.amount == D("1450000")


def test_buyer_cannot_accept_their_own_offer(seller):
    sale = open_fixed(seller)
    alice = bidder("alice")
    offer = services.offer_make(sale=sale, user=alice, amount=D("1200000"), now=T0)

    with pytest.raises(DomainError) as caught:
        services.offer_accept(offer=offer, user=alice, now=T0 + minutes(1))

    assert caught.value.code == "permission_denied"
    assert Order.objects.count() == 0


def test_expired_offer_cannot_be_accepted_and_the_sweeper_marks_it(seller):
    sale = open_fixed(seller)
    offer = services.offer_make(
        sale=sale, user=bidder("alice"), amount=D("1200000"), validity_hours=48, now=T0
    )
    deadline = T0 + timedelta(hours=48)

    with pytest.raises(DomainError) as caught:
        services.offer_accept(offer=offer, user=seller, now=deadline)
    assert caught.value.code == "offer_expired"
    assert Order.objects.count() == 0

    assert services.offers_expire_due(now=deadline - minutes(1)) == 0
    assert services.offers_expire_due(now=deadline) == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED


def test_offer_at_the_asking_price_is_refused(seller):
    sale = open_fixed(seller)

    with pytest.raises(DomainError) as caught:
        services.offer_make(sale=sale, user=bidder("alice"), amount=D("1500000"), now=T0)

    assert list(caught.value.fields) == ["amount"]
    assert Offer.objects.count() == 0


def test_buyer_withdraws_and_seller_declines(seller):
    sale = open_fixed(seller)
    alice, bob = bidder("alice"), bidder("bob")
    first = services.offer_make(sale=sale, user=alice, amount=D("1200000"), now=T0)
    second = services.offer_make(sale=sale, user=bob, amount=D("1100000"), now=T0)

    services.offer_withdraw(offer=first, user=alice, now=T0 + minutes(1))
    services.offer_decline(offer=second, user=seller, now=T0 + minutes(2))

    assert list(Offer.objects.order_by("pk").values_list("status", flat=True)) == [
        OfferStatus.WITHDRAWN,
        OfferStatus.DECLINED,
    ]


def test_fixed_price_sale_reaching_its_end_unsold_returns_the_listing(seller):
    sale = open_fixed(seller)

    services.sale_close(sale=sale, now=T0 + timedelta(days=30))

    sale.refresh_from_db()
    assert sale.status == SaleStatus.NO_SALE
    assert sale.listing.status == ListingStatus.PUBLISHED


# --- Eligibility -------------------------------------------------------------------------


def test_unverified_organisation_cannot_bid(seller, unverified_dealer):
    sale = open_auction(seller)

    with pytest.raises(DomainError) as caught:
        services.bid_place(sale=sale, user=unverified_dealer, max_amount=D("100000"), now=T0)

    assert caught.value.code == "organisation_not_verified"
    assert Bid.objects.count() == 0


def test_seller_cannot_bid_on_its_own_lot(seller):
    sale = open_auction(seller)
    colleague = bidder("colleague")
    colleague.organisation = seller.organisation
    colleague.save()

    with pytest.raises(DomainError) as caught:
        services.bid_place(sale=sale, user=colleague, max_amount=D("100000"), now=T0)

    assert caught.value.code == "own_listing"
    assert Bid.objects.count() == 0


def _black_mass_tender(seller):
    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        black_mass_listing=True,
        sale_format=SaleFormat.SEALED_TENDER,
    )
    return services.sale_open(listing=listing, actor=seller, ends_at=T0 + timedelta(days=5), now=T0)


def test_black_mass_needs_a_waste_handling_permit(seller):
    sale = _black_mass_tender(seller)
    without = bidder("nopermit", role=Role.RECYCLER)

    with pytest.raises(DomainError) as caught:
        services.tender_bid_submit(
            sale=sale, user=without, fixed_jpy_per_dry_tonne=D("500000"), now=T0
        )

    assert caught.value.code == "permit_required"
    assert TenderBid.objects.count() == 0


def test_graded_for_recycling_pack_needs_a_permit(seller):
    listing = ListingFactory(
        seller=seller.organisation,
        created_by=seller,
        sale_format=SaleFormat.ENGLISH_AUCTION,
        pack__grade="R",
    )
    sale = services.sale_open(listing=listing, actor=seller, ends_at=T0 + timedelta(days=2), now=T0)

    with pytest.raises(DomainError) as caught:
        services.bid_place(sale=sale, user=bidder("alice"), max_amount=D("300000"), now=T0)

    assert caught.value.code == "permit_required"
    services.bid_place(
        sale=sale, user=bidder("permitted", permit=True), max_amount=D("300000"), now=T0
    )
    assert Bid.objects.count() == 1


def test_domestic_first_window_has_an_exact_boundary(seller):
    sale = open_auction(seller, hours=48)  # packs: 24 hours for buyers in Japan only
    korean = bidder("seoul", country="KR")
    assert sale.domestic_first_until == T0 + timedelta(hours=24)

    with pytest.raises(DomainError) as caught:
        services.bid_place(
            sale=sale,
            user=korean,
            max_amount=D("300000"),
            now=T0 + timedelta(hours=24) - timedelta(microseconds=1),
        )
    assert caught.value.code == "domestic_first_window"
    assert Bid.objects.count() == 0

    services.bid_place(sale=sale, user=korean, max_amount=D("300000"), now=T0 + timedelta(hours=24))
    assert Bid.objects.count() == 1


def test_seller_cannot_shorten_the_domestic_first_window_but_may_lengthen_it(seller):
    listing = ListingFactory(
        seller=seller.organisation, created_by=seller, sale_format=SaleFormat.ENGLISH_AUCTION
    )
    with pytest.raises(DomainError) as caught:
        services.sale_open(
            listing=listing,
            actor=seller,
            ends_at=T0 + timedelta(days=3),
            domestic_first_hours=0,
            now=T0,
        )
    assert list(caught.value.fields) == ["domestic_first_hours"]
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED

    sale = services.sale_open(
        listing=listing,
        actor=seller,
        ends_at=T0 + timedelta(days=3),
        domestic_first_hours=36,
        now=T0,
    )
    assert sale.domestic_first_until == T0 + timedelta(hours=36)


def test_precheck_for_the_buyers_country(seller):
    sale = _black_mass_tender(seller)

    result = services.sale_precheck_for(sale=sale, destination="JP", on=T0.date())

    assert (result["material"], result["origin"], result["regime"], result["allowed"]) == (
        "black_mass",
        "JP",
        "domestic",
        True,
    )
