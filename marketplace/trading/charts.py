"""Server-rendered price-history charts: plain numbers for an inline SVG, no JavaScript."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH = 480
HEIGHT = 180
PAD_LEFT = 64
PAD_RIGHT = 12
PAD_TOP = 12
PAD_BOTTOM = 28


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    effective_date: date
    price_jpy_per_kg: Decimal

    # Pre-formatted so templates never localise SVG coordinates ("12,5" would break them).
    @property
    def svg_x(self) -> str:
        return f"{self.x:.1f}"

    @property
    def svg_y(self) -> str:
        return f"{self.y:.1f}"


@dataclass(frozen=True)
class PriceChart:
    element: str
    label: str
    points: tuple[ChartPoint, ...]
    lowest_jpy_per_kg: Decimal | None
    highest_jpy_per_kg: Decimal | None
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = PAD_LEFT
    plot_right: int = WIDTH - PAD_RIGHT
    plot_top: int = PAD_TOP
    plot_bottom: int = HEIGHT - PAD_BOTTOM

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def first_date(self) -> date | None:
        return self.points[0].effective_date if self.points else None

    @property
    def last_date(self) -> date | None:
        return self.points[-1].effective_date if self.points else None


def build_price_chart(
    element: str, label: str, history: Sequence[tuple[date, Decimal]]
) -> PriceChart:
    """Scale (date, price) pairs into the plot area: time on x, price on y (higher is up)."""
    history = sorted(history)
    if not history:
        return PriceChart(element, label, (), None, None)
    first, last = history[0][0], history[-1][0]
    span_days = (last - first).days
    low = min(price for _, price in history)
    high = max(price for _, price in history)
    plot_width = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    points = []
    for on, price in history:
        x_share = (on - first).days / span_days if span_days else 0.5
        y_share = float((price - low) / (high - low)) if high != low else 0.5
        points.append(
            ChartPoint(
                x=PAD_LEFT + x_share * plot_width,
                y=PAD_TOP + (1 - y_share) * plot_height,
                effective_date=on,
                price_jpy_per_kg=price,
            )
        )
    return PriceChart(element, label, tuple(points), low, high)
