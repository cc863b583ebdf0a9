"""Invoice PDFs without a PDF library: a small PDF 1.4 writer and the invoice layout.

The project pins no PDF package (requirements.txt), and invoices are text and rules only, so a
hand-written PDF is enough. Text uses one font for Latin and Japanese alike: Adobe's standard
Japanese font HeiseiKakuGo-W5 through the predefined UniJIS-UCS2-H CMap (text as UTF-16BE). Like
the 14 standard Latin fonts, it is not embedded: every conforming reader (Acrobat, pdf.js,
Preview, poppler with its CJK data) supplies it. ASCII maps to the proportional Latin CIDs 1-95,
which are declared 500 units wide here, so figures line up and right-align exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN = 50
FONT_RESOURCE = "F1"


def text_width(text: str, size: float) -> float:
    """Half-width (ASCII) characters are 500/1000 em wide, all others a full em."""
    return sum(0.5 if ord(char) < 128 else 1.0 for char in text) * size


def _hex_utf16(text: str) -> str:
    # UCS-2: characters outside the Basic Multilingual Plane have no CID; show a placeholder.
    safe = "".join(char if ord(char) <= 0xFFFF else "?" for char in text)
    return safe.encode("utf-16-be").hex().upper()


@dataclass
class PdfDocument:
    """Pages of positioned text and rules, written as one PDF 1.4 file."""

    title: str = ""
    pages: list[list[str]] = field(default_factory=list)

    def new_page(self) -> None:
        self.pages.append([])

    def text(self, x: float, y: float, text: str, *, size: float = 10, right: bool = False):
        if right:
            x -= text_width(text, size)
        self.pages[-1].append(
            f"BT /{FONT_RESOURCE} {size:g} Tf {x:.2f} {y:.2f} Td <{_hex_utf16(text)}> Tj ET"
        )

    def rule(self, x1: float, y1: float, x2: float, y2: float, *, width: float = 0.5) -> None:
        self.pages[-1].append(f"{width:g} w {x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l S")

    def render(self) -> bytes:
        objects: list[bytes] = []

        def add(body: str | bytes) -> int:
            objects.append(body.encode("latin-1") if isinstance(body, str) else body)
            return len(objects)

        catalog = add("")  # filled in below, once the page tree's number is known
        pages_id = add("")
        descriptor = add(
            "<< /Type /FontDescriptor /FontName /HeiseiKakuGo-W5 /Flags 4 "
            "/FontBBox [-92 -250 1010 922] /ItalicAngle 0 /Ascent 752 /Descent -221 "
            "/CapHeight 737 /StemV 114 >>"
        )
        cid_font = add(
            "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiKakuGo-W5 "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> "
            f"/FontDescriptor {descriptor} 0 R /DW 1000 /W [1 95 500 231 632 500] >>"
        )
        font = add(
            "<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiKakuGo-W5-UniJIS-UCS2-H "
            f"/Encoding /UniJIS-UCS2-H /DescendantFonts [{cid_font} 0 R] >>"
        )
        page_ids = []
        for operations in self.pages:
            stream = "\n".join(operations).encode("latin-1")
            content = add(
                f"<< /Length {len(stream)} >>\nstream\n".encode("latin-1") + stream + b"\nendstream"
            )
            page_ids.append(
                add(
                    f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {PAGE_WIDTH} "
                    f"{PAGE_HEIGHT}] /Resources << /Font << /{FONT_RESOURCE} {font} 0 R >> >> "
                    f"/Contents {content} 0 R >>"
                )
            )
        kids = " ".join(f"{page} 0 R" for page in page_ids)
        objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode("latin-1")
        objects[pages_id - 1] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode(
            "latin-1"
        )
        info = add(f"<< /Title <FEFF{_hex_utf16(self.title)}> /Producer (Battery Market) >>")

        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode("latin-1") + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("latin-1")
        for offset in offsets:
            out += f"{offset:010d} 00000 n \n".encode("latin-1")
        out += (
            f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R /Info {info} 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n"
        ).encode("latin-1")
        return bytes(out)


class Flow:
    """Writes rows top to bottom, starting a new page when one is full."""

    def __init__(self, document: PdfDocument, *, line_height: float = 14):
        self.document = document
        self.line_height = line_height
        self.document.new_page()
        self.y = PAGE_HEIGHT - MARGIN

    def _room(self, height: float) -> None:
        if self.y - height < MARGIN:
            self.document.new_page()
            self.y = PAGE_HEIGHT - MARGIN

    def heading(self, text: str, *, size: float = 16) -> None:
        self._room(size * 1.6)
        self.y -= size
        self.document.text(MARGIN, self.y, text, size=size)
        self.y -= size * 0.6

    def pairs(self, rows: Iterable[tuple[str, str]], *, size: float = 10) -> None:
        for label, value in rows:
            self._room(self.line_height)
            self.y -= self.line_height
            self.document.text(MARGIN, self.y, label, size=size)
            self.document.text(MARGIN + 170, self.y, value, size=size)

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[str]],
        *,
        widths: Sequence[float],
        size: float = 8.5,
    ) -> None:
        """Columns of the given widths; the first is left-aligned, the rest right-aligned."""

        def row(cells: Sequence[str]) -> None:
            self._room(self.line_height)
            self.y -= self.line_height
            x = MARGIN
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True)):
                if index == 0:
                    self.document.text(x, self.y, cell, size=size)
                else:
                    self.document.text(x + width - 4, self.y, cell, size=size, right=True)
                x += width

        self.y -= 6
        row(headers)
        self.document.rule(MARGIN, self.y - 4, MARGIN + sum(widths), self.y - 4)
        self.y -= 4
        for cells in rows:
            row(cells)

    def gap(self, height: float = 8) -> None:
        self.y -= height


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
