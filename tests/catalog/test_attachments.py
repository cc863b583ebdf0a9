"""Photos and documents: checked by extension, content and size; served only to those allowed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from marketplace.catalog.models import ListingAttachment
from marketplace.catalog.uploads import DOCUMENT_MAX_BYTES, PHOTO_MAX_BYTES

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _upload(client, listing, kind, name, content):
    return client.post(
        f"/api/v1/listings/{listing.pk}/attachments/",
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def test_seller_adds_an_sds_and_a_photo(authed, seller, seller_draft):
    client = authed(seller)

    sds = _upload(client, seller_draft, "sds", "SDS Leaf pack.pdf", PDF)
    photo = _upload(client, seller_draft, "photo", "pack.webp", WEBP)

    assert sds.status_code == 201, sds.json()
    assert photo.status_code == 201, photo.json()
    assert sds.json()["content_type"] == "application/pdf"
    assert sds.json()["size_bytes"] == len(PDF)
    assert photo.json()["content_type"] == "image/webp"
    assert seller_draft.attachments.count() == 2


@pytest.mark.parametrize(
    ("kind", "name", "content", "message"),
    [
        ("sds", "sds.exe", b"MZ\x90\x00", "Upload a file of type PDF, PNG, JPG, JPEG."),
        ("sds", "sds.pdf", b"MZ\x90\x00 not a pdf", "The file's content is not a PDF file."),
        ("photo", "pack.pdf", PDF, "Upload a file of type PNG, JPG, JPEG, WEBP."),
        (
            "photo",
            "pack.png",
            b"\xff\xd8\xff\xe0 jpeg bytes",
            "The file's content is not a PNG file.",
        ),
        ("photo", "pack.png", PNG + b"\x00" * PHOTO_MAX_BYTES, "The file is larger than 5 MB."),
        (
            "assay_report",
            "a.pdf",
            PDF + b"\x00" * DOCUMENT_MAX_BYTES,
            "The file is larger than 10 MB.",
        ),
    ],
)
def test_wrong_type_or_oversize_files_are_refused(
    authed, seller, seller_draft, tmp_path, kind, name, content, message
):
    response = _upload(authed(seller), seller_draft, kind, name, content)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"file": [message]}
    assert ListingAttachment.objects.count() == 0
    assert list(tmp_path.rglob("*.*")) == []


def test_other_organisation_cannot_upload(authed, outsider, seller_draft):
    response = _upload(authed(outsider), seller_draft, "sds", "sds.pdf", PDF)

    assert response.status_code == 404
    assert ListingAttachment.objects.count() == 0


def test_draft_documents_are_served_only_to_the_seller(authed, seller, outsider, seller_draft):
    created = _upload(authed(seller), seller_draft, "sds", "sds.pdf", PDF).json()
    seller_web, outsider_web, anonymous = Client(), Client(), Client()
    seller_web.force_login(seller)
    outsider_web.force_login(outsider)

    own = seller_web.get(created["download_url"])

    assert own.status_code == 200
    assert b"".join(own.streaming_content) == PDF
    assert own["Content-Type"] == "application/pdf"
    assert outsider_web.get(created["download_url"]).status_code == 404
    assert anonymous.get(created["download_url"]).status_code == 404


def test_public_listing_documents_need_a_login_photos_do_not(authed, seller, seller_draft):
    client = authed(seller)
    sds = _upload(client, seller_draft, "sds", "sds.pdf", PDF).json()
    photo = _upload(client, seller_draft, "photo", "pack.png", PNG).json()
    client.post(f"/api/v1/listings/{seller_draft.pk}/publish/")
    anonymous = Client()

    assert anonymous.get(photo["download_url"]).status_code == 200
    assert anonymous.get(sds["download_url"]).status_code == 404


def test_html_upload_shows_the_error_on_the_form(seller, seller_draft):
    client = Client()
    client.force_login(seller)

    response = client.post(
        f"/catalog/listings/{seller_draft.pk}/attachments/",
        {"kind": "photo", "file": SimpleUploadedFile("pack.jpg", b"GIF89a not jpeg")},
    )

    assert response.status_code == 400
    assert response.context["attachment_form"].errors == {
        "file": ["The file's content is not a JPG file."]
    }
    assert ListingAttachment.objects.count() == 0
