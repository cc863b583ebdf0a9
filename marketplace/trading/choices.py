"""Elements that carry a reference price, and the other assay constituents we recognise."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Element(models.TextChoices):
    """Metals with a staff-maintained reference price (JPY per kg of contained metal)."""

    NICKEL = "Ni", _("Nickel (Ni)")
    COBALT = "Co", _("Cobalt (Co)")
    LITHIUM = "Li", _("Lithium (Li)")
    MANGANESE = "Mn", _("Manganese (Mn)")
    COPPER = "Cu", _("Copper (Cu)")


# Display and output order of payable elements: by typical contribution to NCM black-mass value.
PAYABLE_ELEMENTS: tuple[str, ...] = tuple(Element.values)

# Assay constituents that are not paid for but may be penalised (diagnostics.md 4.4) or simply
# reported: Al/Cu foil, F from electrolyte and binder, Fe/P from LFP, graphite, heavy metals named
# in China's 2025 import rules, and common process contaminants.
IMPURITY_ELEMENTS: tuple[str, ...] = (
    "Al",
    "Fe",
    "F",
    "P",
    "C",
    "Zn",
    "Pb",
    "Cd",
    "Si",
    "Na",
    "Mg",
    "Ca",
    "S",
    "Cl",
)
ASSAY_ELEMENTS: frozenset[str] = frozenset(PAYABLE_ELEMENTS + IMPURITY_ELEMENTS)

# Moisture is not an assay constituent (assays are on a dry basis) but can carry a penalty.
MOISTURE = "H2O"
PENALTY_ELEMENTS: frozenset[str] = ASSAY_ELEMENTS | {MOISTURE}


class SaleStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed, being evaluated")
    AWARDED = "awarded", _("Awarded")
    NO_SALE = "no_sale", _("Ended without a sale")
    CANCELLED = "cancelled", _("Cancelled")


# A sale is awarded straight from OPEN by a buy-now or an accepted offer; an auction or tender
# goes OPEN → CLOSED (claimed by exactly one closer) → AWARDED or NO_SALE in one transaction.
SALE_TRANSITIONS: dict[str, frozenset[str]] = {
    SaleStatus.OPEN: frozenset({SaleStatus.CLOSED, SaleStatus.AWARDED, SaleStatus.CANCELLED}),
    SaleStatus.CLOSED: frozenset({SaleStatus.AWARDED, SaleStatus.NO_SALE}),
    SaleStatus.AWARDED: frozenset(),
    SaleStatus.NO_SALE: frozenset(),
    SaleStatus.CANCELLED: frozenset(),
}


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COUNTERED = "countered", _("Countered")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OFFER_TRANSITIONS: dict[str, frozenset[str]] = {
    OfferStatus.OPEN: frozenset(
        {
            OfferStatus.ACCEPTED,
            OfferStatus.DECLINED,
            OfferStatus.COUNTERED,
            OfferStatus.EXPIRED,
            OfferStatus.WITHDRAWN,
        }
    ),
    **{
        status: frozenset()
        for status in (
            OfferStatus.ACCEPTED,
            OfferStatus.DECLINED,
            OfferStatus.COUNTERED,
            OfferStatus.EXPIRED,
            OfferStatus.WITHDRAWN,
        )
    },
}


class OrderStatus(models.TextChoices):
    """Where the order's money and goods stand (docs/payments.md, "Order states")."""

    CREATED = "created", _("Awaiting payment")
    PAID = "paid", _("Paid, funds held by the platform")
    ON_HOLD = "on_hold", _("On compliance hold")
    RELEASED = "released", _("Released for shipment")
    DELIVERED = "delivered", _("Delivery confirmed")
    SETTLED = "settled", _("Seller paid out")
    CANCELLED = "cancelled", _("Cancelled")


# Payment moves an order CREATED → PAID; in the same transaction the compliance gate moves it on:
# domestic or approved → RELEASED, otherwise → ON_HOLD until an approved case releases it. Only the
# buyer's delivery confirmation reaches DELIVERED, and only a recorded payout reaches SETTLED.
# Cancelling a paid order refunds it (payments.services.orders).
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.CREATED: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.ON_HOLD, OrderStatus.RELEASED, OrderStatus.CANCELLED}),
    OrderStatus.ON_HOLD: frozenset({OrderStatus.RELEASED, OrderStatus.CANCELLED}),
    OrderStatus.RELEASED: frozenset({OrderStatus.DELIVERED, OrderStatus.CANCELLED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.SETTLED}),
    OrderStatus.SETTLED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}

# Orders whose funds the platform holds (paid, not yet paid out nor refunded).
ORDER_FUNDS_HELD = frozenset(
    {OrderStatus.PAID, OrderStatus.ON_HOLD, OrderStatus.RELEASED, OrderStatus.DELIVERED}
)


class OrderOrigin(models.TextChoices):
    AUCTION = "auction", _("Auction won")
    TENDER = "tender", _("Tender awarded")
    BUY_NOW = "buy_now", _("Bought now")
    OFFER = "offer", _("Offer accepted")
