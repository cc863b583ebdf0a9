"""The printable SOH certificate: what its PDF shows, for the HTML and the API front doors.

The PDF is for those who may see the certificate (the same check as its page); the public
verification page stays HTML only and shows no measurements.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _

from diagnostics import qr, selectors
from diagnostics.content import CONDITION_FIELDS, MEASURED_FIELDS
from diagnostics.forms import SAFETY_FLAG_LABELS
from diagnostics.models import SohCertificate
from diagnostics.reference import reference_data

CERTIFICATE_PDF_TEMPLATE = "diagnostics/certificate_pdf.html"


def certificate_pdf_filename(certificate: SohCertificate) -> str:
    return f"soh-certificate-{certificate.uuid}.pdf"


def certificate_pdf_context(*, request: HttpRequest, certificate: SohCertificate) -> dict:
    """Everything the print template needs; `certificate` was loaded for `request.user`."""
    url = qr.verification_url(request, certificate)
    method = reference_data().methods.get(certificate.method_code)
    return {
        "certificate": certificate,
        "pack": certificate.pack,
        "module_lot": certificate.module_lot,
        "method_name": method.name if method is not None else certificate.method_code,
        "verification": selectors.certificate_verification(certificate=certificate),
        "verification_url": url,
        "verification_qr": qr.verification_qr_svg(url=url, title=_("Verify this certificate")),
        "measured": _rows(certificate, MEASURED_FIELDS),
        "conditions": _rows(certificate, CONDITION_FIELDS),
        "flag_labels": [SAFETY_FLAG_LABELS.get(flag, flag) for flag in certificate.safety_flags],
    }


def _rows(certificate: SohCertificate, names: tuple[str, ...]) -> list[tuple[str, object]]:
    """(label, value) for each field the provider filled in, in the content's order."""
    rows = []
    for name in names:
        value = getattr(certificate, name)
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            value = _("yes") if value else _("no")
        rows.append((certificate._meta.get_field(name).verbose_name, value))
    return rows
