"""Server-rendered SVG geometry for the forecast plot (no JavaScript, no CDN).

The view passes this to templates/diagnostics/_forecast_plot.svg.html; all numbers are
pre-formatted strings so the template only places them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 520
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 32
SOH_TOP = Decimal(100)
SOH_BOTTOM = Decimal(40)
MIN_YEARS, MAX_YEARS = 5, 30


@dataclass(frozen=True)
class Tick:
    position: str
    label: str


@dataclass(frozen=True)
class ForecastPlot:
    width: int
    height: int
    left: int
    right_edge: int
    top: int
    bottom_edge: int
    points: str
    line_70_y: str
    line_60_y: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    start_label: str


def plot_years(years_to_60_pct: Decimal | None) -> int:
    """Show the curve until a little after it crosses 60 %, within 5 to 30 years."""
    if years_to_60_pct is None:
        return MAX_YEARS
    return max(MIN_YEARS, min(MAX_YEARS, int(years_to_60_pct) + 2))


def forecast_plot(curve: list[tuple[int, Decimal]]) -> ForecastPlot:
    until = curve[-1][0] or 1
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    soh_top = max([SOH_TOP] + [soh for _, soh in curve])

    def x(year: int) -> Decimal:
        return Decimal(LEFT) + Decimal(plot_width) * year / until

    def y(soh: Decimal) -> Decimal:
        clamped = max(min(soh, soh_top), SOH_BOTTOM)
        return Decimal(TOP) + Decimal(plot_height) * (soh_top - clamped) / (soh_top - SOH_BOTTOM)

    step = 1 if until <= 10 else 5
    return ForecastPlot(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right_edge=WIDTH - RIGHT,
        top=TOP,
        bottom_edge=HEIGHT - BOTTOM,
        points=" ".join(f"{_fmt(x(year))},{_fmt(y(soh))}" for year, soh in curve),
        line_70_y=_fmt(y(Decimal(70))),
        line_60_y=_fmt(y(Decimal(60))),
        x_ticks=[Tick(_fmt(x(year)), str(year)) for year in range(0, until + 1, step)],
        y_ticks=[
            Tick(_fmt(y(Decimal(level))), str(level)) for level in (40, 50, 60, 70, 80, 90, 100)
        ],
        start_label=str(curve[0][1]),
    )


def _fmt(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1")))
