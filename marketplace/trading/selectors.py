"""Reads for reference prices. Prices are public to every signed-in member: no ownership filter."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from marketplace.trading.models import ReferencePrice


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
