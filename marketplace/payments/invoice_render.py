"""What an invoice shows, once for the HTML page and the PDF: lines, assay figures, totals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from marketplace.payments.choices import InvoiceKind
from marketplace.payments.models import Invoice
from marketplace.payments.pdf import Flow, PdfDocument, plain


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


def invoice_pdf(invoice: Invoice) -> bytes:
    document = PdfDocument(title=invoice.number)
    flow = Flow(document)
    flow.heading(f"{invoice.get_kind_display()} {invoice.number}")
    flow.pairs(header(invoice))
    flow.gap()
    flow.heading(_("Assay"), size=12)
    flow.table(
        [
            _("Element"),
            _("Seller"),
            _("Buyer"),
            _("Difference"),
            _("Limit"),
            _("Umpire"),
            _("Final (%)"),
        ],  # fmt: skip
        [
            [
                r.element,
                r.seller_pct,
                r.buyer_pct,
                r.difference_pct,
                r.limit_pct,
                r.umpire_pct,
                r.final_pct,
            ]  # fmt: skip
            for r in assay_rows(invoice)
        ],
        widths=[60, 65, 65, 70, 60, 65, 110],
    )
    flow.gap()
    flow.heading(_("Lines"), size=12)
    flow.table(line_headers(), line_rows(invoice), widths=[45, 50, 65, 55, 60, 80, 60, 80])
    flow.gap()
    flow.pairs(totals(invoice), size=11)
    return document.render()
