"""Reading back the PDFs the app makes, without a PDF reader (none is installed): the text
WeasyPrint laid out on the pages the PDF was written from, and the names of the fonts the PDF
file embeds (found in its Flate-compressed streams)."""

import re
import zlib

from weasyprint import Document
from weasyprint.formatting_structure.boxes import ReplacedBox, TextBox

from marketplace.core import pdf as core_pdf


def record_documents(monkeypatch) -> list[Document]:
    """Make `render_document` keep each document it lays out, so a test can read the text of
    the very render its view turned into PDF bytes (one render per test)."""
    documents: list[Document] = []
    render_document = core_pdf.render_document

    def recording(*args, **kwargs) -> Document:
        document = render_document(*args, **kwargs)
        documents.append(document)
        return document

    monkeypatch.setattr(core_pdf, "render_document", recording)
    return documents


def document_text(document: Document) -> str:
    """The text of every page, one line of text per line, words as laid out."""
    lines: list[str] = []

    def walk(box, line: list[str]) -> None:
        if isinstance(box, TextBox):
            line.append(box.text)
        for child in getattr(box, "children", ()):
            if type(child).__name__ == "LineBox":
                child_line: list[str] = []
                walk(child, child_line)
                lines.append("".join(child_line))
            else:
                walk(child, line)

    for page in document.pages:
        walk(page._page_box, [])
    return "\n".join(lines)


def embedded_font_names(pdf: bytes) -> set[str]:
    """BaseFont/FontName values, from the plain file and from its compressed object streams."""
    chunks = [pdf]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            chunks.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue  # not Flate, or binary data that only looked like a stream
    pattern = rb"/(?:BaseFont|FontName)\s*/([A-Za-z0-9+\-_]+)"
    return {name.decode() for chunk in chunks for name in re.findall(pattern, chunk)}


def image_boxes(document: Document) -> list:
    """The images laid out (inline SVG such as a QR code, or <img>), in page order."""
    found = []

    def walk(box) -> None:
        if isinstance(box, ReplacedBox):
            found.append(box)
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return found
