"""Database guards of trading: no bid, automatic or sealed, on a sale that is not open."""

from marketplace.core.triggers import RowGuard

_SALE_NOT_OPEN = (
    "NOT EXISTS (SELECT 1 FROM trading_sale WHERE id = NEW.sale_id AND status = 'open')"
)

BID_ON_OPEN_SALE = RowGuard(
    name="trading_bid_on_open_sale",
    table="trading_bid",
    events="INSERT",
    refuse_when=_SALE_NOT_OPEN,
    message="a bid needs an open sale",
)
TENDER_BID_ON_OPEN_SALE = RowGuard(
    name="trading_tenderbid_on_open_sale",
    table="trading_tenderbid",
    events="INSERT",
    refuse_when=_SALE_NOT_OPEN,
    message="a tender bid needs an open sale",
)
GUARDS = (BID_ON_OPEN_SALE, TENDER_BID_ON_OPEN_SALE)
