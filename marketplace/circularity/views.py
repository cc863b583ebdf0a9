"""Passport pages: the public view behind the QR code, downloads, and import to a listing.

The same selectors and services as the API. The passport page is open to anyone holding
the passport identifier; what it shows depends on who asks (selectors.audience_for).
"""

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marketplace.accounts.services import ensure_can_trade
from marketplace.catalog import services as catalog_services
from marketplace.catalog.choices import ListingType
from marketplace.catalog.forms import ListingForm, PackForm
from marketplace.catalog.models import BatteryPack
from marketplace.circularity import qr, reference, selectors, services
from marketplace.circularity.forms import PassportUploadForm
from marketplace.circularity.labels import ATTRIBUTE_LABELS, GROUP_TITLES
from marketplace.circularity.reference import EXTENSION_GROUP, LEGITIMATE_INTEREST, PUBLIC
from marketplace.core.exceptions import DomainError

PACK_PREFIX = "pack"


def _url_prefix(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _lookup(document: dict[str, Any], path: str) -> Any:
    node: Any = document
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


# Coded values shown by their label, in the user's language.
CHOICE_FIELDS = frozenset({"module_format", "soh_source", "grade"})
CATEGORY_LABELS = {
    "ev": gettext_lazy("Electric vehicle battery"),
    "lmt": gettext_lazy("Light means of transport (LMT) battery"),
    "industrial": gettext_lazy("Industrial battery"),
    "stationary": gettext_lazy("Stationary battery energy storage"),
}


def _rows(
    document: dict[str, Any], access: str, pack: BatteryPack
) -> list[tuple[str, list[dict[str, Any]]]]:
    """(group title, rows) for the attributes of one access level that have a value."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for attribute in reference.mapping().attributes:
        if attribute.access != access:
            continue
        value = _lookup(document, attribute.path)
        if value is None:
            continue
        if attribute.field in CHOICE_FIELDS:
            value = getattr(pack, f"get_{attribute.field}_display")()
        elif attribute.type == "date":
            value = value[:10]  # the export's midnight-UTC date-time is a calendar date
        elif attribute.computed == "battery_category":
            value = CATEGORY_LABELS.get(value, value)
        sections.setdefault(attribute.group, []).append(
            {
                "label": ATTRIBUTE_LABELS.get(attribute.path, attribute.path),
                "path": attribute.path,
                "kind": attribute.computed or attribute.type,
                "value": value,
                "unit": attribute.unit if attribute.type == "decimal" else "",
                "is_extension": attribute.group == EXTENSION_GROUP,
            }
        )
    order = list(reference.mapping().groups)
    return [
        (GROUP_TITLES.get(group, group), sections[group])
        for group in sorted(sections, key=order.index)
    ]


def passport_detail(request: HttpRequest, passport_id: str) -> HttpResponse:
    record = selectors.passport_record_get(passport_id=passport_id)
    pack = record.pack
    audience = selectors.audience_for(user=request.user, pack=pack)
    document = services.passport_export(
        pack=pack, audience=audience, url_prefix=_url_prefix(request)
    )
    url = request.build_absolute_uri(reverse("circularity:passport-detail", args=[passport_id]))
    return render(
        request,
        "circularity/passport_detail.html",
        {
            "pack": pack,
            "record": record,
            "document": document,
            "is_legitimate_interest": audience == LEGITIMATE_INTEREST,
            "public_sections": _rows(document, PUBLIC, pack),
            "restricted_sections": _rows(document, LEGITIMATE_INTEREST, pack),
            "listing": selectors.live_listing_of(pack=pack, user=request.user),
            "passport_url": url,
            "qr_svg": qr.passport_qr_svg(url=url, title=_("Battery passport")),
        },
    )


def passport_json(request: HttpRequest, passport_id: str) -> JsonResponse:
    record = selectors.passport_record_get(passport_id=passport_id)
    audience = selectors.audience_for(user=request.user, pack=record.pack)
    document = services.passport_export(
        pack=record.pack, audience=audience, url_prefix=_url_prefix(request)
    )
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    filename = f"battery-passport-{record.passport_id}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def passport_qr(request: HttpRequest, passport_id: str) -> HttpResponse:
    record = selectors.passport_record_get(passport_id=passport_id)
    url = request.build_absolute_uri(reverse("circularity:passport-detail", args=[passport_id]))
    svg = qr.passport_qr_svg_document(url=url, title=_("Battery passport"))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="passport-{record.passport_id}.svg"'
    return response


# --- Import to a listing ----------------------------------------------------------------


def _confirm_forms(data: Any = None, prefill: dict[str, Any] | None = None):
    listing_initial = {}
    pack_initial = {}
    if prefill is not None:
        listing_initial = {"title": prefill["title"], "country": prefill["country"]}
        pack_initial = prefill["pack"]
    listing_form = ListingForm(data, initial=listing_initial)
    pack_form = PackForm(data, prefix=PACK_PREFIX, initial=pack_initial)
    return listing_form, pack_form


def _render_confirm(request, listing_form, pack_form, status: int = 200) -> HttpResponse:
    return render(
        request,
        "circularity/import_confirm.html",
        {"listing_form": listing_form, "pack_form": pack_form},
        status=status,
    )


@login_required
def passport_import(request: HttpRequest) -> HttpResponse:
    """Read a passport and show the pack listing form filled in from it."""
    ensure_can_trade(user=request.user)
    form = PassportUploadForm(request.POST or None, request.FILES or None)
    errors: list[tuple[str, list[str]]] = []
    if request.method == "POST" and form.is_valid():
        try:
            prefill = services.passport_import(
                data=form.cleaned_data["passport"], actor=request.user
            )
        except services.PassportInvalid as invalid:
            errors = list(invalid.fields.items())
            form.add_error(
                None,
                _("The passport has %(count)d error(s); nothing was filled in.")
                % {"count": len(errors)},
            )
        else:
            messages.info(request, _("Check the details read from the passport, then save."))
            return _render_confirm(request, *_confirm_forms(prefill=prefill))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "circularity/import.html", {"form": form, "errors": errors}, status=status
    )


def _apply_error(
    listing_form: django_forms.Form, pack_form: django_forms.Form, error: DomainError
) -> None:
    placed = False
    for name, field_messages in error.fields.items():
        prefix, _dot, field = name.partition(".")
        for message in field_messages:
            if prefix == PACK_PREFIX and field in pack_form.fields:
                pack_form.add_error(field, message)
            elif name in listing_form.fields:
                listing_form.add_error(name, message)
            else:
                continue
            placed = True
    if not placed:
        listing_form.add_error(None, error.message)


@login_required
@require_POST
def passport_import_confirm(request: HttpRequest) -> HttpResponse:
    """Save the checked form as a draft listing through the catalog's create service."""
    ensure_can_trade(user=request.user)
    listing_form, pack_form = _confirm_forms(request.POST)
    if listing_form.is_valid() and pack_form.is_valid():
        try:
            listing = catalog_services.listing_create(
                actor=request.user,
                listing_type=ListingType.BATTERY_PACK,
                pack=pack_form.cleaned_data,
                **listing_form.cleaned_data,
            )
        except DomainError as error:
            if error.status == 403:
                raise
            _apply_error(listing_form, pack_form, error)
        else:
            messages.success(request, _("Draft saved from the passport. Publish it when ready."))
            return redirect("catalog:listing-detail", pk=listing.pk)
    return _render_confirm(request, listing_form, pack_form, status=400)


def passport_mapping(request: HttpRequest) -> HttpResponse:
    """The mapping table, for people who write passports for us to read."""
    mapping = reference.mapping()
    return render(
        request,
        "circularity/mapping.html",
        {
            "mapping": mapping,
            "attributes": [(ATTRIBUTE_LABELS.get(a.path, a.path), a) for a in mapping.attributes],
        },
    )
