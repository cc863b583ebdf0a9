import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import Organisation
from marketplace.catalog.choices import SaleFormat
from marketplace.catalog.models import Listing
from marketplace.trading.choices import (
    Element,
    OfferStatus,
    OrderOrigin,
    OrderStatus,
    SaleStatus,
)


class ReferencePrice(models.Model):
    """A dated metal reference price, in JPY per kg of *contained metal*.

    Lithium is priced per kg of Li metal, not of lithium carbonate: a carbonate quote converts with
    5.323 kg LCE per kg Li (diagnostics.md 4.1). Payables bids are percentages of these prices.
    """

    element = models.CharField(_("element"), max_length=2, choices=Element.choices)
    price_jpy_per_kg = models.DecimalField(
        _("price (JPY per kg of contained metal)"), max_digits=14, decimal_places=2
    )
    effective_date = models.DateField(_("effective date"))
    source = models.CharField(
        _("source"),
        max_length=500,
        help_text=_("Where the price comes from, e.g. 'LME nickel cash official, converted at …'."),
    )
    source_url = models.URLField(_("source URL"), blank=True, max_length=500)
    # Null only for rows loaded by a data import (demo seed), never for a price typed by a person.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("reference price")
        verbose_name_plural = _("reference prices")
        ordering = ["element", "-effective_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["element", "effective_date"], name="trading_refprice_element_date_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(price_jpy_per_kg__gt=0), name="trading_refprice_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.element} {self.price_jpy_per_kg} JPY/kg ({self.effective_date})"


def _money(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=16, decimal_places=2, **kwargs)


class Sale(models.Model):
    """One attempt to sell a listing: fixed price, English auction or sealed tender.

    The reserve, the proxy maxima and the sealed bids are secrets: only selectors that know who
    is asking read them. ``version`` rises with every accepted bid (optimistic readers, caches).
    """

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="sales")
    seller_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sales_as_seller"
    )
    format = models.CharField(_("format"), max_length=20, choices=SaleFormat.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=SaleStatus.choices, default=SaleStatus.OPEN
    )
    currency = models.CharField(_("currency"), max_length=3)
    start_price = _money(_("start price"), null=True, blank=True)
    reserve_price = _money(_("reserve (hidden)"), null=True, blank=True)
    buy_now_price = _money(_("buy-now price"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), db_index=True)
    original_ends_at = models.DateTimeField(_("originally ends at"))
    soft_close_window_minutes = models.PositiveIntegerField(_("soft-close window (minutes)"))
    soft_close_max_extension_minutes = models.PositiveIntegerField(
        _("soft-close extension cap (minutes)")
    )
    domestic_first_until = models.DateTimeField(_("domestic buyers only until"), null=True)
    current_price = _money(_("current price"), null=True, blank=True)
    # Not indexed: every bid that takes the lead rewrites it, and an indexed column changing
    # stops PostgreSQL from updating the row in place (a HOT update), so each such bid wrote a
    # new entry into every index of the sale. Nothing looks sales up by their leading bid.
    leading_bid = models.ForeignKey(
        "Bid", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    bid_count = models.PositiveIntegerField(_("bids"), default=0)
    version = models.PositiveIntegerField(default=0)
    rules_version = models.CharField(max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ends_at", "pk"]
        verbose_name = _("sale")
        indexes = [models.Index(fields=["status", "ends_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["listing"],
                condition=Q(status__in=["open", "closed"]),
                name="trading_sale_one_running_per_listing",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="trading_sale_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("original_ends_at")),
                name="trading_sale_end_never_earlier",
            ),
            models.CheckConstraint(
                condition=(Q(start_price__isnull=True) | Q(start_price__gte=0))
                & (Q(reserve_price__isnull=True) | Q(reserve_price__gte=0))
                & (Q(buy_now_price__isnull=True) | Q(buy_now_price__gt=0))
                & (Q(current_price__isnull=True) | Q(current_price__gte=0)),
                name="trading_sale_prices_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} #{self.pk} ({self.listing_id})"

    @property
    def is_auction(self) -> bool:
        return self.format == SaleFormat.ENGLISH_AUCTION

    @property
    def is_tender(self) -> bool:
        return self.format == SaleFormat.SEALED_TENDER

    @property
    def is_fixed_price(self) -> bool:
        return self.format == SaleFormat.FIXED_PRICE

    def accepts_bids_at(self, now) -> bool:
        return self.status == SaleStatus.OPEN and self.starts_at <= now < self.ends_at

    def is_domestic_only_at(self, now) -> bool:
        return self.domestic_first_until is not None and now < self.domestic_first_until

    @property
    def reserve_met(self) -> bool:
        if self.reserve_price is None:
            return True
        return self.current_price is not None and self.current_price >= self.reserve_price


class SaleEvent(models.Model):
    """Audit trail: status changes, extensions, awards. ``data`` holds figures, never secrets."""

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, choices=SaleStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=SaleStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.sale_id}: {self.kind} {self.from_status or '-'} → {self.to_status or '-'}"


class Bid(models.Model):
    """An English-auction bid, or an automatic raise on a proxy's behalf.

    ``max_amount`` is the bidder's secret maximum (null on automatic rows); ``amount`` is the
    figure the bid history shows. A raise of one's own maximum while leading is ``is_max_raise``
    and appears only in the bidder's own history.
    """

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="bids")
    bidder_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="auction_bids"
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount = _money(_("amount"))
    max_amount = _money(_("maximum (secret)"), null=True, blank=True)
    is_automatic = models.BooleanField(default=False)
    is_max_raise = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The runner-up when a leader raises their own maximum (the bid path, on PostgreSQL
            # inside trading_bid_place): the best maximum of the sale's placed bids, without
            # reading them all.
            models.Index(
                "sale",
                models.F("max_amount").desc(),
                "created_at",
                "id",
                condition=Q(is_automatic=False),
                name="trading_bid_best_maximum",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_automatic=True, max_amount__isnull=True)
                | Q(is_automatic=False, max_amount__isnull=False),
                name="trading_bid_max_only_on_placed_bids",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0)
                & (Q(max_amount__isnull=True) | Q(max_amount__gte=models.F("amount"))),
                name="trading_bid_amount_positive_within_max",
            ),
        ]

    def __str__(self) -> str:
        return f"bid {self.pk} on sale {self.sale_id}: {self.amount}"


class TenderBid(models.Model):
    """A sealed bid: either a fixed JPY price per dry tonne or payables (% of reference price).

    Nobody but the bidder reads it before the close; ``rank`` and ``value_jpy`` are written at the
    close from the stored snapshot (TenderClose). One live bid per organisation and sale.
    """

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="tender_bids")
    bidder_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="tender_bids"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    fixed_jpy_per_dry_tonne = _money(_("fixed price (JPY per dry tonne)"), null=True, blank=True)
    # xgettext:no-python-format
    payables_pct = models.JSONField(_("payables (% of reference price)"), null=True, blank=True)
    penalties = models.JSONField(_("penalties"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    value_jpy = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sale", "bidder_organisation"],
                condition=Q(withdrawn_at__isnull=True),
                name="trading_tenderbid_one_live_per_bidder",
            ),
            models.CheckConstraint(
                condition=Q(fixed_jpy_per_dry_tonne__isnull=False, payables_pct__isnull=True)
                | Q(fixed_jpy_per_dry_tonne__isnull=True, payables_pct__isnull=False),
                name="trading_tenderbid_fixed_xor_payables",
            ),
            models.CheckConstraint(
                condition=Q(fixed_jpy_per_dry_tonne__isnull=True)
                | Q(fixed_jpy_per_dry_tonne__gt=0),
                name="trading_tenderbid_fixed_price_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"tender bid {self.pk} on sale {self.sale_id}"

    @property
    def is_payables(self) -> bool:
        return self.payables_pct is not None


class TenderClose(models.Model):
    """What the close saw: the reference-price snapshot, the lot, and the ranking it produced."""

    sale = models.OneToOneField(Sale, on_delete=models.CASCADE, related_name="tender_close")
    closed_at = models.DateTimeField()
    reference_prices = models.JSONField()
    lot = models.JSONField()
    results = models.JSONField()

    def __str__(self) -> str:
        return f"close of sale {self.sale_id}"


class Offer(models.Model):
    """An offer on a fixed-price sale, or a counter-offer (``parent`` is what it answers).

    ``buyer_organisation`` is the buyer of the negotiation in both directions; ``made_by_seller``
    says who proposed this amount, so the other side is the one who may accept it.
    """

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="offers")
    buyer_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="offers"
    )
    made_by_seller = models.BooleanField(default=False)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="counters"
    )
    amount = _money(_("amount"))
    status = models.CharField(
        _("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.OPEN
    )
    expires_at = models.DateTimeField(_("expires at"))
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One live negotiation per buyer and sale: a counter closes the offer it answers.
            models.UniqueConstraint(
                fields=["sale", "buyer_organisation"],
                condition=Q(status="open"),
                name="trading_offer_one_open_per_buyer",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="trading_offer_positive"),
        ]

    def __str__(self) -> str:
        return f"offer {self.pk} on sale {self.sale_id}: {self.amount}"


class Order(models.Model):
    """The award of a sale: exactly one per sale (the unique constraint is the last guard)."""

    sale = models.OneToOneField(Sale, on_delete=models.PROTECT, related_name="order")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="orders")
    buyer_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="orders_as_buyer"
    )
    seller_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="orders_as_seller"
    )
    origin = models.CharField(max_length=20, choices=OrderOrigin.choices)
    amount = _money(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    cross_border = models.BooleanField(
        _("cross-border"), help_text=_("The buyer is in another country than the lot.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.CREATED
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set once, by the buyer's confirmation (trading.services.orders.order_confirm_delivery);
    # a payout row copies it and cannot exist without it.
    delivery_confirmed_at = models.DateTimeField(_("delivery confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="trading_order_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"order {self.pk}: {self.amount} {self.currency}"


class OrderEvent(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=OrderStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status or '-'} → {self.to_status}"

    @property
    def reason_display(self) -> str:
        """The reason in the reader's language: the services write fixed English phrases
        (kept in the row and the API); a person's typed reason is shown as typed."""
        for pattern, label in _ORDER_REASONS:
            match = pattern.fullmatch(self.reason)
            if match:
                return str(label(match))
        return self.reason


def _case_status_label(code: str) -> str:
    from compliance.choices import CaseStatus

    return str(dict(CaseStatus.choices).get(code, code))


# The reasons the order services write (trading/services/sales.py and orders.py, payments).
_ORDER_REASONS = [
    (re.compile(r"auction"), lambda m: _("Auction won")),
    (re.compile(r"tender"), lambda m: _("Tender awarded")),
    (re.compile(r"buy_now"), lambda m: _("Bought now")),
    (re.compile(r"offer"), lambda m: _("Offer accepted")),
    (
        re.compile(r"payment (?P<payment>\d+) received"),
        lambda m: _("Payment %(payment)s received") % {"payment": m["payment"]},
    ),
    (
        re.compile(r"deposit (?P<deposit>\d+) captured and applied"),
        lambda m: _("Deposit %(deposit)s captured and applied") % {"deposit": m["deposit"]},
    ),
    (
        re.compile(r"domestic order: no shipment case needed"),
        lambda m: _("Domestic order: no shipment case needed"),
    ),
    (re.compile(r"compliance case approved"), lambda m: _("Compliance case approved")),
    (
        re.compile(r"awaiting the compliance shipment case"),
        lambda m: _("Awaiting the compliance shipment case"),
    ),
    (
        re.compile(r"compliance case (?P<case>\d+) is (?P<status>[a-z_]+)(?P<rest>: .*)?", re.S),
        lambda m: (
            (
                _("Compliance case %(case)s: %(status)s")
                % {"case": m["case"], "status": _case_status_label(m["status"])}
            )
            + (m["rest"] or "")
        ),
    ),
    (re.compile(r"buyer confirmed delivery"), lambda m: _("The buyer confirmed delivery")),
    (
        re.compile(r"payout (?P<payout>\d+): (?P<net>[\d.]+)"),
        lambda m: _("Payout %(payout)s: %(net)s") % {"payout": m["payout"], "net": m["net"]},
    ),
]
