"""Opening, closing and awarding sales.

Closing is claimed with a conditional update (OPEN → CLOSED where ends_at has passed), so the
scheduled close task and the sweeper may race on the same sale and exactly one of them awards it;
the other updates nothing and returns. The award, the order, the listing's move to SOLD (or back
to PUBLISHED) and the event rows commit together.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from diagnostics.services import guarantees as diagnostics_guarantees
from marketplace.accounts.models import Organisation, User
from marketplace.catalog import services as catalog_services
from marketplace.catalog.choices import ListingStatus, ListingType, SaleFormat
from marketplace.catalog.models import Listing
from marketplace.circularity.services.policy import domestic_first_for
from marketplace.core import outbox
from marketplace.core.exceptions import (
    ConflictError,
    DomainError,
    InvalidTransition,
    PermissionDeniedError,
)
from marketplace.payments.services.deposits import (
    deposits_live_exist,
    sales_with_live_deposits,
)
from marketplace.trading.auction import auction_state
from marketplace.trading.choices import (
    SALE_TRANSITIONS,
    OrderOrigin,
    OrderStatus,
    SaleStatus,
)
from marketplace.trading.models import Order, OrderEvent, Sale, SaleEvent
from marketplace.trading.rules import get_rules

logger = logging.getLogger(__name__)

TENDER_LISTING_TYPES = frozenset({ListingType.BLACK_MASS, ListingType.BATTERY_PACK})


# --- Opening ----------------------------------------------------------------------------


def sale_open(
    *,
    listing: Listing,
    actor: User,
    ends_at: datetime,
    sale_format: str | None = None,
    starts_at: datetime | None = None,
    start_price: Decimal | None = None,
    reserve_price: Decimal | None = None,
    buy_now_price: Decimal | None = None,
    soft_close_window_minutes: int | None = None,
    soft_close_max_extension_minutes: int | None = None,
    domestic_first_hours: int | None = None,
    now: datetime | None = None,
) -> Sale:
    """Start selling a published listing in its sale format; schedules the close on commit.

    Defaults: starts now; start price (auction) and buy-now price (fixed price) from the listing;
    soft close and the domestic-first window from market_rules.yaml. The seller may lengthen the
    domestic-first window; only platform staff may shorten it.
    """
    now = now or timezone.now()
    catalog_services.ensure_seller(user=actor, listing=listing)
    rules = get_rules()
    sale_format = sale_format or listing.sale_format
    starts_at = starts_at or now
    currency = listing.currency
    errors: dict[str, list[str]] = {}
    if sale_format != listing.sale_format:
        errors["sale_format"] = [
            _("The listing is offered by %(format)s; change the listing's sale format first.")
            % {"format": SaleFormat(listing.sale_format).label}
        ]
    if listing.status != ListingStatus.PUBLISHED:
        raise InvalidTransition(_("Only a published listing can go on sale."))
    if starts_at < now - timedelta(minutes=5):
        errors["starts_at"] = [_("The start cannot be in the past.")]
    if ends_at <= starts_at + timedelta(minutes=rules.min_duration_minutes):
        errors["ends_at"] = [
            _("A sale runs at least %(minutes)s minutes.") % {"minutes": rules.min_duration_minutes}
        ]
    elif ends_at > starts_at + timedelta(days=rules.max_duration_days):
        errors["ends_at"] = [
            _("A sale runs at most %(days)s days.") % {"days": rules.max_duration_days}
        ]
    if sale_format == SaleFormat.FIXED_PRICE:
        buy_now_price = buy_now_price if buy_now_price is not None else listing.price
        start_price = reserve_price = None
        if buy_now_price is None or buy_now_price <= 0:
            errors["buy_now_price"] = [_("A fixed-price sale needs a price above zero.")]
    elif sale_format == SaleFormat.ENGLISH_AUCTION:
        start_price = start_price if start_price is not None else listing.price
        if start_price is None or start_price <= 0:
            errors["start_price"] = [_("An auction needs a start price above zero.")]
        elif reserve_price is not None and reserve_price < start_price:
            errors["reserve_price"] = [_("The reserve cannot be below the start price.")]
        if buy_now_price is not None and start_price and buy_now_price <= start_price:
            errors["buy_now_price"] = [_("The buy-now price must be above the start price.")]
        elif buy_now_price is not None and reserve_price and buy_now_price < reserve_price:
            errors["buy_now_price"] = [_("The buy-now price cannot be below the reserve.")]
    else:
        start_price = buy_now_price = None
        if currency != "JPY":
            errors["currency"] = [_("Sealed tenders are evaluated in JPY; list the lot in JPY.")]
        if listing.listing_type not in TENDER_LISTING_TYPES:
            errors["sale_format"] = [_("Sealed tenders are for black-mass lots and packs.")]
        elif listing.listing_type == ListingType.BATTERY_PACK and not listing.pack.mass_kg:
            errors["sale_format"] = [_("Give the pack's mass: tender bids are per tonne.")]
    for name, value in (
        ("start_price", start_price),
        ("reserve_price", reserve_price),
        ("buy_now_price", buy_now_price),
    ):
        if value is not None and name not in errors:
            problems = catalog_services.price_errors(price=value, currency=currency)
            if "price" in problems:
                errors[name] = problems["price"]
            elif value <= 0:
                errors[name] = [_("Give an amount above zero.")]
    window = _bounded(
        soft_close_window_minutes,
        rules.soft_close_window_minutes,
        rules.soft_close_min_window_minutes,
        rules.soft_close_max_window_minutes,
        "soft_close_window_minutes",
        errors,
    )
    extension = _bounded(
        soft_close_max_extension_minutes,
        rules.soft_close_max_extension_minutes,
        0,
        rules.soft_close_max_extension_limit_minutes,
        "soft_close_max_extension_minutes",
        errors,
    )
    if sale_format != SaleFormat.ENGLISH_AUCTION:
        window = extension = 0  # soft close protects open bidding only
    # Staff administer the window (circularity policy versions; market_rules.yaml by default).
    policy_hours = domestic_first_for(listing.listing_type, at=now).hours
    hours = policy_hours if domestic_first_hours is None else domestic_first_hours
    if hours < 0:
        errors["domestic_first_hours"] = [_("Give a number of hours, 0 or more.")]
    elif hours < policy_hours and not actor.is_staff:
        errors["domestic_first_hours"] = [
            _("Platform policy keeps this lot for domestic buyers for %(hours)s hours.")
            % {"hours": policy_hours}
        ]
    if errors:
        first, messages = next(iter(errors.items()))
        raise DomainError(f"{first}: {messages[0]}", fields=errors)
    domestic_until = starts_at + timedelta(hours=hours) if hours else None
    try:
        with transaction.atomic():
            catalog_services.listing_start_sale(
                listing=listing, actor=actor, reason=f"{sale_format} sale opened"
            )
            sale = Sale.objects.create(
                listing=listing,
                seller_organisation=listing.seller,
                format=sale_format,
                currency=currency,
                start_price=start_price,
                reserve_price=reserve_price,
                buy_now_price=buy_now_price,
                starts_at=starts_at,
                ends_at=ends_at,
                original_ends_at=ends_at,
                soft_close_window_minutes=window,
                soft_close_max_extension_minutes=extension,
                domestic_first_until=domestic_until,
                rules_version=rules.version,
                created_by=actor,
                created_at=now,
            )
            _event(sale, "opened", "", SaleStatus.OPEN, actor=actor, now=now)
            sale_schedule_close(sale=sale)
    except IntegrityError:
        raise ConflictError(_("This listing already has a sale running.")) from None
    return sale


def _bounded(value: int | None, default: int, low: int, high: int, name: str, errors: dict) -> int:
    if value is None:
        return default
    if not low <= value <= high:
        errors[name] = [
            _("Choose between %(low)s and %(high)s minutes.") % {"low": low, "high": high}
        ]
    return value


MAX_CLOSE_HOP = timedelta(minutes=50)


def sale_schedule_close(*, sale: Sale) -> None:
    """After commit, ask Celery to close the sale at its end (the task re-checks the end).

    Through the outbox: if the broker is down the request still succeeds, and the close is
    sent when it is back (the sale sweeper would close it anyway).
    """
    # Redis hands an unacknowledged task to another worker after its visibility timeout, so
    # a task due days ahead would be redelivered every hour. Schedule at most one hop ahead;
    # the task re-schedules itself until the end (the sweeper is the backstop).
    eta = min(sale.ends_at, timezone.now() + MAX_CLOSE_HOP)
    outbox.enqueue("trading.close_sale", eta=eta, sale_id=sale.pk)


def sale_cancel(*, sale: Sale, actor: User, reason: str = "", now: datetime | None = None) -> Sale:
    """The seller (or staff) calls off a sale nobody has bid on yet; the listing is published."""
    now = now or timezone.now()
    if not actor.is_staff:
        catalog_services.ensure_seller(user=actor, listing=sale.listing)
    with transaction.atomic():
        locked = Sale.objects.select_for_update().get(pk=sale.pk)
        if locked.bid_count or locked.tender_bids.filter(withdrawn_at__isnull=True).exists():
            raise ConflictError(_("Bidders rely on this sale: it can no longer be cancelled."))
        _move(locked, SaleStatus.CANCELLED, actor=actor, reason=reason, now=now)
        catalog_services.listing_end_sale_unsold(
            listing=locked.listing, actor=actor, reason="sale cancelled"
        )
    sale.refresh_from_db()
    return sale


# --- Closing ----------------------------------------------------------------------------


def sale_close(*, sale: Sale, now: datetime | None = None, actor: User | None = None) -> Sale:
    """Close a sale whose end has passed and award it or end it without a sale. Idempotent.

    Returns the sale untouched when it is not open or not yet due (the soft close may have
    moved the end): a second closer, or an early task, does nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # The row lock is the claim. A bid (which locks the same row) committed before it is
        # read here; one that comes after waits, then finds the sale closed. Of two closers the
        # second waits, then PostgreSQL re-checks the WHERE on the row as the first left it
        # and reads nothing.
        locked = (
            _with_close_relations(
                Sale.objects.filter(pk=sale.pk, status=SaleStatus.OPEN, ends_at__lte=now)
            )
            .select_for_update(of=("self",))
            .first()
        )
        if locked is None:
            sale.refresh_from_db()
            return sale
        batch = _CloseBatch(now=now, sale_ids=[locked.pk])
        _close_locked(locked, batch=batch, actor=actor)
        batch.write()
    _copy_row(locked, to=sale)
    return sale


def _with_close_relations(sales):
    """What the close needs, in the same statement: the lot, the leading bid and its bidder."""
    return sales.select_related("listing", "leading_bid__bidder_organisation")


@dataclass
class _CloseBatch:
    """The closes of one transaction, whose sales' row locks it holds: their writes wait until
    all of them are decided, then each kind of row goes in one statement (the sales' UPDATEs,
    one per outcome, then their events, then the orders' events).

    Nothing reads those rows in between: the locks keep other transactions out, and the
    close's own steps (the order, the listing's move, the guarantees) do not look at them.
    """

    now: datetime
    sale_ids: list[int]
    live_deposits: set[int] = field(init=False)
    moves: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    sale_events: list[SaleEvent] = field(default_factory=list)
    order_events: list[OrderEvent] = field(default_factory=list)
    sales: list[Sale] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Read under the locks just taken: see deposits_live_exist.
        self.live_deposits = sales_with_live_deposits(sale_ids=self.sale_ids)

    def move(self, sale: Sale, *, stored_status: str, to_status: str) -> None:
        self.moves.setdefault((stored_status, to_status), []).append(sale.pk)

    def write(self) -> None:
        for (stored_status, to_status), ids in self.moves.items():
            moved = Sale.objects.filter(pk__in=ids, status=stored_status).update(
                status=to_status, closed_at=self.now, version=F("version") + 1
            )
            if moved != len(ids):
                raise InvalidTransition()
        SaleEvent.objects.bulk_create(self.sale_events)
        if self.order_events:
            OrderEvent.objects.bulk_create(self.order_events)
        for sale in self.sales:
            del sale._close_batch


def _close_locked(locked: Sale, *, batch: _CloseBatch, actor: User | None) -> None:
    """Decide the locked, due sale; its writes join ``batch``."""
    now = batch.now
    locked._close_batch = batch
    batch.sales.append(locked)
    batch.sale_events.append(
        _event_row(locked, "closed", SaleStatus.OPEN, SaleStatus.CLOSED, actor=actor, now=now)
    )
    locked.status, locked.closed_at = SaleStatus.CLOSED, now
    if locked.is_tender:
        from marketplace.trading.services.tenders import tender_close

        # The tender's ranking reads the sale as closed: the claim is written first.
        Sale.objects.filter(pk=locked.pk).update(
            status=SaleStatus.CLOSED, closed_at=now, version=F("version") + 1
        )
        locked.version += 1
        locked._stored_status = SaleStatus.CLOSED
        winner = tender_close(sale=locked, now=now)
        if winner is None:
            _end_without_sale(locked, actor=actor, now=now, reason="no acceptable tender")
        else:
            award(
                sale=locked,
                from_status=SaleStatus.CLOSED,
                buyer_organisation=winner.bidder_organisation,
                amount=Decimal(winner.value_jpy),
                origin=OrderOrigin.TENDER,
                actor=actor,
                now=now,
            )
    elif locked.is_auction:
        _close_auction(locked, now=now, actor=actor)
    else:
        _end_without_sale(locked, actor=actor, now=now, reason="fixed-price sale ended")


def _copy_row(source: Sale, *, to: Sale) -> None:
    """The caller's sale as the row now reads (``source`` was read under the claim and kept up
    to date by _move), without reading it again."""
    if to is source:
        return
    for model_field in Sale._meta.concrete_fields:
        setattr(to, model_field.attname, getattr(source, model_field.attname))
    for relation in ("listing", "leading_bid"):
        if Sale._meta.get_field(relation).is_cached(source):
            setattr(to, relation, getattr(source, relation))


def _close_auction(sale: Sale, *, now: datetime, actor: User | None) -> None:
    leader = sale.leading_bid
    if leader is None:
        _end_without_sale(sale, actor=actor, now=now, reason="no bids")
    elif not sale.reserve_met:
        _end_without_sale(sale, actor=actor, now=now, reason="reserve not met")
    else:
        award(
            sale=sale,
            from_status=SaleStatus.CLOSED,
            buyer_organisation=leader.bidder_organisation,
            amount=sale.current_price,
            origin=OrderOrigin.AUCTION,
            actor=actor,
            now=now,
        )


# Sales a batch closes under one transaction: fewer commits and locking reads per close, and
# locks held for about a tenth of a second (a bid on a due sale is refused anyway).
CLOSES_PER_TRANSACTION = 10


def sales_close_due(
    *, now: datetime | None = None, limit: int = 100, skip_locked: bool = False
) -> list[int]:
    """The sweeper: close up to ``limit`` overdue open sales, oldest end first; their ids.

    A few sales close per transaction; if one of them fails, the others close one at a time,
    so it does not hold back the rest. With ``skip_locked`` a sale another transaction holds
    (a closer, a bid) is left to it and to its own close task: workers closing a storm side by
    side never wait for each other.
    """
    now = now or timezone.now()
    closed: list[int] = []
    failed: list[int] = []
    due = Sale.objects.filter(status=SaleStatus.OPEN, ends_at__lte=now)
    if not due.exists():
        # The usual answer (every close task asks, and the storm's later tasks find it closed):
        # one statement instead of a transaction around an empty locking read.
        return closed
    while len(closed) + len(failed) < limit:
        count = min(CLOSES_PER_TRANSACTION, limit - len(closed) - len(failed))
        ids: list[int] = []
        try:
            with transaction.atomic():
                # The ids alone, in the (status, ends_at) index's order: the lock reads no
                # more rows than it takes, however many sales are due.
                ids = list(
                    due.exclude(pk__in=failed)
                    .order_by("ends_at")
                    .select_for_update(skip_locked=skip_locked)
                    .values_list("pk", flat=True)[:count]
                )
                if not ids:
                    break
                batch = _CloseBatch(now=now, sale_ids=ids)
                for locked in _with_close_relations(Sale.objects.filter(pk__in=ids)):
                    _close_locked(locked, batch=batch, actor=None)
                batch.write()
        except DomainError:
            for sale_id in ids:
                try:
                    sale = sale_close(sale=Sale.objects.get(pk=sale_id), now=now)
                except DomainError:
                    logger.exception("closing sale %s failed", sale_id)
                    failed.append(sale_id)
                else:
                    if sale.status != SaleStatus.OPEN:
                        closed.append(sale_id)
            continue
        closed.extend(ids)
    return closed


# --- Award ------------------------------------------------------------------------------


def award(
    *,
    sale: Sale,
    from_status: str,
    buyer_organisation: Organisation,
    amount: Decimal,
    origin: str,
    actor: User | None,
    now: datetime,
) -> Order:
    """Award the (locked) sale: the order, the listing sold, the hook on commit. Inside atomic."""
    _move(
        sale,
        SaleStatus.AWARDED,
        actor=actor,
        now=now,
        from_status=from_status,
        data={
            "amount": str(amount),
            "origin": origin,
        },
    )
    listing = sale.listing
    try:
        # No savepoint: an IntegrityError here ends the caller's transaction anyway.
        order = Order.objects.create(
            sale=sale,
            listing=listing,
            buyer_organisation=buyer_organisation,
            seller_organisation_id=listing.seller_id,
            origin=origin,
            amount=amount,
            currency=sale.currency,
            cross_border=buyer_organisation.country.code != listing.country.code,
            status=OrderStatus.CREATED,
            created_at=now,
        )
    except IntegrityError:
        # The last guard: one order per sale, whatever raced.
        raise ConflictError(_("This sale already has an order.")) from None
    event = OrderEvent(
        order=order, to_status=OrderStatus.CREATED, actor=actor, reason=origin, created_at=now
    )
    if batch := sale.__dict__.get("_close_batch"):
        batch.order_events.append(event)
    else:
        event.save(force_insert=True)
    catalog_services.listing_mark_sold(
        listing=listing, actor=actor, reason=f"sale {sale.pk} awarded ({origin})"
    )
    diagnostics_guarantees.guarantee_attach_to_order(order=order, actor=actor)
    _after_award(order)
    return order


def _after_award(order: Order) -> None:
    """A cross-border order needs a shipment case (DESIGN.md step 5). Opening it is a Celery
    task sent through the outbox with the award's transaction: a rules file being replaced is
    retried, a broker outage delays it, and neither loses it."""
    if order.cross_border:
        outbox.enqueue("trading.open_shipment_case", order_id=order.pk)


def order_open_shipment_case(*, order: Order):
    """Open (or find) the compliance shipment case of a cross-border order. Idempotent:
    compliance returns the live case of the same listing, buyer and destination."""
    from compliance.services.cases import case_open

    return case_open(
        listing=order.listing,
        buyer_organisation=order.buyer_organisation,
        destination=order.buyer_organisation.country.code,
        actor=None,
        order_reference=f"order {order.pk}",
    )


def _end_without_sale(sale: Sale, *, actor: User | None, now: datetime, reason: str) -> None:
    _move(sale, SaleStatus.NO_SALE, actor=actor, reason=reason, now=now)
    catalog_services.listing_end_sale_unsold(
        listing=sale.listing, actor=actor, reason=f"sale {sale.pk}: {reason}"
    )


# --- Transitions ------------------------------------------------------------------------


def _move(
    sale: Sale,
    to_status: str,
    *,
    actor: User | None,
    now: datetime,
    reason: str = "",
    from_status: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    from_status = from_status or sale.status
    if to_status not in SALE_TRANSITIONS[from_status]:
        raise InvalidTransition(
            _("A sale that is %(current)s cannot become %(target)s.")
            % {"current": SaleStatus(from_status).label, "target": SaleStatus(to_status).label}
        )
    decided = not SALE_TRANSITIONS[to_status]
    if batch := sale.__dict__.get("_close_batch"):
        # A close: the claim (open → closed) and the outcome are one UPDATE, written with the
        # batch's others (a tender's claim was written before its ranking).
        stored_status = sale.__dict__.pop("_stored_status", SaleStatus.OPEN)
        batch.move(sale, stored_status=stored_status, to_status=to_status)
        live_deposits = sale.pk in batch.live_deposits
    else:
        updates: dict[str, Any] = {"status": to_status, "version": F("version") + 1}
        if to_status in (SaleStatus.CANCELLED, SaleStatus.AWARDED) and sale.closed_at is None:
            updates["closed_at"] = now
        if Sale.objects.filter(pk=sale.pk, status=from_status).update(**updates) != 1:
            raise InvalidTransition()
        # Read after the UPDATE took the row lock (see deposits_live_exist).
        live_deposits = decided and deposits_live_exist(sale=sale)
    sale.status = to_status
    sale.closed_at = sale.closed_at or now
    sale.version += 1
    if decided and live_deposits:
        # Decided: capture the winner's deposit, release the others; a deposit opened
        # meanwhile settles itself (see deposits_live_exist).
        outbox.enqueue("payments.settle_deposits", sale_id=sale.pk)
    _event(sale, to_status, from_status, to_status, actor=actor, now=now, reason=reason, data=data)


def _event(
    sale: Sale,
    kind: str,
    from_status: str,
    to_status: str,
    *,
    actor: User | None,
    now: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> SaleEvent:
    """Append an event row (a close writes its rows with its batch's)."""
    row = _event_row(
        sale, kind, from_status, to_status, actor=actor, now=now, reason=reason, data=data
    )
    if batch := sale.__dict__.get("_close_batch"):
        batch.sale_events.append(row)
    else:
        row.save(force_insert=True)
    return row


def _event_row(
    sale: Sale,
    kind: str,
    from_status: str,
    to_status: str,
    *,
    actor: User | None,
    now: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> SaleEvent:
    return SaleEvent(
        sale=sale,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor if actor is not None and actor.is_authenticated else None,
        reason=reason,
        data=data or {},
        created_at=now,
    )


def ensure_sale_seller(*, user: User, sale: Sale) -> Organisation:
    organisation = catalog_services.ensure_seller(user=user, listing=sale.listing)
    if sale.seller_organisation_id != organisation.pk:
        raise PermissionDeniedError()
    return organisation


def auction_state_of(sale: Sale):
    """The auction state recomputed from the stored bids (used by bidding and tests)."""
    from marketplace.trading.services.bidding import proxies_of

    return auction_state(
        proxies_of(sale),
        start_price=sale.start_price,
        reserve_price=sale.reserve_price,
        increment=lambda price: get_rules().increment(currency=sale.currency, price=price),
    )
