"""Reads of the trading app. Reference prices are public to every signed-in member; sale reads
decide here, once, who sees which secret (reserve, proxy maxima, sealed bids)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from marketplace.catalog.choices import PUBLIC_STATUSES
from marketplace.core.prepared import PreparedRead
from marketplace.trading.choices import SaleStatus
from marketplace.trading.models import Bid, Offer, Order, ReferencePrice, Sale, TenderBid


def reference_price_history(
    *, element: str | None = None, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[ReferencePrice]:
    """All recorded prices, newest first per element, optionally narrowed."""
    prices = ReferencePrice.objects.select_related("created_by").order_by(
        "element", "-effective_date"
    )
    if element:
        prices = prices.filter(element=element)
    if date_from:
        prices = prices.filter(effective_date__gte=date_from)
    if date_to:
        prices = prices.filter(effective_date__lte=date_to)
    return prices


def reference_prices_on(on: date) -> dict[str, ReferencePrice]:
    """For each element, the latest price effective at or before ``on`` (one query).

    Elements with no price on or before that date are absent from the result.
    """
    latest = (
        ReferencePrice.objects.filter(element=OuterRef("element"), effective_date__lte=on)
        .order_by("-effective_date")
        .values("pk")[:1]
    )
    rows = ReferencePrice.objects.filter(pk=Subquery(latest)).order_by("element")
    return {row.element: row for row in rows}


@dataclass(frozen=True)
class PriceSnapshot:
    """Reference prices frozen at a moment (a tender close), as plain values.

    Store ``as_json()`` with the close so the evaluation can be re-run and audited later even if
    staff record corrections afterwards.
    """

    taken_on: date
    prices_jpy_per_kg: dict[str, Decimal]
    effective_dates: dict[str, date]
    reference_price_ids: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {
            "taken_on": self.taken_on.isoformat(),
            "prices": {
                element: {
                    "price_jpy_per_kg": str(price),
                    "effective_date": self.effective_dates[element].isoformat(),
                    "reference_price_id": self.reference_price_ids[element],
                }
                for element, price in self.prices_jpy_per_kg.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PriceSnapshot":
        prices = data["prices"]
        return cls(
            taken_on=date.fromisoformat(data["taken_on"]),
            prices_jpy_per_kg={el: Decimal(p["price_jpy_per_kg"]) for el, p in prices.items()},
            effective_dates={
                el: date.fromisoformat(p["effective_date"]) for el, p in prices.items()
            },
            reference_price_ids={el: p["reference_price_id"] for el, p in prices.items()},
        )


def reference_price_snapshot(on: date) -> PriceSnapshot:
    current = reference_prices_on(on)
    return PriceSnapshot(
        taken_on=on,
        prices_jpy_per_kg={el: row.price_jpy_per_kg for el, row in current.items()},
        effective_dates={el: row.effective_date for el, row in current.items()},
        reference_price_ids={el: row.pk for el, row in current.items()},
    )


# --- Sales: what each viewer may see ----------------------------------------------------
#
# Public: format, times, current price, bid count, whether a reserve exists and is met.
# Never public: the reserve amount, proxy maxima, sealed tender amounts, other bidders' names.


def sales_visible_to(*, user) -> QuerySet[Sale]:
    """Sales of listings the user may see (catalog visibility rules)."""
    from marketplace.catalog.selectors import listing_visibility

    visible = listing_visibility(user, prefix="listing__")
    return Sale.objects.filter(visible).select_related("listing", "leading_bid")


# One sale as its pages and the bid path use it: the lot, and the pack or module lot whose
# grade decides whether it is waste (trading.services.eligibility.listing_is_waste).
_SALE_PAGE_RELATED = ("listing", "listing__pack", "listing__module_lot", "leading_bid")


def _member_sale(organisation: int, pk: int) -> QuerySet[Sale]:
    """The same rows and objects as sales_visible_to(user=…).get(pk=…) for a member."""
    return Sale.objects.filter(
        Q(listing__status__in=PUBLIC_STATUSES) | Q(listing__seller_id=organisation), pk=pk
    ).select_related(*_SALE_PAGE_RELATED)


# The read of every sale request by a member of an organisation, compiled once (core.prepared).
_SALE_FOR_MEMBER = PreparedRead(_member_sale, organisation=int, pk=int)


# What a bid reads of its lot (the eligibility gate, the deposit, the bid function and the
# answer): the sale and its leading bid whole, and of the listing and its item the columns
# the gate and the answer use: 54 of the full read's 95 columns, leaving out the listing's
# description and search text and the item's specification. A field outside these would
# still be loaded on first use, by one more query; tests/trading/test_bid_reads.py fails if
# a bid, a refusal or a cross-border bid needs one.
_BID_COLUMNS = (
    *(field.name for field in Sale._meta.concrete_fields),
    *(f"listing__{name}" for name in (
        "id", "seller", "listing_type", "title", "status", "price", "currency", "country",
        "vehicle", "pack", "module_lot", "black_mass_lot",
    )),
    *(f"listing__{item}__{name}" for item in ("pack", "module_lot")
      for name in ("id", "grade", "soh_pct", "soh_source", "chemistry")),
    *(f"leading_bid__{field.name}" for field in Bid._meta.concrete_fields),
)  # fmt: skip

_SALE_FOR_MEMBERS_BID = PreparedRead(
    lambda organisation, pk: _member_sale(organisation, pk).only(*_BID_COLUMNS),
    organisation=int,
    pk=int,
)


def sale_get_for_user(*, user, pk: int) -> Sale:
    return _sale_get(user=user, pk=pk, member_read=_SALE_FOR_MEMBER)


def sale_get_for_bid(*, user, pk: int) -> Sale:
    """``sale_get_for_user`` for placing a bid: the same visibility, the columns a bid uses."""
    return _sale_get(user=user, pk=pk, member_read=_SALE_FOR_MEMBERS_BID)


def _sale_get(*, user, pk: int, member_read: PreparedRead) -> Sale:
    if user.is_authenticated and not user.is_staff and user.organisation_id:
        sale = member_read.first(organisation=user.organisation_id, pk=pk)
        if sale is None:
            raise Http404
        return sale
    try:
        return sales_visible_to(user=user).select_related(*_SALE_PAGE_RELATED).get(pk=pk)
    except Sale.DoesNotExist:
        raise Http404 from None


def sale_for_listing(*, listing_id: int) -> Sale | None:
    """The latest sale of a listing (the running one if any)."""
    return Sale.objects.filter(listing_id=listing_id).order_by("-created_at", "-pk").first()


def _viewer_organisation_id(user) -> int | None:
    return getattr(user, "organisation_id", None) if user.is_authenticated else None


@dataclass(frozen=True)
class HistoryRow:
    bidder_label: str
    amount: Decimal
    created_at: Any
    is_automatic: bool
    is_mine: bool
    is_max_raise: bool
    max_amount: Decimal | None  # only on the viewer's own rows


def bidder_labels(sale: Sale) -> dict[int, str]:
    """ "Bidder 1", "Bidder 2", … by first bid, the same for every viewer of the sale."""
    labels: dict[int, str] = {}
    rows = Bid.objects.filter(sale=sale, is_automatic=False).order_by("created_at", "pk")
    for organisation_id in rows.values_list("bidder_organisation_id", flat=True):
        if organisation_id not in labels:
            labels[organisation_id] = _("Bidder %(number)s") % {"number": len(labels) + 1}
    return labels


def bid_history_for_user(*, sale: Sale, user) -> list[HistoryRow]:
    """The bid history, newest first, anonymised; raises of one's own maximum only to oneself."""
    labels = bidder_labels(sale)
    mine = _viewer_organisation_id(user)
    history = []
    for bid in Bid.objects.filter(sale=sale).order_by("-created_at", "-pk"):
        is_mine = mine is not None and bid.bidder_organisation_id == mine
        if bid.is_max_raise and not is_mine:
            continue
        history.append(
            HistoryRow(
                bidder_label=labels.get(bid.bidder_organisation_id, _("Bidder")),
                amount=bid.amount,
                created_at=bid.created_at,
                is_automatic=bid.is_automatic,
                is_mine=is_mine,
                is_max_raise=bid.is_max_raise,
                max_amount=bid.max_amount if is_mine else None,
            )
        )
    return history


def viewer_leads(*, sale: Sale, user) -> bool:
    mine = _viewer_organisation_id(user)
    return bool(mine and sale.leading_bid and sale.leading_bid.bidder_organisation_id == mine)


def viewer_is_seller(*, sale: Sale, user) -> bool:
    mine = _viewer_organisation_id(user)
    return bool(mine and sale.seller_organisation_id == mine)


def tender_bids_for_user(*, sale: Sale, user) -> QuerySet[TenderBid]:
    """Before the close: only one's own bids. After it: the seller sees every live bid with its
    rank and value; a bidder still sees only their own (losing bids are never shown to others).
    Staff get no wider view through this selector."""
    bids = TenderBid.objects.filter(sale=sale).select_related("bidder_organisation")
    mine = _viewer_organisation_id(user)
    if sale.status in (SaleStatus.AWARDED, SaleStatus.NO_SALE) and viewer_is_seller(
        sale=sale, user=user
    ):
        return bids.filter(withdrawn_at__isnull=True).order_by("rank", "submitted_at")
    if mine is None:
        return bids.none()
    return bids.filter(bidder_organisation_id=mine).order_by("-submitted_at", "-pk")


def live_tender_bid_count(sale: Sale) -> int:
    return TenderBid.objects.filter(sale=sale, withdrawn_at__isnull=True).count()


def offers_for_user(*, sale: Sale, user) -> QuerySet[Offer]:
    """The seller sees every offer on the sale; a buyer the offers of their own negotiation."""
    offers = Offer.objects.filter(sale=sale).select_related("buyer_organisation", "parent")
    if viewer_is_seller(sale=sale, user=user):
        return offers
    mine = _viewer_organisation_id(user)
    return offers.filter(buyer_organisation_id=mine) if mine else offers.none()


def offer_get_for_user(*, user, pk: int) -> Offer:
    mine = _viewer_organisation_id(user)
    offer = (
        Offer.objects.select_related("sale", "sale__listing").filter(pk=pk).first()
        if mine
        else None
    )
    if offer is None or mine not in (
        offer.buyer_organisation_id,
        offer.sale.seller_organisation_id,
    ):
        raise Http404
    return offer


def tender_bid_get_for_user(*, user, pk: int) -> TenderBid:
    mine = _viewer_organisation_id(user)
    bid = TenderBid.objects.filter(pk=pk, bidder_organisation_id=mine).first() if mine else None
    if bid is None:
        raise Http404
    return bid


def orders_for_user(*, user) -> QuerySet[Order]:
    mine = _viewer_organisation_id(user)
    if mine is None:
        return Order.objects.none()
    return (
        Order.objects.filter(Q(buyer_organisation_id=mine) | Q(seller_organisation_id=mine))
        .select_related("listing", "buyer_organisation", "seller_organisation", "sale")
        .order_by("-created_at", "-pk")
    )


def order_get_for_user(*, user, pk: int) -> Order:
    try:
        return orders_for_user(user=user).get(pk=pk)
    except Order.DoesNotExist:
        raise Http404 from None


def my_auction_bids(*, user) -> QuerySet[Bid]:
    mine = _viewer_organisation_id(user)
    if mine is None:
        return Bid.objects.none()
    return (
        Bid.objects.filter(bidder_organisation_id=mine, is_automatic=False)
        .select_related("sale", "sale__listing", "sale__leading_bid")
        .order_by("-created_at", "-pk")
    )


def my_tender_bids(*, user) -> QuerySet[TenderBid]:
    mine = _viewer_organisation_id(user)
    if mine is None:
        return TenderBid.objects.none()
    return (
        TenderBid.objects.filter(bidder_organisation_id=mine)
        .select_related("sale", "sale__listing")
        .order_by("-submitted_at", "-pk")
    )
