"""Invoice PDFs through the shared WeasyPrint renderer: the assay exchange (each party's figure,
the splitting limit, the rule that decided), the lines and the totals, in the requester's
language with the CJK font embedded; the parties only; a clear 503 without WeasyPrint."""

import sys
from decimal import Decimal

import pytest

from marketplace.payments.invoice_render import plain
from marketplace.payments.models import Invoice
from marketplace.trading import pricing
from tests.payments.support import order_for
from tests.pdf_support import document_text, embedded_font_names, record_documents

pytestmark = pytest.mark.django_db
D = Decimal
CJK_FONT = "Noto-Sans-CJK-JP"


def _final_invoice(order) -> Invoice:
    """The umpire case of test_invoices: Ni went to the umpire (15.20 %), Co and Li are the means.
    Ni 9,600 kg dry × 15.2 % × 80 % × 2,000 = 2,334,720 + Co 2,133,600 + Li 972,000 = 5,440,320
    JPY; the provisional invoice took 5,616,864, so 176,544 JPY goes back to the buyer."""
    assay = {"Ni": "15.20", "Co": "6.35", "Li": "3.75"}
    quote = pricing.quote_black_mass(
        "10000",
        "4",
        assay,
        {"Ni": "80", "Co": "70", "Li": "30"},
        {"Ni": "2000", "Co": "5000", "Li": "9000"},
    )
    return Invoice.objects.create(
        order=order,
        kind="final",
        number=f"INV-{order.pk:06d}-F",
        wet_kg=D("10000"),
        moisture_pct=D("4"),
        dry_kg=quote.dry_kg,
        assay_pct=assay,
        assay_basis={
            "elements": {
                "Ni": {
                    "seller_pct": "17.00",
                    "buyer_pct": "15.00",
                    "difference_pct": "2.00",
                    "splitting_limit_pct": "0.30",
                    "method": "umpire",
                    "umpire_pct": "15.20",
                    "final_pct": "15.20",
                },
                "Co": {
                    "seller_pct": "6.40",
                    "buyer_pct": "6.30",
                    "difference_pct": "0.10",
                    "splitting_limit_pct": "0.15",
                    "method": "mean",
                    "final_pct": "6.35",
                },
            }
        },
        lines=[_stored(line.as_dict()) for line in quote.lines],
        lot_value_jpy=quote.value_jpy,
        share_pct=D("100"),
        invoiced_before_jpy=5616864,
        amount_due_jpy=quote.value_jpy - 5616864,
        terms_version="settlement-test",
    )


def _stored(line: dict) -> dict:
    """A quote line as the invoice stores it: decimals as plain text."""
    return {
        key: value if value is None or isinstance(value, str) else pricing.decimal_text(value)
        for key, value in line.items()
    }


@pytest.fixture
def invoice(seller, buyer) -> Invoice:
    return _final_invoice(order_for(seller, buyer, black_mass_listing=True))


def _rows(document) -> str:
    return " ".join(document_text(document).splitlines())


def test_final_invoice_pdf_shows_the_assay_exchange_lines_and_the_refund(
    client, monkeypatch, invoice, buyer
):
    documents = record_documents(monkeypatch)
    client.force_login(buyer)
    client.cookies["django_language"] = "en"

    response = client.get(f"/payments/invoices/{invoice.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{invoice.number}.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert any(name.endswith(CJK_FONT) for name in embedded_font_names(response.content))
    [document] = documents
    rows = _rows(document)
    assert f"Final invoice {invoice.number}" in rows
    assert "Buyer Kyushu Storage K.K." in rows
    assert "Dry weight 9,600 kg" in rows
    # Ni: 2.00 apart against a limit of 0.30, so the umpire's 15.20 %; Co: the mean of both.
    assert "Ni 17 15 2 0.3 15.2 15.2 umpire decides" in rows
    assert "Co 6.4 6.3 0.1 0.15 — 6.35 mean of both" in rows
    assert "Ni 15.2 1,459.200 80 2,000 2,334,720.00 0.00 2,334,720.00" in rows
    assert "Lot value 5,440,320 JPY" in rows
    assert "Provisionally invoiced 5,616,864 JPY" in rows
    assert "Refund to the buyer 176,544 JPY" in rows
    assert "Amount due" not in rows


def test_japanese_request_gets_japanese_labels_in_the_embedded_cjk_font(
    client, monkeypatch, invoice, seller
):
    documents = record_documents(monkeypatch)
    client.force_login(seller)
    client.cookies["django_language"] = "ja"

    response = client.get(f"/payments/invoices/{invoice.pk}/pdf/")

    assert response.status_code == 200
    rows = _rows(documents[0])
    assert "出品者 Hakata EV" in rows
    assert "買い手 Kyushu Storage K.K." in rows
    assert "乾燥重量 9,600 kg" in rows
    assert f"+{CJK_FONT}" in "".join(embedded_font_names(response.content))


def test_only_the_parties_get_the_pdf(client, invoice, outsider):
    url = f"/payments/invoices/{invoice.pk}/pdf/"

    anonymous = client.get(url)
    client.force_login(outsider)
    stranger = client.get(url)

    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"/accounts/login/?next={url}"
    assert stranger.status_code == 404


def test_without_weasyprint_the_invoice_pdf_answers_503_in_one_line(
    client, monkeypatch, invoice, buyer
):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint → ImportError
    client.force_login(buyer)
    client.cookies["django_language"] = "en"

    response = client.get(f"/payments/invoices/{invoice.pk}/pdf/")
    page = client.get(f"/payments/invoices/{invoice.pk}/")

    assert response.status_code == 503
    assert response.content.decode().count("\n") == 1
    assert response.content.decode().startswith("PDF documents cannot be produced")
    assert page.status_code == 200  # the HTML invoice does not need WeasyPrint


def test_figures_are_grouped_with_trailing_zeros_dropped():
    assert plain("3072000.0000") == "3,072,000"
    assert plain("19.855") == "19.855"
    assert plain(D("1459.2"), places=3) == "1,459.200"
    assert plain(None) == "—"
