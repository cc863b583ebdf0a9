"""English-auction bids (proxy bidding, soft close) and buy-now.

Every bid takes the sale row lock (select_for_update) and re-reads the state under it, so two
bids placed at the same instant are applied one after the other: the second sees the first's
price. The bid row, the new price and leader, and any soft-close extension commit together.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.catalog import services as catalog_services
from marketplace.catalog.choices import SaleFormat
from marketplace.core.exceptions import DomainError
from marketplace.payments.services.deposits import ensure_deposit
from marketplace.trading.auction import Proxy, auction_state, extended_end, minimum_bid
from marketplace.trading.choices import OfferStatus, OrderOrigin, SaleStatus
from marketplace.trading.exceptions import BidTooLow, NotAvailable
from marketplace.trading.models import Bid, Offer, Order, Sale
from marketplace.trading.rules import get_rules
from marketplace.trading.services.eligibility import ensure_may_bid
from marketplace.trading.services.sales import _event, award


def _increment(sale: Sale):
    rules = get_rules()
    return lambda price: rules.increment(currency=sale.currency, price=price)


def proxies_of(sale: Sale) -> list[Proxy]:
    return [
        Proxy(
            bidder=row.bidder_organisation_id,
            max_amount=row.max_amount,
            placed_at=row.created_at,
            sequence=row.pk,
            bid=row,
        )
        for row in Bid.objects.filter(sale=sale, is_automatic=False).order_by("created_at", "pk")
    ]


def next_minimum_bid(sale: Sale) -> Decimal:
    return minimum_bid(
        current_price=sale.current_price, start_price=sale.start_price, increment=_increment(sale)
    )


def bid_place(*, sale: Sale, user: User, max_amount: Decimal, now: datetime | None = None) -> Bid:
    """Place a proxy bid with a secret maximum; the system bids for you only as far as needed.

    Rules: the sale is an open English auction and the user may bid (ensure_may_bid); the
    maximum is at least the start price (first bid) or the current price plus one increment,
    and a leader raising their own maximum must go above it. Returns the bid row placed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Sale.objects.select_for_update().select_related("listing").get(pk=sale.pk)
        if locked.format != SaleFormat.ENGLISH_AUCTION:
            raise DomainError(_("Only auctions take bids; make an offer or a tender bid."))
        organisation = ensure_may_bid(user=user, sale=locked, now=now)
        ensure_deposit(sale=locked, organisation=organisation)
        _check_amount(locked, max_amount)
        minimum = next_minimum_bid(locked)
        increment = _increment(locked)
        proxies = proxies_of(locked)
        before = auction_state(
            proxies,
            start_price=locked.start_price,
            reserve_price=locked.reserve_price,
            increment=increment,
        )
        leading = before.leader is not None and before.leader.bidder == organisation.pk
        if leading and max_amount <= before.leader.max_amount:
            message = _("You lead with a higher maximum already; raise it above your maximum.")
            raise BidTooLow(message, fields={"max_amount": [message]})
        if max_amount < minimum:
            message = _("Bid at least %(minimum)s %(currency)s.") % {
                "minimum": _plain(minimum),
                "currency": locked.currency,
            }
            raise BidTooLow(message, fields={"max_amount": [message]})
        bid = Bid.objects.create(
            sale=locked,
            bidder_organisation=organisation,
            placed_by=user,
            amount=max_amount,  # corrected below once the new state is known
            max_amount=max_amount,
            is_max_raise=leading,
            created_at=now,
        )
        after = auction_state(
            [*proxies, Proxy(organisation.pk, max_amount, now, bid.pk, bid)],
            start_price=locked.start_price,
            reserve_price=locked.reserve_price,
            increment=increment,
        )
        new_leader_bid = after.leader.bid
        if after.leader.bidder == organisation.pk:
            bid.amount = after.current_price
        else:
            # Outbid at once by a standing proxy: the history shows this bid at its maximum
            # (it is spent) and the proxy's automatic answer at the new price.
            Bid.objects.create(
                sale=locked,
                bidder_organisation_id=after.leader.bidder,
                amount=after.current_price,
                is_automatic=True,
                created_at=now,
            )
        bid.save(update_fields=["amount"])
        ends_at = extended_end(
            now=now,
            ends_at=locked.ends_at,
            original_ends_at=locked.original_ends_at,
            window_minutes=locked.soft_close_window_minutes,
            max_extension_minutes=locked.soft_close_max_extension_minutes,
        )
        Sale.objects.filter(pk=locked.pk).update(
            current_price=after.current_price,
            leading_bid=new_leader_bid,
            bid_count=F("bid_count") + 1,
            version=F("version") + 1,
            ends_at=ends_at,
        )
        if ends_at != locked.ends_at:
            locked.ends_at = ends_at
            _event(
                locked,
                "extended",
                "",
                "",
                actor=user,
                now=now,
                data={"ends_at": ends_at.isoformat(), "bid_id": bid.pk},
            )
            from marketplace.trading.services.sales import sale_schedule_close

            sale_schedule_close(sale=locked)
    sale.refresh_from_db()
    return bid


def _check_amount(sale: Sale, amount: Decimal) -> None:
    problems = catalog_services.price_errors(price=amount, currency=sale.currency)
    message = problems.get("price", [None])[0]
    if message is None and (not amount.is_finite() or amount <= 0):
        message = _("Give an amount above zero.")
    if message is None and amount.as_tuple().exponent < -2:
        message = _("Use at most 2 decimal places.")
    if message is None and amount >= Decimal("1e14"):
        message = _("The amount is too large.")
    if message:
        raise DomainError(message, fields={"max_amount": [message]})


def _plain(amount: Decimal) -> str:
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def sale_buy_now(*, sale: Sale, user: User, now: datetime | None = None) -> Order:
    """Buy at the buy-now price: a fixed-price sale any time it is open, an auction until its
    first bid. Awards the sale at once; other open offers on it are declined."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Sale.objects.select_for_update().select_related("listing").get(pk=sale.pk)
        organisation = ensure_may_bid(user=user, sale=locked, now=now)
        if locked.buy_now_price is None or locked.is_tender:
            raise NotAvailable(_("This sale has no buy-now price."))
        if locked.is_auction and locked.bid_count:
            raise NotAvailable(_("Buy-now ends with the first bid of an auction."))
        order = award(
            sale=locked,
            from_status=SaleStatus.OPEN,
            buyer_organisation=organisation,
            amount=locked.buy_now_price,
            origin=OrderOrigin.BUY_NOW,
            actor=user,
            now=now,
        )
        Offer.objects.filter(sale=locked, status=OfferStatus.OPEN).update(
            status=OfferStatus.DECLINED, responded_at=now
        )
    sale.refresh_from_db()
    return order
