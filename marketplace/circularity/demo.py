"""Demo completed sales for the outflow dashboard, for `seed_demo`.

Some of the catalog's demo listings (marketplace/catalog/demo.py, items keyed "DEMO-<n>-")
are sold through the real trading services, so every order has its sale, events and, when
it crosses a border, its shipment case; `seed_demo --listings N` still makes N listings.
Which ones: listing numbers n with n % 5 in (1, 2) (vehicles, packs, module lots) and
n % 10 == 9 (half the black-mass lots), while published and never on sale. Deterministic
and idempotent: a second run finds them sold and does nothing.

The sales are back-dated over about five months (the listings themselves were created
today) so that the dashboard's months and charts have something to show:
- black mass: a sealed tender won by the Korean refiner (export), or by the Kitakyushu
  recycler when the Korean refiner is the seller;
- packs, EVs and module lots graded R: bought by the Kitakyushu recycler (recycling);
- the rest: every third by the German reuse maker (export), else by the Kumamoto one (reuse).
"""

from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from marketplace.accounts.models import User
from marketplace.catalog.choices import Grade, ListingStatus, ListingType, SaleFormat
from marketplace.catalog.models import Listing

SALE_DAYS = 7
# Foreign buyers wait for the domestic-first window (at most 72 h by default, black mass).
DOMESTIC_BUY_AFTER = timedelta(hours=2)
FOREIGN_BUY_AFTER = timedelta(days=4)
DEMO_TENDER_JPY_PER_DRY_TONNE = Decimal("650000")


def _number(listing: Listing) -> int | None:
    """n of a catalog demo item "DEMO-<n>-…", else None."""
    item = listing.item
    key = getattr(item, "serial_number", None) or getattr(item, "lot_number", "")
    if listing.listing_type == ListingType.USED_EV:
        key = listing.pack.serial_number
    parts = key.split("-")
    if len(parts) < 2 or parts[0] != "DEMO" or not parts[1].isdigit():
        return None
    return int(parts[1])


def is_sold_in_demo(number: int) -> bool:
    return number % 5 in (1, 2) or number % 10 == 9


def _days_ago(number: int) -> int:
    # Spread over 8..155 days: every tender has closed, every sale is in the past.
    return 8 + (number * 37) % 148


def _buyers(listing: Listing, number: int) -> tuple[str, ...]:
    """Demo usernames in order of preference; the first not in the seller's organisation buys."""
    if listing.listing_type == ListingType.BLACK_MASS:
        return ("refiner_kr", "recycler")
    holder = listing.soh_holder
    if holder is not None and holder.grade == Grade.R:
        return ("recycler", "refiner_kr")
    return ("reuse_de", "reuse") if number % 3 == 0 else ("reuse", "reuse_de")


def _candidates() -> list[Listing]:
    demo_items = (
        Q(pack__serial_number__startswith="DEMO-")
        | Q(module_lot__lot_number__startswith="DEMO-")
        | Q(black_mass_lot__lot_number__startswith="DEMO-")
    )
    return list(
        Listing.objects.filter(demo_items, status=ListingStatus.PUBLISHED, sales__isnull=True)
        .select_related("pack", "vehicle", "module_lot", "black_mass_lot", "created_by")
        .order_by("pk")
    )


def _sell(listing: Listing, buyer: User, *, opened: datetime) -> None:
    from marketplace.trading import services as trading_services

    seller = listing.created_by
    ends_at = opened + timedelta(days=SALE_DAYS)
    foreign = buyer.organisation.country.code != listing.country.code
    acts_at = opened + (FOREIGN_BUY_AFTER if foreign else DOMESTIC_BUY_AFTER)
    if listing.sale_format == SaleFormat.SEALED_TENDER:
        sale = trading_services.sale_open(
            listing=listing, actor=seller, ends_at=ends_at, now=opened
        )
        trading_services.tender_bid_submit(
            sale=sale,
            user=buyer,
            fixed_jpy_per_dry_tonne=DEMO_TENDER_JPY_PER_DRY_TONNE,
            now=acts_at,
        )
        trading_services.sale_close(sale=sale, now=ends_at)
        return
    buy_now = None
    if listing.sale_format == SaleFormat.ENGLISH_AUCTION:
        # 20 % above the start, rounded up to 1,000 JPY: the buyer takes it before any bid.
        buy_now = (listing.price * Decimal("1.2") / 1000).to_integral_value(ROUND_CEILING) * 1000
    sale = trading_services.sale_open(
        listing=listing, actor=seller, ends_at=ends_at, buy_now_price=buy_now, now=opened
    )
    trading_services.sale_buy_now(sale=sale, user=buyer, now=acts_at)


def seed_completed_sales(*, progress: bool = True, now: datetime | None = None) -> int:
    """Sell the chosen demo listings that are still published; return how many were sold."""
    now = now or timezone.now()
    people = {
        user.username: user
        for user in User.objects.filter(
            username__in=("reuse", "reuse_de", "recycler", "refiner_kr"), is_active=True
        ).select_related("organisation")
    }
    if len(people) < 4:
        return 0
    chosen = [
        (listing, number)
        for listing in _candidates()
        if (number := _number(listing)) is not None and is_sold_in_demo(number)
    ]
    for listing, number in tqdm(chosen, desc="completed sales", unit="sale", disable=not progress):
        opened = now - timedelta(days=_days_ago(number))
        buyer = next(
            people[name]
            for name in _buyers(listing, number)
            if people[name].organisation_id != listing.seller_id
        )
        _sell(listing, buyer, opened=opened)
    return len(chosen)
