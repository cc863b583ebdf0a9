"""Stacked bars for the dashboard: plain numbers scaled into the plot area."""

from decimal import Decimal

from marketplace.circularity.charts import HEIGHT, PAD_BOTTOM, PAD_TOP, build_stacked_bars

D = Decimal


def test_the_tallest_bar_fills_the_plot_and_segments_stack_bottom_up():
    chart = build_stacked_bars(
        title="kWh",
        unit="kWh",
        series=(("domestic", "stayed"), ("exported", "exported")),
        columns=[("2026-03", (D("60"), D("40"))), ("2026-04", (D("25"), D("25")))],
    )

    march, april = chart.bars
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    assert chart.highest_label == "100"
    assert march.segments[0].height == 0.6 * plot_height
    assert march.segments[1].y == PAD_TOP  # 60 + 40 reaches the top
    assert april.total == D("50")
    assert april.segments[1].svg["y"] == f"{HEIGHT - PAD_BOTTOM - 0.5 * plot_height:.1f}"
    assert [colour for _label, colour in chart.legend] == ["#1f6feb", "#f59e0b"]


def test_no_sales_gives_an_empty_chart():
    chart = build_stacked_bars(title="kWh", unit="kWh", series=(("a", "a"),), columns=[])

    assert chart.is_empty
