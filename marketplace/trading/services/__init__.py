"""Every write of the trading app, grouped by subject; import from here."""

from marketplace.trading.services.bidding import bid_place, sale_buy_now
from marketplace.trading.services.eligibility import (
    ensure_may_bid,
    listing_is_waste,
    listing_material,
    sale_precheck_for,
)
from marketplace.trading.services.offers import (
    offer_accept,
    offer_counter,
    offer_decline,
    offer_make,
    offer_withdraw,
    offers_expire_due,
)
from marketplace.trading.services.prices import reference_price_record
from marketplace.trading.services.sales import (
    sale_cancel,
    sale_close,
    sale_open,
    sale_schedule_close,
    sales_close_due,
)
from marketplace.trading.services.tenders import tender_bid_submit, tender_bid_withdraw

__all__ = [
    "bid_place",
    "ensure_may_bid",
    "listing_is_waste",
    "listing_material",
    "offer_accept",
    "offer_counter",
    "offer_decline",
    "offer_make",
    "offer_withdraw",
    "offers_expire_due",
    "reference_price_record",
    "sale_buy_now",
    "sale_cancel",
    "sale_close",
    "sale_open",
    "sale_precheck_for",
    "sale_schedule_close",
    "sales_close_due",
    "tender_bid_submit",
    "tender_bid_withdraw",
]
