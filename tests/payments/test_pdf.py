"""The hand-written PDF is a well-formed PDF 1.4 file whose text is what the invoice says."""

import re

from marketplace.payments.pdf import Flow, PdfDocument, plain, text_width


def _texts(pdf: bytes) -> list[str]:
    return [
        bytes.fromhex(hex_text.decode()).decode("utf-16-be")
        for hex_text in re.findall(rb"<([0-9A-F]+)> Tj", pdf)
    ]


def _check_structure(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-1.4\n")
    assert pdf.endswith(b"%%EOF\n")
    startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF", pdf).group(1))
    assert pdf[startxref:].startswith(b"xref\n")
    count = int(re.match(rb"xref\n0 (\d+)\n", pdf[startxref:]).group(1))
    offsets = re.findall(rb"(\d{10}) 00000 n ", pdf[startxref:])
    assert len(offsets) == count - 1
    for number, offset in enumerate(offsets, start=1):
        assert pdf[int(offset) :].startswith(f"{number} 0 obj\n".encode())
    for match in re.finditer(rb"<< /Length (\d+) >>\nstream\n", pdf):
        end = match.end() + int(match.group(1))
        assert pdf[end : end + len(b"\nendstream")] == b"\nendstream"


def test_japanese_and_latin_text_round_trip_through_a_valid_file():
    document = PdfDocument(title="仮請求書")
    flow = Flow(document)
    flow.heading("仮請求書 INV-000001-P")
    flow.pairs([("買い手", "九州ストレージ株式会社"), ("Amount due", "5,616,864 JPY")])

    pdf = document.render()

    _check_structure(pdf)
    assert _texts(pdf) == [
        "仮請求書 INV-000001-P",
        "買い手",
        "九州ストレージ株式会社",
        "Amount due",
        "5,616,864 JPY",
    ]
    assert b"/Encoding /UniJIS-UCS2-H" in pdf


def test_a_long_table_flows_onto_more_pages():
    document = PdfDocument()
    flow = Flow(document)
    flow.table(["Element", "Value"], [[f"row {n}", str(n)] for n in range(120)], widths=[60, 80])

    pdf = document.render()

    _check_structure(pdf)
    assert b"/Count 3" in pdf
    assert len(_texts(pdf)) == 2 * 121  # header and rows, two cells each


def test_figures_are_grouped_and_right_aligned_by_their_width():
    assert plain("3072000.0000") == "3,072,000"
    assert plain("19.855") == "19.855"
    assert plain(None) == "—"
    assert text_width("12,345", 10) == 30  # six half-width characters of 5 points
    assert text_width("仮", 10) == 10
