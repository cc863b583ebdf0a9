"""What an invoice shows, once for the HTML page and the PDF (`payments/invoice_pdf.html`,
rendered by `marketplace.core.pdf`): lines, assay figures, totals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from marketplace.payments.choices import InvoiceKind
from marketplace.payments.models import Invoice

INVOICE_PDF_TEMPLATE = "payments/invoice_pdf.html"


def plain(value: Decimal | int | str | None, *, places: int | None = None) -> str:
    """Grouped figures, trailing zeros dropped unless ``places`` is given; "—" for none."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value))
    if places is not None:
        return f"{number:,.{places}f}"
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    text = f"{number.normalize():f}"
    whole, _, fraction = text.partition(".")
    return f"{Decimal(whole):,.0f}.{fraction}" if whole not in ("-0",) else f"-0.{fraction}"


@dataclass(frozen=True)
class AssayRow:
    element: str
    seller_pct: str
    buyer_pct: str
    difference_pct: str
    limit_pct: str
    umpire_pct: str
    final_pct: str
    method: str


def assay_rows(invoice: Invoice) -> list[AssayRow]:
    """The exchange per element (final invoice), or the pre-shipment assay (provisional)."""
    if invoice.kind == InvoiceKind.PROVISIONAL:
        return [
            AssayRow(el, "", "", "", "", "", plain(pct), _("pre-shipment assay"))
            for el, pct in invoice.assay_pct.items()
        ]
    methods = {"mean": _("mean of both"), "umpire": _("umpire decides")}
    return [
        AssayRow(
            element,
            plain(row["seller_pct"]),
            plain(row["buyer_pct"]),
            plain(row["difference_pct"]),
            plain(row["splitting_limit_pct"]),
            plain(row.get("umpire_pct")),
            plain(row.get("final_pct")),
            methods.get(row["method"], row["method"]),
        )
        for element, row in sorted(invoice.assay_basis.get("elements", {}).items())
    ]


def line_rows(invoice: Invoice) -> list[list[str]]:
    return [
        [
            line["element"],
            plain(line["assay_pct"]),
            plain(Decimal(line["contained_kg"]), places=3),
            plain(line["payable_pct"]),
            plain(line["price_jpy_per_kg"]),
            plain(Decimal(line["payable_value_jpy"]), places=2),
            plain(Decimal(line["penalty_jpy"]), places=2),
            plain(Decimal(line["value_jpy"]), places=2),
        ]
        for line in invoice.lines
    ]


def line_headers() -> list[str]:
    return [
        _("Element"),
        _("Assay (%)"),
        _("Contained (kg)"),
        _("Payable (%)"),
        _("Price (JPY/kg)"),
        _("Payable value (JPY)"),
        _("Penalty (JPY)"),
        _("Value (JPY)"),
    ]


def totals(invoice: Invoice) -> list[tuple[str, str]]:
    rows = [
        (_("Lot value"), f"{plain(invoice.lot_value_jpy)} JPY"),
        (_("Share invoiced"), f"{plain(invoice.share_pct)} %"),
    ]
    if invoice.kind == InvoiceKind.FINAL:
        rows.append((_("Provisionally invoiced"), f"{plain(invoice.invoiced_before_jpy)} JPY"))
    if invoice.amount_due_jpy >= 0:
        rows.append((_("Amount due from the buyer"), f"{plain(invoice.amount_due_jpy)} JPY"))
    else:
        rows.append((_("Refund to the buyer"), f"{plain(-invoice.amount_due_jpy)} JPY"))
    return rows


def header(invoice: Invoice) -> list[tuple[str, str]]:
    order = invoice.order
    return [
        (_("Invoice number"), invoice.number),
        (_("Issued"), formats.date_format(timezone.localtime(invoice.issued_at), "DATE_FORMAT")),
        (_("Order"), f"#{order.pk}"),
        (_("Lot"), order.listing.title),
        (_("Seller"), order.seller_organisation.legal_name),
        (_("Buyer"), order.buyer_organisation.legal_name),
        (_("Wet weight"), f"{plain(invoice.wet_kg)} kg"),
        (_("Moisture"), f"{plain(invoice.moisture_pct)} %"),
        (_("Dry weight"), f"{plain(invoice.dry_kg)} kg"),
        (_("Terms version"), invoice.terms_version),
    ]


def invoice_context(invoice: Invoice) -> dict:
    """The HTML page's and the PDF's context: one set of figures for both."""
    return {
        "invoice": invoice,
        "header": header(invoice),
        "assay_rows": assay_rows(invoice),
        "line_headers": line_headers(),
        "line_rows": line_rows(invoice),
        "totals": totals(invoice),
    }


def invoice_pdf_filename(invoice: Invoice) -> str:
    return f"{invoice.number}.pdf"
