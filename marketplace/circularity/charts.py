"""Server-rendered stacked bar charts for the outflow dashboard: numbers for an inline SVG.

Same conventions as marketplace/trading/charts.py (fixed canvas, padding, coordinates
pre-formatted so templates never localise them); bars instead of a price line.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 560
HEIGHT = 200
PAD_LEFT = 56
PAD_RIGHT = 12
PAD_TOP = 12
PAD_BOTTOM = 32
# One colour per series, in order: kept (blue), recycled or second (amber), exported (grey).
PALETTE = ("#1f6feb", "#f59e0b", "#9ca3af")


def plain(value: Decimal) -> str:
    """100, 137.5, 0.25: no exponent, no trailing zeros, never localised."""
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class Segment:
    series: str  # CSS class and legend key
    colour: str
    value: Decimal
    x: float
    y: float
    width: float
    height: float

    @property
    def value_label(self) -> str:
        return plain(self.value)

    @property
    def svg(self) -> dict[str, str]:
        return {
            "x": f"{self.x:.1f}",
            "y": f"{self.y:.1f}",
            "width": f"{self.width:.1f}",
            "height": f"{self.height:.1f}",
        }


@dataclass(frozen=True)
class Bar:
    label: str
    label_x: str
    segments: tuple[Segment, ...]
    total: Decimal


@dataclass(frozen=True)
class BarChart:
    title: str
    unit: str
    series: tuple[tuple[str, str], ...]  # (key, legend label)
    bars: tuple[Bar, ...]
    highest: Decimal
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = PAD_LEFT
    plot_right: int = WIDTH - PAD_RIGHT
    plot_top: int = PAD_TOP
    plot_bottom: int = HEIGHT - PAD_BOTTOM
    label_y: int = HEIGHT - PAD_BOTTOM + 16

    @property
    def highest_label(self) -> str:
        return plain(self.highest)

    @property
    def legend(self) -> list[tuple[str, str]]:
        """(label, colour) per series."""
        return [(label, PALETTE[i % len(PALETTE)]) for i, (_key, label) in enumerate(self.series)]

    @property
    def is_empty(self) -> bool:
        return not self.bars or self.highest == 0


def build_stacked_bars(
    *,
    title: str,
    unit: str,
    series: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, Sequence[Decimal]]],
) -> BarChart:
    """One bar per (label, values-per-series) column, stacked bottom-up in series order."""
    highest = max((sum(values, Decimal(0)) for _label, values in columns), default=Decimal(0))
    plot_width = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_width / len(columns) if columns else plot_width
    bar_width = slot * 0.6
    bars = []
    for index, (label, values) in enumerate(columns):
        x = PAD_LEFT + index * slot + (slot - bar_width) / 2
        bottom = float(HEIGHT - PAD_BOTTOM)
        segments = []
        for position, ((key, _legend), value) in enumerate(zip(series, values, strict=True)):
            height = float(value / highest) * plot_height if highest else 0.0
            bottom -= height
            colour = PALETTE[position % len(PALETTE)]
            segments.append(Segment(key, colour, value, x, bottom, bar_width, height))
        bars.append(
            Bar(
                label=label,
                label_x=f"{x + bar_width / 2:.1f}",
                segments=tuple(segments),
                total=sum(values, Decimal(0)),
            )
        )
    return BarChart(title, unit, tuple(series), tuple(bars), highest)
