"""The printable SOH certificate: a WeasyPrint PDF for whoever may see the certificate, in
their language, with the CJK font embedded and the QR code of the public verification URL;
a clear 503 when the machine cannot make PDFs."""

import builtins
import sys

from diagnostics import services
from diagnostics.models import SohCertificate
from marketplace.accounts.choices import Role, VerificationStatus
from marketplace.catalog.choices import ListingStatus
from tests.diagnostics.conftest import issue
from tests.factories import UserFactory
from tests.pdf_support import document_text, embedded_font_names, image_boxes, record_documents

API = "/api/v1/diagnostics/certificates/"
CJK_FONT = "Noto-Sans-CJK-JP"


def _pdf_url(certificate) -> str:
    return f"/diagnostics/certificates/{certificate.uuid}/pdf/"


def _rows(text: str) -> str:
    """The laid-out lines joined with spaces: a label and its value read "Status Issued"."""
    return " ".join(text.splitlines())


def _in_english(client):
    client.cookies["django_language"] = "en"


def test_owner_downloads_the_certificate_with_its_figures_hash_and_qr_url(
    client, monkeypatch, provider, full_discharge, pack, seller
):
    certificate = issue(provider, full_discharge, pack)
    documents = record_documents(monkeypatch)
    client.force_login(seller)
    _in_english(client)

    response = client.get(_pdf_url(certificate))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'inline; filename="soh-certificate-{certificate.uuid}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    assert any(name.endswith(CJK_FONT) for name in embedded_font_names(response.content))
    [document] = documents
    text = document_text(document)
    rows = _rows(text)
    stored = SohCertificate.objects.get()
    assert len(document.pages) == 1
    assert f"Certificate number {stored.uuid}" in rows
    assert "Status Issued" in rows
    assert "Provider Kyushu Battery Lab" in rows
    assert f"Serial number / pack ID {pack.serial_number}" in rows
    # 34 kWh measured on the 40 kWh pack: SOH_E 85 %, full discharge u95 = 2 pp.
    assert "Headline SOH 85.00 % (83.00–87.00 %, SOH_E)" in rows
    assert "Method Full discharge capacity test (Hioki BT4560)" in rows
    assert "Uncertainty (u95) ± 2.00 pp" in rows
    assert "Grade A EV reuse" in rows
    assert "Safety findings none" in rows
    assert "Measured energy (kWh) 34.000" in rows
    assert "Odometer (km) 60000" in rows
    # Long values wrap inside their cell; read them with the line breaks taken out.
    unwrapped = text.replace("\n", "")
    assert f"Content hash (SHA-256){stored.content_sha256}" in unwrapped
    verify_url = f"http://testserver/diagnostics/certificates/{stored.uuid}/verify/"
    assert verify_url in unwrapped
    [qr_code] = image_boxes(document)
    assert (type(qr_code.replacement).__name__, round(qr_code.width)) == ("SVGImage", 129)  # 34 mm


def test_japanese_request_gets_japanese_text_in_the_embedded_cjk_font(
    client, monkeypatch, provider, full_discharge, pack, buyer
):
    certificate = issue(provider, full_discharge, pack)
    documents = record_documents(monkeypatch)
    client.force_login(buyer)
    client.cookies["django_language"] = "ja"

    response = client.get(_pdf_url(certificate))

    assert response.status_code == 200
    rows = _rows(document_text(documents[0]))
    assert "SOH 証明書" in rows
    assert "事業者 Kyushu Battery Lab" in rows
    assert f"+{CJK_FONT}" in "".join(embedded_font_names(response.content))


def test_revoked_certificate_prints_its_status_and_safety_findings(
    api_client, monkeypatch, provider, full_discharge, pack
):
    certificate = issue(provider, full_discharge, pack, safety_flags=("swelling",))
    services.certificate_revoke(actor=provider, certificate=certificate, reason="Wrong pack")
    documents = record_documents(monkeypatch)
    api_client.force_authenticate(provider)

    response = api_client.get(f"{API}{certificate.uuid}/pdf/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    rows = _rows(document_text(documents[0]))
    assert "This certificate has been revoked by its provider or the platform." in rows
    assert "Status Revoked" in rows
    assert "Safety findings Swelling" in rows
    assert "Grade R recycling" in rows


def test_the_certificate_page_links_the_pdf_and_the_public_page_does_not(
    client, provider, full_discharge, pack, seller
):
    certificate = issue(provider, full_discharge, pack)
    client.force_login(seller)

    detail = client.get(f"/diagnostics/certificates/{certificate.uuid}/").content.decode()
    client.logout()
    public = client.get(f"/diagnostics/certificates/{certificate.uuid}/verify/").content.decode()

    assert f'href="{_pdf_url(certificate)}"' in detail
    assert "/pdf/" not in public


# --- Who may download -------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)

    response = client.get(_pdf_url(certificate))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={_pdf_url(certificate)}"


def test_anonymous_api_callers_get_401_in_json(api_client, provider, full_discharge, pack):
    certificate = issue(provider, full_discharge, pack)

    response = api_client.get(f"{API}{certificate.uuid}/pdf/")

    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_who_cannot_see_the_certificate_cannot_download_it(
    client, api_client, provider, full_discharge, listing, seller, buyer
):
    certificate = issue(provider, full_discharge, listing.pack)
    listing.status = ListingStatus.DRAFT
    listing.save()
    unverified = UserFactory(
        role=Role.REUSE_MAKER, organisation__verification_status=VerificationStatus.PENDING
    )

    def page_status(user) -> int:
        client.force_login(user)
        return client.get(_pdf_url(certificate)).status_code

    api_client.force_authenticate(buyer)
    api_response = api_client.get(f"{API}{certificate.uuid}/pdf/")

    assert [page_status(buyer), page_status(unverified)] == [404, 404]
    assert api_response.status_code == 404
    assert api_response.json()["error"]["code"] == "not_found"


# --- Without WeasyPrint or Pango ---------------------------------------------------------


def test_without_weasyprint_the_page_answers_503_in_one_line(
    client, monkeypatch, provider, full_discharge, pack, seller
):
    certificate = issue(provider, full_discharge, pack)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint → ImportError
    client.force_login(seller)
    _in_english(client)

    response = client.get(_pdf_url(certificate))

    assert response.status_code == 503
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "PDF documents cannot be produced on this server right now; the web page shows the "
        "same content.\n"
    )


def test_without_pango_the_api_answers_503_with_the_error_shape(
    api_client, monkeypatch, provider, full_discharge, pack, seller
):
    certificate = issue(provider, full_discharge, pack)
    real_import = builtins.__import__

    def import_without_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': No such file or directory")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", import_without_pango)
    api_client.force_authenticate(seller)

    response = api_client.get(f"{API}{certificate.uuid}/pdf/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "pdf_unavailable"
