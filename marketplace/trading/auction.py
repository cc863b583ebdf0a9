"""English-auction arithmetic: proxy bidding and soft close, as pure functions over plain values.

Proxy rule (market.md 3.2, the "second-price" formulation):

    leader        = the highest maximum; equal maxima → the earlier bidder
    current price = min(leader max, second-highest max + increment at that max)
                    or the start price while there is a single bidder
    reserve       = if the leader's maximum reaches the hidden reserve, the price rises to the
                    reserve (so a sale the leader is willing to pay for is not lost to the proxy
                    rule; what eBay does); otherwise the price stays where the rule puts it
    next minimum  = start price for the first bid, else current price + increment at that price

A bidder has one proxy: their highest maximum, dated by the bid that set it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Proxy:
    bidder: Any  # organisation id
    max_amount: Decimal
    placed_at: datetime
    sequence: int  # the bid's primary key: breaks ties between bids placed at the same instant
    bid: Any = None  # the Bid row that set this maximum


@dataclass(frozen=True)
class AuctionState:
    leader: Proxy | None
    runner_up: Proxy | None
    current_price: Decimal | None


Increment = Callable[[Decimal], Decimal]


def proxies_from_bids(bids: Iterable[Proxy]) -> list[Proxy]:
    """One proxy per bidder: their highest maximum; equal maxima keep the earliest bid."""
    best: dict[Any, Proxy] = {}
    for proxy in bids:
        held = best.get(proxy.bidder)
        if (
            held is None
            or proxy.max_amount > held.max_amount
            or proxy.max_amount == held.max_amount
            and _order_key(proxy) < _order_key(held)
        ):
            best[proxy.bidder] = proxy
    return sorted(best.values(), key=lambda p: (-p.max_amount, _order_key(p)))


def _order_key(proxy: Proxy) -> tuple[datetime, int]:
    return (proxy.placed_at, proxy.sequence)


def auction_state(
    proxies: Iterable[Proxy],
    *,
    start_price: Decimal,
    reserve_price: Decimal | None,
    increment: Increment,
) -> AuctionState:
    ranked = proxies_from_bids(proxies)
    if not ranked:
        return AuctionState(leader=None, runner_up=None, current_price=None)
    leader = ranked[0]
    runner_up = ranked[1] if len(ranked) > 1 else None
    if runner_up is None:
        price = start_price
    else:
        price = min(leader.max_amount, runner_up.max_amount + increment(runner_up.max_amount))
    if reserve_price is not None and leader.max_amount >= reserve_price and price < reserve_price:
        price = reserve_price
    return AuctionState(leader=leader, runner_up=runner_up, current_price=max(price, start_price))


def minimum_bid(
    *, current_price: Decimal | None, start_price: Decimal, increment: Increment
) -> Decimal:
    if current_price is None:
        return start_price
    return current_price + increment(current_price)


def extended_end(
    *,
    now: datetime,
    ends_at: datetime,
    original_ends_at: datetime,
    window_minutes: int,
    max_extension_minutes: int,
) -> datetime:
    """Soft close: a bid in the last N minutes moves the end N minutes later, up to the cap."""
    window = timedelta(minutes=window_minutes)
    if window_minutes == 0 or now < ends_at - window:
        return ends_at
    cap = original_ends_at + timedelta(minutes=max_extension_minutes)
    return max(ends_at, min(ends_at + window, cap))
