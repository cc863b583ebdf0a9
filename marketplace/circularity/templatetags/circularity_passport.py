"""{% passport_qr pack as passport %}: the passport link and QR code of a pack.

Used by templates/circularity/_passport_qr.html, which the catalog listing page includes.
"""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from marketplace.catalog.models import BatteryPack
from marketplace.circularity import qr, services

register = template.Library()


def absolute(context: template.Context, path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


@register.simple_tag(takes_context=True)
def passport_qr(context: template.Context, pack: BatteryPack | None) -> dict[str, Any] | None:
    if pack is None:
        return None
    record = services.passport_record_ensure(pack=pack)
    page = reverse("circularity:passport-detail", args=[record.passport_id])
    url = absolute(context, page)
    return {
        "record": record,
        "url": url,
        "page": page,
        "json_url": reverse("circularity:passport-json", args=[record.passport_id]),
        "svg_url": reverse("circularity:passport-qr", args=[record.passport_id]),
        "svg": mark_safe(qr.passport_qr_svg(url=url, title=_("Battery passport")).strip()),
    }
