"""The circularity score of a completed sale, and its sum per buying organisation.

Formula and weights: reference.yaml ``circularity_score`` (a platform proposal, versioned);
the figures come from services.outflow so the score, the dashboard and the CSV agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from marketplace.circularity import reference
from marketplace.circularity.services.outflow import (
    Cell,
    OutflowFilters,
    PriceBook,
    SaleFigures,
    completed_orders,
    figures_of,
    sale_figures,
)
from marketplace.trading.choices import OrderStatus
from marketplace.trading.models import Order


def order_circularity(order: Order, *, prices: PriceBook | None = None) -> SaleFigures | None:
    """The figures and score of one order; None for a cancelled order (no completed sale).

    Pass ``prices`` when scoring many orders, to load the reference prices once."""
    if order.status == OrderStatus.CANCELLED:
        return None
    return sale_figures(order, prices or PriceBook.load())


@dataclass(frozen=True)
class OrganisationCircularity:
    organisation_id: int
    purchases: Cell
    reference_version: str

    def as_dict(self) -> dict[str, object]:
        cell = self.purchases
        return {
            "organisation": self.organisation_id,
            "sales": cell.sales,
            "sales_reuse": cell.sales_reuse,
            "sales_recycling": cell.sales_recycling,
            "sales_exported": cell.sales_exported,
            "kwh": str(cell.kwh),
            "kwh_in_use": str(cell.kwh_in_use),
            "co2_avoided_kg": str(cell.co2_avoided_kg),
            "mean_score": None if cell.mean_score is None else str(cell.mean_score),
            "circularity_index": (
                None if cell.circularity_index is None else str(cell.circularity_index)
            ),
            "reference_version": self.reference_version,
        }


def organisation_circularity(
    *, organisation_id: int, filters: OutflowFilters | None = None
) -> OrganisationCircularity:
    """Everything the organisation bought (completed sales), summed: what it kept in use."""
    orders = completed_orders(filters or OutflowFilters()).filter(
        buyer_organisation_id=organisation_id
    )
    purchases = Cell()
    for sale in figures_of(orders):
        purchases.add(sale)
    return OrganisationCircularity(
        organisation_id=organisation_id,
        purchases=purchases,
        reference_version=reference.reference().version,
    )
