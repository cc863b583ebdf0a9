"""Printable documents (SOH certificates, invoices) as PDF, rendered by WeasyPrint from an HTML
print template that extends `pdf/base.html` (A4, the CJK font first, see `pdf/print.css`).

Fonts are embedded (subset) by WeasyPrint, so a Japanese document reads the same in every
viewer. WeasyPrint is imported when a PDF is asked for, not at start-up: without Pango (a fresh
machine) the rest of the site still runs and a PDF view answers 503 with one readable line.
"""

from __future__ import annotations

import logging
import mimetypes
from typing import TYPE_CHECKING
from urllib.parse import unquote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from marketplace.core.exceptions import DomainError

if TYPE_CHECKING:
    from weasyprint import Document

logger = logging.getLogger(__name__)

# WeasyPrint logs each layout step at INFO; that is noise in a request log. A LOGGING entry
# for this logger in settings still wins.
_progress_logger = logging.getLogger("weasyprint.progress")
if _progress_logger.level == logging.NOTSET:
    _progress_logger.setLevel(logging.WARNING)


class PdfUnavailable(DomainError):
    code = "pdf_unavailable"
    status = 503
    default_message = _(
        "PDF documents cannot be produced on this server right now; the web page shows the "
        "same content."
    )


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        # OSError: the package is there but Pango (a system library) is not.
        logger.error("WeasyPrint cannot be loaded: %s", error)
        raise PdfUnavailable() from error
    return weasyprint


def _url_fetcher(weasyprint, base_url: str):
    """Static files come from the staticfiles finders and data: URIs are decoded; nothing else
    is fetched (no network and no local file from inside a request, whatever a template links).
    """
    static_prefix = base_url.rstrip("/") + "/" + settings.STATIC_URL.lstrip("/")

    class StaticFilesFetcher(weasyprint.urls.URLFetcher):
        def fetch(self, url: str, headers: dict | None = None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(static_prefix):
                path = finders.find(unquote(url.removeprefix(static_prefix).split("?")[0]))
                if path:
                    with open(path, "rb") as handle:
                        body = handle.read()
                    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                    return weasyprint.urls.URLFetcherResponse(
                        url, body, {"Content-Type": content_type}
                    )
            raise ValueError(f"Not fetched while printing: {url}")

    return StaticFilesFetcher(allowed_protocols=("data", "http", "https"))


def render_document(template_name: str, context: dict, *, request: HttpRequest) -> Document:
    """The laid-out document (pages and boxes) in the request's active language."""
    weasyprint = _weasyprint()
    html = render_to_string(template_name, context, request=request)
    base_url = request.build_absolute_uri("/")
    fetcher = _url_fetcher(weasyprint, base_url)
    page = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return page.render()


def render_pdf(template_name: str, context: dict, *, request: HttpRequest) -> bytes:
    """PDF bytes of `template_name`; raises PdfUnavailable without WeasyPrint or Pango."""
    return render_document(template_name, context, request=request).write_pdf()


def pdf_response(
    template_name: str, context: dict, *, request: HttpRequest, filename: str
) -> HttpResponse:
    """For HTML views: the PDF inline, or a one-line 503 when PDFs cannot be made here."""
    try:
        pdf = render_pdf(template_name, context, request=request)
    except PdfUnavailable as error:
        return HttpResponse(
            error.message + "\n", status=error.status, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
