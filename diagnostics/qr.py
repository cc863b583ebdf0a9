"""QR code of a certificate's public verification URL, drawn on the server as inline SVG
(segno: no JavaScript, no network), for the certificate page and its printout."""

import segno
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe


def verification_url(request, certificate) -> str:
    return request.build_absolute_uri(
        reverse("diagnostics:certificate-verify", args=[certificate.uuid])
    )


def verification_qr_svg(*, url: str, title: str) -> SafeString:
    """An inline <svg> encoding `url`; the URL is also in <desc> for screen readers and tests.
    Error correction M (15 %): certificates are printed and photographed."""
    code = segno.make(url, error="m", micro=False)
    # segno escapes title and desc; the rest is its own markup.
    return mark_safe(  # noqa: S308
        code.svg_inline(scale=3, border=2, title=title, desc=url, svgclass="certificate-qr")
    )
