"""QR codes for passports, drawn on the server as SVG (segno, no JavaScript, no network)."""

import io

import segno


def passport_qr_svg(*, url: str, title: str, scale: int = 3) -> str:
    """An inline <svg> encoding `url`; the URL is also in <desc> for screen readers and tests.

    Error correction M (15 %): the code is printed on labels and photographed in yards.
    """
    code = segno.make(url, error="m", micro=False)
    return code.svg_inline(scale=scale, border=2, title=title, desc=url, svgclass="passport-qr")


def passport_qr_svg_document(*, url: str, title: str, scale: int = 4) -> bytes:
    """A standalone SVG file (with XML declaration and namespace) for download and print."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=scale, border=2, title=title, desc=url
    )
    return buffer.getvalue()
