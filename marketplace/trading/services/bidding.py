"""English-auction bids (proxy bidding, soft close) and buy-now.

Every bid takes the sale row lock (select_for_update) and re-reads the state under it, so two
bids placed at the same instant are applied one after the other: the second sees the first's
price. The bid row, the new price and leader, and any soft-close extension commit together.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.catalog import services as catalog_services
from marketplace.catalog.choices import SaleFormat
from marketplace.core.exceptions import DomainError
from marketplace.payments.services.deposits import deposit_required_amount, ensure_deposit
from marketplace.trading.auction import (
    Proxy,
    auction_state,
    extended_end,
    minimum_bid,
    proxies_from_bids,
)
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
    and a leader raising their own maximum must go above it. Returns the bid row placed, and
    leaves ``sale`` showing the state after it.

    On PostgreSQL a bid is one call of the database function ``trading_bid_place`` (migration
    trading 0007, marketplace/trading/bid_function.py): it locks the row, checks that the
    fields the eligibility gate read are unchanged and that the bidder holds the deposit the
    lot asks, applies the proxy rule and writes, all inside the server, so the row lock never
    waits on this process. What it leaves to Python (a soft-close extension, a moved gate, a
    refusal worded here) is placed below under the row lock, held for ``SELECT … FOR UPDATE``
    (with the leading bid), the writes and ``COMMIT``. Whatever does not change while a bid
    waits for the lock (who bids, on which lot, the amount's form; on other databases also a
    missing deposit and a hopeless amount) is checked before either.
    """
    now = now or timezone.now()
    if sale.format != SaleFormat.ENGLISH_AUCTION:
        raise DomainError(_("Only auctions take bids; make an offer or a tender bid."))
    try:
        organisation = ensure_may_bid(user=user, sale=sale, now=now)
    except DomainError:
        organisation = None  # maybe stale: the locked row decides, in the usual order
    if organisation is not None:
        _check_amount(sale, max_amount)
        if connection.vendor == "postgresql":
            # The function checks the deposit under the lock, before the amount, in this order.
            bid = _place_in_one_call(
                sale, organisation=organisation, user=user, max_amount=max_amount, now=now
            )
            if bid is not None:
                return bid
        else:
            ensure_deposit(sale=sale, organisation=organisation)
            _refuse_too_low(sale, organisation_id=organisation.pk, max_amount=max_amount)
    with transaction.atomic():
        locked = (
            Sale.objects.select_for_update(of=("self",))
            .select_related("leading_bid")
            .get(pk=sale.pk)
        )
        if locked.listing_id == sale.listing_id:
            locked.listing = sale.listing  # read before the lock; the lot does not change
        if organisation is None or _gate_changed(sale, locked):
            organisation = ensure_may_bid(user=user, sale=locked, now=now)
            _check_amount(locked, max_amount)
        ensure_deposit(sale=locked, organisation=organisation)
        _refuse_too_low(locked, organisation_id=organisation.pk, max_amount=max_amount)
        after, leading = _state_after(
            locked, organisation_id=organisation.pk, max_amount=max_amount, now=now
        )
        wins = after.leader.bidder == organisation.pk
        ends_at = extended_end(
            now=now,
            ends_at=locked.ends_at,
            original_ends_at=locked.original_ends_at,
            window_minutes=locked.soft_close_window_minutes,
            max_extension_minutes=locked.soft_close_max_extension_minutes,
        )
        bid = Bid(
            sale=locked,
            bidder_organisation=organisation,
            placed_by=user,
            # Outbid at once by a standing proxy, the history shows this bid at its maximum
            # (it is spent) and the proxy's automatic answer at the new price.
            amount=after.current_price if wins else max_amount,
            max_amount=max_amount,
            is_max_raise=leading,
            created_at=now,
        )
        if wins and connection.vendor == "postgresql":
            _insert_leading_bid_and_update_sale(bid, price=after.current_price, ends_at=ends_at)
        else:
            bid.save(force_insert=True)
            if not wins:
                Bid.objects.create(
                    sale=locked,
                    bidder_organisation_id=after.leader.bidder,
                    amount=after.current_price,
                    is_automatic=True,
                    created_at=now,
                )
            Sale.objects.filter(pk=locked.pk).update(
                current_price=after.current_price,
                leading_bid=bid if wins else after.leader.bid,
                bid_count=F("bid_count") + 1,
                version=F("version") + 1,
                ends_at=ends_at,
            )
        new_leader_bid = bid if wins else after.leader.bid
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
    _show_state(
        sale,
        locked,
        current_price=after.current_price,
        leading_bid=new_leader_bid,
        ends_at=ends_at,
    )
    return bid


def _place_in_one_call(
    sale: Sale, *, organisation, user: User, max_amount: Decimal, now: datetime
) -> Bid | None:
    """The bid placed by the database function ``trading_bid_place``; None when the function
    leaves it to the locked path (see ``bid_place``). Same rows, price and refusals as that
    path, which tests/trading/test_bid_state.py checks against the full recomputation."""
    table = get_rules().increments.get(sale.currency)
    if table is None:
        return None  # the locked path reports the broken rules file
    deposit = deposit_required_amount(sale)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT outcome, bid_id, price, minimum, bid_count, version, leading_bid_id, "
            "is_max_raise FROM trading_bid_place("
            "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                sale.pk,
                sale.status,
                sale.listing_id,
                sale.starts_at,
                sale.ends_at,
                sale.domestic_first_until,
                organisation.pk,
                user.pk,
                max_amount,
                now,
                [row.from_amount for row in table],
                [row.step for row in table],
                deposit,
            ],
        )
        outcome, bid_id, price, minimum, bid_count, version, leader_id, raised = cursor.fetchone()
    if outcome == "deposit_required":
        ensure_deposit(sale=sale, organisation=organisation)  # words the refusal
        return None  # authorised meanwhile: the locked path places it
    if outcome == "too_low":
        raise _too_low(minimum, sale.currency)
    if outcome != "placed":
        return None
    wins = leader_id == bid_id
    bid = Bid(
        pk=bid_id,
        sale=sale,
        bidder_organisation=organisation,
        placed_by=user,
        amount=price if wins else max_amount,
        max_amount=max_amount,
        is_automatic=False,
        is_max_raise=raised,
        created_at=now,
    )
    bid._state.adding = False
    bid._state.db = connection.alias
    sale.current_price, sale.bid_count, sale.version = price, bid_count, version
    if wins:
        sale.leading_bid = bid
    else:
        sale.leading_bid_id = leader_id  # a different leader than read is loaded when shown
    return bid


def _insert_leading_bid_and_update_sale(bid: Bid, *, price: Decimal, ends_at: datetime) -> None:
    """The new leader's bid row and the sale's new state in one statement (PostgreSQL): one
    round trip fewer while the auction's row lock is held, which on a hot lot is the time every
    other bidder waits. Same rows as ``bid.save()`` then ``Sale.objects…update(…)``."""
    bid_table, sale_table = Bid._meta.db_table, Sale._meta.db_table
    sql = f"""
        WITH new_bid AS (
            INSERT INTO {bid_table} (sale_id, bidder_organisation_id, placed_by_id, amount,
                                     max_amount, is_automatic, is_max_raise, created_at)
            VALUES (%s, %s, %s, %s, %s, false, %s, %s)
            RETURNING id
        )
        UPDATE {sale_table}
        SET current_price = %s, leading_bid_id = (SELECT id FROM new_bid),
            bid_count = bid_count + 1, version = version + 1, ends_at = %s
        WHERE id = %s
        RETURNING (SELECT id FROM new_bid)
    """  # noqa: S608 - table names from the models, every value a parameter
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                bid.sale_id,
                bid.bidder_organisation_id,
                bid.placed_by_id,
                bid.amount,
                bid.max_amount,
                bid.is_max_raise,
                bid.created_at,
                price,
                ends_at,
                bid.sale_id,
            ],
        )
        (bid.pk,) = cursor.fetchone()
    bid._state.adding = False
    bid._state.db = connection.alias


# What ensure_may_bid reads from the sale: if the locked row agrees with the row read before
# the lock, the check made before the lock stands.
_GATE_FIELDS = ("status", "starts_at", "ends_at", "domestic_first_until", "listing_id")


def _gate_changed(before: Sale, locked: Sale) -> bool:
    return any(getattr(before, name) != getattr(locked, name) for name in _GATE_FIELDS)


def _refuse_too_low(sale: Sale, *, organisation_id: int, max_amount: Decimal) -> None:
    """BidTooLow unless ``max_amount`` can be placed on ``sale`` as it stands. Prices only rise,
    so an amount refused on a row read before the lock would be refused under it too."""
    leader = sale.leading_bid
    if leader is not None and leader.bidder_organisation_id == organisation_id:
        if max_amount <= leader.max_amount:
            message = _("You lead with a higher maximum already; raise it above your maximum.")
            raise BidTooLow(message, fields={"max_amount": [message]})
        return
    minimum = next_minimum_bid(sale)
    if max_amount < minimum:
        raise _too_low(minimum, sale.currency)


def _too_low(minimum: Decimal, currency: str) -> BidTooLow:
    message = _("Bid at least %(minimum)s %(currency)s.") % {
        "minimum": _plain(minimum),
        "currency": currency,
    }
    return BidTooLow(message, fields={"max_amount": [message]})


def _state_after(sale: Sale, *, organisation_id: int, max_amount: Decimal, now: datetime):
    """The auction state once this bid is placed, and whether the bidder led before it.

    Only the two highest proxies set the price. An accepted maximum is above every proxy but
    the leader's (the price is at least the runner-up's maximum), so after the bid the two
    highest are among the leader, the new bid and, when the leader raises their own maximum,
    the runner-up: the only case that reads another bid. Equal to ``auction_state`` over every
    stored bid (``auction_state_of``), which the tests check.
    """
    increment = _increment(sale)
    new = Proxy(organisation_id, max_amount, now, _NOT_YET_STORED, None)
    leader_bid = sale.leading_bid
    if leader_bid is None and sale.bid_count:
        proxies = proxies_of(sale)  # a sale without its leader recorded: recompute from every bid
    elif leader_bid is None:
        proxies = []
    else:
        proxies = [_proxy(leader_bid)]
        if leader_bid.bidder_organisation_id == organisation_id:
            runner_up = (
                Bid.objects.filter(sale=sale, is_automatic=False)
                .exclude(bidder_organisation_id=organisation_id)
                .order_by("-max_amount", "created_at", "pk")
                .first()
            )
            if runner_up is not None:
                proxies.append(_proxy(runner_up))
    before_leader = proxies_from_bids(proxies)[0] if proxies else None
    leading = before_leader is not None and before_leader.bidder == organisation_id
    after = auction_state(
        [*proxies, new],
        start_price=sale.start_price,
        reserve_price=sale.reserve_price,
        increment=increment,
    )
    return after, leading


# The bid's key is not known before its INSERT; it is larger than every stored one, which is
# all the tie-break between bids placed at the same instant needs.
_NOT_YET_STORED = 2**63


def _proxy(bid: Bid) -> Proxy:
    return Proxy(bid.bidder_organisation_id, bid.max_amount, bid.created_at, bid.pk, bid)


def _show_state(sale: Sale, locked: Sale, *, current_price, leading_bid, ends_at) -> None:
    """Leave the caller's sale as the row now reads, without reading it again."""
    for field in locked._meta.concrete_fields:
        if field.name != "listing":
            setattr(sale, field.attname, getattr(locked, field.attname))
    sale.current_price = current_price
    sale.leading_bid = leading_bid
    sale.bid_count = locked.bid_count + 1
    sale.version = locked.version + 1
    sale.ends_at = ends_at


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
