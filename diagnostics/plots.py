"""Server-rendered SVG geometry for the forecast plot (no JavaScript, no CDN).

The view passes this to templates/diagnostics/_forecast_plot.svg.html; all numbers are
pre-formatted strings so the template only places them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
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


# --- SOH history of one pack -----------------------------------------------------------

DAYS_PER_YEAR = 365


@dataclass(frozen=True)
class HistoryPoint:
    x: str
    y: str
    y_low: str
    y_high: str
    cap_left: str
    cap_right: str
    status: str
    label: str


@dataclass(frozen=True)
class HistoryPlot:
    width: int
    height: int
    left: int
    right_edge: int
    top: int
    bottom_edge: int
    points: list[HistoryPoint]
    forecast_points: str
    line_70_y: str
    line_60_y: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]


def history_plot(certificates, forecast: tuple[date, list[tuple[int, Decimal]]] | None):
    """Each certificate as a point with its 95 % band as an error bar, dated by its test;
    the forecast line starts at the latest valid test. `certificates` oldest first."""
    first = certificates[0].tested_on
    last = max(item.tested_on for item in certificates)
    if forecast is not None:
        start, curve = forecast
        last = max(last, start + timedelta(days=curve[-1][0] * DAYS_PER_YEAR))
    span_days = max((last - first).days, DAYS_PER_YEAR)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    soh_top = max([SOH_TOP] + [item.soh_high_pct for item in certificates])

    def x(day: date) -> Decimal:
        return Decimal(LEFT) + Decimal(plot_width) * (day - first).days / span_days

    def y(soh: Decimal) -> Decimal:
        clamped = max(min(soh, soh_top), SOH_BOTTOM)
        return Decimal(TOP) + Decimal(plot_height) * (soh_top - clamped) / (soh_top - SOH_BOTTOM)

    points = [
        HistoryPoint(
            x=_fmt(x(item.tested_on)),
            y=_fmt(y(item.soh_pct)),
            y_low=_fmt(y(item.soh_low_pct)),
            y_high=_fmt(y(item.soh_high_pct)),
            cap_left=_fmt(x(item.tested_on) - 4),
            cap_right=_fmt(x(item.tested_on) + 4),
            status=item.status,
            label=f"{item.tested_on.isoformat()}: {item.soh_pct} % "
            f"({item.soh_low_pct}–{item.soh_high_pct} %), {item.method_code}",
        )
        for item in certificates
    ]
    forecast_points = ""
    if forecast is not None:
        start, curve = forecast
        forecast_points = " ".join(
            f"{_fmt(x(start + timedelta(days=year * DAYS_PER_YEAR)))},{_fmt(y(soh))}"
            for year, soh in curve
        )
    years = range(first.year + 1, last.year + 1)
    step = max(1, len(years) // 8 + 1)
    return HistoryPlot(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right_edge=WIDTH - RIGHT,
        top=TOP,
        bottom_edge=HEIGHT - BOTTOM,
        points=points,
        forecast_points=forecast_points,
        line_70_y=_fmt(y(Decimal(70))),
        line_60_y=_fmt(y(Decimal(60))),
        x_ticks=[Tick(_fmt(x(date(year, 1, 1))), str(year)) for year in years[::step]],
        y_ticks=[
            Tick(_fmt(y(Decimal(level))), str(level)) for level in (40, 50, 60, 70, 80, 90, 100)
        ],
    )
