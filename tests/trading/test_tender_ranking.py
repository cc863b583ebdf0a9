"""Sealed-tender evaluation: fixed price per dry tonne or payables, ranked by value."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from marketplace.trading.pricing import (
    LotAssay,
    QuoteInputError,
    TenderBid,
    rank_tender_bids,
    tender_bid_value,
)

# 10 t wet at 4 % moisture = 9,600 kg dry; Ni 20 % = 1,920 kg, Co 8 % = 768 kg, Li 4 % = 384 kg.
LOT = LotAssay(
    wet_kg=Decimal("10000"),
    moisture_pct=Decimal("4"),
    assay_pct={"Ni": Decimal("20"), "Co": Decimal("8"), "Li": Decimal("4"), "Cu": Decimal("3")},
)
PRICES = {"Ni": Decimal("2300"), "Co": Decimal("5000"), "Li": Decimal("9600")}


def at(minute: int) -> datetime:
    return datetime(2026, 11, 20, 9, minute, tzinfo=UTC)


def test_fixed_bid_is_price_per_dry_tonne_times_dry_tonnes():
    bid = TenderBid(reference="A", submitted_at=at(0), fixed_jpy_per_dry_tonne=Decimal("512345.5"))

    value, quote = tender_bid_value(bid, LOT, PRICES)

    # 9.6 dmt × 512,345.5 = 4,918,516.8 → 4,918,517
    assert value == 4918517
    assert quote is None


def test_payables_bid_is_valued_at_the_lot_assay_with_its_own_penalties():
    bid = TenderBid(
        reference="B",
        submitted_at=at(0),
        payables_pct={"Ni": Decimal("72"), "Co": Decimal("72"), "Li": Decimal("4")},
        penalties=[{"element": "Cu", "threshold_pct": 2, "jpy_per_dry_tonne_per_pct_over": 20000}],
    )

    value, quote = tender_bid_value(bid, LOT, PRICES)

    # Ni 1,920 × 72 % × 2,300 = 3,179,520; Co 768 × 72 % × 5,000 = 2,764,800;
    # Li 384 × 4 % × 9,600 = 147,456; Cu 1 point over: 9.6 × 1 × 20,000 = 192,000 deducted.
    assert value == 3179520 + 2764800 + 147456 - 192000
    assert quote is not None
    assert quote.dry_kg == Decimal("9600")


def test_ranks_by_value_descending_and_a_tie_goes_to_the_earlier_bid():
    # 5,779,200 JPY as payables: Ni 1,920 × 70 % × 2,300 + Co 768 × 70 % × 5,000 …
    payables = TenderBid(
        reference="payables-late",
        submitted_at=at(30),
        payables_pct={"Ni": Decimal("70"), "Co": Decimal("70")},
    )
    # … and exactly the same as a fixed price, submitted earlier: 9.6 dmt × 602,000.
    fixed_same_earlier = TenderBid(
        reference="fixed-early", submitted_at=at(10), fixed_jpy_per_dry_tonne=Decimal("602000")
    )
    low = TenderBid(reference="low", submitted_at=at(1), fixed_jpy_per_dry_tonne=Decimal("500000"))
    high = TenderBid(reference="high", submitted_at=at(59), fixed_jpy_per_dry_tonne=Decimal("7e5"))

    ranked = rank_tender_bids([payables, low, high, fixed_same_earlier], LOT, PRICES)

    assert [(r.rank, r.bid.reference, r.value_jpy) for r in ranked] == [
        (1, "high", 6720000),
        (2, "fixed-early", 5779200),
        (3, "payables-late", 5779200),
        (4, "low", 4800000),
    ]


def test_refuses_a_bid_that_is_both_or_neither():
    both = TenderBid(
        reference="x",
        submitted_at=at(0),
        fixed_jpy_per_dry_tonne=Decimal("1"),
        payables_pct={"Ni": Decimal("70")},
    )
    neither = TenderBid(reference="y", submitted_at=at(0))

    for bid in (both, neither):
        with pytest.raises(QuoteInputError):
            tender_bid_value(bid, LOT, PRICES)


def test_payables_bid_needs_a_snapshotted_price_for_each_of_its_elements():
    bid = TenderBid(reference="z", submitted_at=at(0), payables_pct={"Mn": Decimal("10")})

    with pytest.raises(QuoteInputError) as raised:
        tender_bid_value(bid, LOT, PRICES)

    assert list(raised.value.fields) == ["prices_jpy_per_kg.Mn"]
