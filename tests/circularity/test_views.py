"""Passport pages: public view behind the QR code, downloads, and import to a listing."""

import json
import re

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory

from marketplace.catalog.models import Listing
from marketplace.circularity.services import passport_record_ensure
from tests.circularity.test_import import MINIMAL, passport

pytestmark = pytest.mark.django_db

SOH_LABEL = "State of health (SOCE)"


def page_url(record) -> str:
    return f"/circularity/passport/{record.passport_id}/"


def _qr_path(svg: str) -> str:
    return re.search(r' d="([^"]+)"', svg).group(1)


def test_anonymous_visitor_sees_the_public_passport_without_soh(client, pack):
    record = passport_record_ensure(pack=pack)

    response = client.get(page_url(record))

    assert response.status_code == 200
    content = response.content.decode()
    assert "AZE0-000123" in content
    assert "Estimated contained metals" in content
    assert "<td>Electric vehicle battery" in content
    assert "<td>2018-03-01\n" in content
    assert SOH_LABEL not in content
    assert "82.5" not in content
    assert "signed-in members of verified organisations" in content


def test_verified_buyer_sees_the_legitimate_interest_section(client, buyer, pack):
    record = passport_record_ensure(pack=pack)
    client.force_login(buyer)

    content = client.get(page_url(record)).content.decode()

    assert SOH_LABEL in content
    assert "82.5 %" in content
    assert "B2 — stationary storage" in content
    assert "Declared by the seller" in content


def test_unknown_passport_is_not_found(client):
    assert (
        client.get("/circularity/passport/5b6a1f0e-0000-4000-8000-000000000000/").status_code == 404
    )


def test_json_download_follows_the_audience(client, buyer, pack):
    record = passport_record_ensure(pack=pack)
    url = f"{page_url(record)}passport.json"

    anonymous = client.get(url)
    client.force_login(buyer)
    signed_in = client.get(url)

    assert anonymous["Content-Disposition"] == (
        f'attachment; filename="battery-passport-{record.passport_id}.json"'
    )
    assert "batteryCondition" not in json.loads(anonymous.content)["performanceAndDurability"]
    assert json.loads(signed_in.content)["audience"] == "legitimate_interest"


def test_qr_snippet_encodes_the_absolute_public_passport_url(pack):
    request = RequestFactory().get("/catalog/listings/1/")
    template = Template('{% include "circularity/_passport_qr.html" with pack=pack %}')

    html = template.render(Context({"pack": pack, "request": request}))

    record = passport_record_ensure(pack=pack)
    url = f"http://testserver/circularity/passport/{record.passport_id}/"
    assert f"<desc>{url}</desc>" in html
    expected = segno.make(url, error="m", micro=False).svg_inline(scale=3, border=2)
    assert _qr_path(html) == _qr_path(expected)
    assert f'href="/circularity/passport/{record.passport_id}/passport.json"' in html


def test_qr_snippet_renders_nothing_without_a_pack():
    html = Template('{% include "circularity/_passport_qr.html" with pack=None %}').render(
        Context({})
    )

    assert html.strip() == ""


def test_qr_svg_download_points_at_the_passport_page(client, pack):
    record = passport_record_ensure(pack=pack)

    response = client.get(f"{page_url(record)}qr.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    url = f"http://testserver/circularity/passport/{record.passport_id}/"
    assert f"<desc>{url}</desc>" in response.content.decode()


def test_import_page_fills_in_the_listing_form(client, seller):
    client.force_login(seller)
    upload = SimpleUploadedFile("passport.json", json.dumps(MINIMAL).encode())

    response = client.post("/circularity/passport/import/", {"file": upload})

    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="ZE1-PACK-0001"' in content
    assert 'value="AESC NMC532 40 kWh battery pack"' in content
    assert not Listing.objects.exists()


def test_import_page_lists_errors_by_attribute_path(client, seller):
    client.force_login(seller)
    data = passport(performanceAndDurability__batteryTechicalProperties__ratedEnergy=40000)

    response = client.post("/circularity/passport/import/", {"text": json.dumps(data)})

    assert response.status_code == 400
    content = response.content.decode()
    assert "<code>performanceAndDurability.batteryTechicalProperties.ratedEnergy</code>" in content
    assert "it looks like Wh" in content


def test_import_page_refuses_an_unverified_organisation(client, unverified_dealer):
    client.force_login(unverified_dealer)

    assert client.get("/circularity/passport/import/").status_code == 403
    response = client.post("/circularity/passport/import/confirm/", {"title": "x"})
    assert response.status_code == 403
    assert not Listing.objects.exists()


def test_confirming_the_form_saves_a_draft_listing(client, seller):
    client.force_login(seller)
    form = {
        "title": "AESC NMC532 40 kWh battery pack",
        "sale_format": "fixed_price",
        "price": "250000",
        "currency": "JPY",
        "country": "JP",
        "region": "Fukuoka",
        "pack-serial_number": "ZE1-PACK-0001",
        "pack-manufacturer": "AESC",
        "pack-chemistry": "NMC532",
        "pack-rated_capacity_kwh": "40.00",
    }

    response = client.post("/circularity/passport/import/confirm/", form)

    listing = Listing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/catalog/listings/{listing.pk}/"
    assert (listing.status, listing.pack.serial_number) == ("draft", "ZE1-PACK-0001")


def test_mapping_page_lists_every_attribute(client):
    content = client.get("/circularity/passport/mapping/").content.decode()

    assert "generalProductInformation.batteryPassportIdentifier" in content
    assert "materialComposition.x-estimatedContainedMaterials" in content


def test_mapping_document_is_generated_from_the_mapping_file():
    from django.conf import settings

    from marketplace.circularity import mapping_doc

    document = (settings.BASE_DIR / "docs" / "passport-mapping.md").read_text(encoding="utf-8")
    assert document == mapping_doc.render()
