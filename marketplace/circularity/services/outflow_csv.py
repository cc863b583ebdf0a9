"""The outflow report as CSV rows: the same numbers as the page, units in the headers."""

from collections.abc import Iterator

from marketplace.circularity.services.outflow import OutflowReport

CSV_COLUMNS = (
    ("month", "month (YYYY-MM)"),
    ("country", "country (ISO 3166)"),
    ("region", "region"),
    ("suppressed", "suppressed (fewer than the minimum sales)"),
    ("sales", "sales (count)"),
    ("sales_domestic", "stayed in the country (count)"),
    ("sales_exported", "exported (count)"),
    ("domestic_share_pct", "stayed in the country (% of sales)"),
    ("kwh", "capacity (kWh)"),
    ("kwh_domestic", "capacity stayed (kWh)"),
    ("kwh_exported", "capacity exported (kWh)"),
    ("sales_reuse", "reuse in the country (count)"),
    ("kwh_reuse", "reuse in the country (kWh)"),
    ("sales_recycling", "recycling in the country (count)"),
    ("kwh_recycling", "recycling in the country (kWh)"),
    ("kwh_in_use", "kept in use (kWh, rated x SOH)"),
    ("li_kg", "contained Li (kg)"),
    ("ni_kg", "contained Ni (kg)"),
    ("co_kg", "contained Co (kg)"),
    ("metals_exported_kg", "Li+Ni+Co exported (kg)"),
    ("metal_value_jpy", "Li+Ni+Co value at reference prices (JPY)"),
    ("metal_value_exported_jpy", "value exported (JPY)"),
    ("co2_avoided_kg", "CO2 avoided by reuse (kg CO2e)"),
    ("circularity_index", "circularity index (0-100)"),
)
ALL_REGIONS = "(all regions)"


def csv_rows(report: OutflowReport) -> Iterator[list[str]]:
    """Header, then per month its regions and, where shown, its total; the same numbers as
    the page (suppressed cells are empty)."""
    yield [title for _name, title in CSV_COLUMNS]
    for month in report.months:
        lines = [(r.country, r.region, r.cell) for r in month.regions]
        if month.total_shown:
            lines.append(("", ALL_REGIONS, month.total))
        for country, region, cell in lines:
            data = cell.as_dict()
            data.update(month=month.month.strftime("%Y-%m"), country=country, region=region)
            data["suppressed"] = "yes" if cell.suppressed else "no"
            yield ["" if data[name] is None else str(data[name]) for name, _title in CSV_COLUMNS]
