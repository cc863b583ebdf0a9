"""Catalog web pages: the same selectors and services as the API, rendered as HTML.

Browsing and listing pages are open to anonymous visitors (a marketplace wants to be
found); everything that writes needs a login, and the services apply the trading gate.
"""

from typing import Any

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.accounts.services import ensure_can_trade
from marketplace.catalog import forms, importing, selectors, services, uploads
from marketplace.catalog.choices import EDITABLE_STATUSES, ListingType
from marketplace.catalog.filters import ListingFilter
from marketplace.catalog.models import Listing
from marketplace.core.exceptions import DomainError
from marketplace.core.forms import apply_domain_error

PAGE_SIZE = 25


# --- Browse ---------------------------------------------------------------------------


def _page(request: HttpRequest, queryset) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def browse(request: HttpRequest) -> HttpResponse:
    listings = selectors.listings_for_user(user=request.user)
    listing_filter = ListingFilter(request.GET or None, queryset=listings)
    results = listing_filter.qs if listing_filter.is_bound else listings
    if not request.GET.get("ordering"):
        results = results.order_by("-published_at", "-pk")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/browse.html",
        {
            "filter": listing_filter,
            "page": _page(request, results),
            "query": query.urlencode(),
            "save_form": forms.SavedSearchForm(initial={"query": query.urlencode()}),
            "watched": selectors.watched_listing_ids(user=request.user),
        },
    )


def _specs(item, field_names: tuple[str, ...]) -> list[tuple[str, Any]]:
    """(label, shown value) for the fields that are filled in, choices by their label."""
    rows = []
    for name in field_names:
        value = getattr(item, name)
        if value in (None, ""):
            continue
        field = item._meta.get_field(name)
        if field.choices:
            value = getattr(item, f"get_{name}_display")()
        rows.append((field.verbose_name, value))
    return rows


def _spec_sections(listing: Listing) -> list[tuple[str, list[tuple[str, Any]]]]:
    sections = []
    for key in services.ITEMS_BY_TYPE[listing.listing_type]:
        item = getattr(listing, key)
        names = services.ITEM_FIELDS[key]
        if key in ("pack", "module_lot"):
            names = (*names, "soh_source")
        rows = _specs(item, names)
        if key == "black_mass_lot":
            rows.insert(2, (_("dry weight (kg)"), item.dry_weight_kg))
        sections.append((forms.ITEM_TITLES[key], rows))
    return sections


def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_get_for_user(user=request.user, pk=pk)
    user = request.user
    is_seller = user.is_authenticated and listing.seller_id == user.organisation_id
    return render(
        request,
        "catalog/listing_detail.html",
        {
            "listing": listing,
            "spec_sections": _spec_sections(listing),
            "is_seller": is_seller,
            "can_edit": is_seller and listing.status in EDITABLE_STATUSES,
            "attachments": selectors.attachments_for_user(user=user, listing=listing),
            "events": listing.events.select_related("actor")
            if is_seller or user.is_staff
            else None,
            "is_watched": listing.pk in selectors.watched_listing_ids(user=user),
            "attachment_form": forms.AttachmentForm(),
        },
    )


@login_required
def my_listings(request: HttpRequest) -> HttpResponse:
    listings = selectors.listings_of_organisation(user=request.user)
    status = request.GET.get("status", "")
    if status:
        listings = listings.filter(status=status)
    return render(
        request,
        "catalog/my_listings.html",
        {"page": _page(request, listings), "status": status},
    )


# --- Create and edit ------------------------------------------------------------------


def _item_forms(
    listing_type: str, data: Any = None, listing: Listing | None = None
) -> dict[str, django_forms.ModelForm]:
    return {
        key: forms.ITEM_FORMS[key](
            data, prefix=key, instance=getattr(listing, key) if listing else None
        )
        for key in services.ITEMS_BY_TYPE[listing_type]
    }


def _apply_error(
    listing_form: django_forms.Form, item_forms: dict[str, django_forms.Form], error: DomainError
) -> None:
    """Put "pack.chemistry" on the pack form's chemistry field, the rest on the listing form."""
    placed = False
    for name, field_messages in error.fields.items():
        prefix, _dot, field = name.partition(".")
        form = item_forms.get(prefix)
        for message in field_messages:
            if form is not None and field in form.fields:
                form.add_error(field, message)
            elif form is not None:
                form.add_error(None, message)
            elif name in listing_form.fields:
                listing_form.add_error(name, message)
            else:
                continue
            placed = True
    if not placed:
        listing_form.add_error(None, error.message)


def _render_form(request, listing_type, listing_form, item_forms, listing=None) -> HttpResponse:
    return render(
        request,
        "catalog/listing_form.html",
        {
            "listing_type": ListingType(listing_type),
            "listing": listing,
            "listing_form": listing_form,
            "item_forms": [(forms.ITEM_TITLES[key], form) for key, form in item_forms.items()],
        },
    )


@login_required
def listing_new(request: HttpRequest) -> HttpResponse:
    ensure_can_trade(user=request.user)
    return render(request, "catalog/listing_new.html", {"listing_types": ListingType.choices})


@login_required
def listing_create(request: HttpRequest, listing_type: str) -> HttpResponse:
    if listing_type not in ListingType.values:
        raise Http404
    # Refuse before showing a form the organisation could not submit anyway.
    ensure_can_trade(user=request.user)
    data = request.POST if request.method == "POST" else None
    listing_form = forms.ListingForm(data)
    item_forms = _item_forms(listing_type, data)
    all_valid = all([listing_form.is_valid(), *(form.is_valid() for form in item_forms.values())])
    if request.method == "POST" and all_valid:
        try:
            listing = services.listing_create(
                actor=request.user,
                listing_type=listing_type,
                **listing_form.cleaned_data,
                **{key: form.cleaned_data for key, form in item_forms.items()},
            )
        except DomainError as error:
            _apply_error(listing_form, item_forms, error)
        else:
            messages.success(request, _("Draft saved. Publish it when it is ready."))
            return redirect("catalog:listing-detail", pk=listing.pk)
    return _render_form(request, listing_type, listing_form, item_forms)


@login_required
def listing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_get_for_seller(user=request.user, pk=pk)
    ensure_can_trade(user=request.user)
    data = request.POST if request.method == "POST" else None
    listing_form = forms.ListingForm(data, instance=listing)
    item_forms = _item_forms(listing.listing_type, data, listing)
    all_valid = all([listing_form.is_valid(), *(form.is_valid() for form in item_forms.values())])
    if request.method == "POST" and all_valid:
        changes = {name: listing_form.cleaned_data[name] for name in listing_form.changed_data}
        item_changes = {
            key: {name: form.cleaned_data[name] for name in form.changed_data}
            for key, form in item_forms.items()
        }
        try:
            # Reload: ModelForm validation already wrote the new values onto the instances.
            fresh = selectors.listing_get_for_seller(user=request.user, pk=pk)
            services.listing_update(listing=fresh, actor=request.user, **changes, **item_changes)
        except DomainError as error:
            _apply_error(listing_form, item_forms, error)
        else:
            messages.success(request, _("Listing saved."))
            return redirect("catalog:listing-detail", pk=pk)
    return _render_form(request, listing.listing_type, listing_form, item_forms, listing)


@login_required
@require_POST
def listing_publish(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_get_for_seller(user=request.user, pk=pk)
    try:
        services.listing_publish(listing=listing, actor=request.user)
    except DomainError as error:
        if error.status == 403:
            raise  # the gate refused: a 403 page, not a flash message
        messages.error(request, error.message)
    else:
        messages.success(request, _("Listing published."))
    return redirect("catalog:listing-detail", pk=pk)


@login_required
@require_POST
def listing_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_get_for_seller(user=request.user, pk=pk)
    try:
        services.listing_withdraw(
            listing=listing, actor=request.user, reason=request.POST.get("reason", "")[:500]
        )
    except DomainError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Listing withdrawn."))
    return redirect("catalog:listing-detail", pk=pk)


@login_required
@require_POST
def listing_relist(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_get_for_seller(user=request.user, pk=pk)
    try:
        relisted = services.listing_relist(listing=listing, actor=request.user)
    except DomainError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
        return redirect("catalog:listing-detail", pk=pk)
    messages.success(request, _("A new draft offers the same item. Check it, then publish."))
    return redirect("catalog:listing-detail", pk=relisted.pk)


# --- Attachments ----------------------------------------------------------------------


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_get_for_seller(user=request.user, pk=pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                listing=listing,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("File added."))
            return redirect("catalog:listing-detail", pk=pk)
    return render(
        request,
        "catalog/attachment_form.html",
        {"listing": listing, "attachment_form": form},
        status=400,
    )


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Files are never a public media URL: a draft's SDS is the seller's business."""
    attachment = selectors.attachment_get_for_user(user=request.user, pk=pk)
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        filename=attachment.original_name,
    )


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_get_for_user(user=request.user, pk=pk)
    try:
        services.attachment_remove(attachment=attachment, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("File removed."))
    return redirect("catalog:listing-detail", pk=attachment.listing_id)


# --- Watchlist and saved searches -----------------------------------------------------


@login_required
def watchlist(request: HttpRequest) -> HttpResponse:
    entries = selectors.watchlist_for_user(user=request.user)
    return render(request, "catalog/watchlist.html", {"page": _page(request, entries)})


@login_required
@require_POST
def watch_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_get_for_user(user=request.user, pk=pk)
    if request.POST.get("action") == "remove":
        services.watchlist_remove(user=request.user, listing=listing)
        messages.success(request, _("Removed from your watchlist."))
    else:
        services.watchlist_add(user=request.user, listing=listing)
        messages.success(request, _("Added to your watchlist."))
    return redirect("catalog:listing-detail", pk=pk)


@login_required
def saved_searches(request: HttpRequest) -> HttpResponse:
    form = forms.SavedSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.saved_search_create(user=request.user, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Search saved."))
        return redirect("catalog:saved-searches")
    searches = selectors.saved_searches_for_user(user=request.user)
    browse_url = reverse("catalog:browse")
    return render(
        request,
        "catalog/saved_searches.html",
        {"searches": [(search, f"{browse_url}?{search.query}") for search in searches]},
    )


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    search = selectors.saved_search_get_for_user(user=request.user, pk=pk)
    services.saved_search_delete(saved_search=search, actor=request.user)
    messages.success(request, _("Saved search deleted."))
    return redirect("catalog:saved-searches")


# --- Bulk import ----------------------------------------------------------------------

EXAMPLES_DIR = settings.BASE_DIR / "docs" / "examples"


def import_example(request: HttpRequest, file_format: str) -> FileResponse:
    """The example files of docs/examples/, so people can start from a working file."""
    if file_format not in ("csv", "json"):
        raise Http404
    path = EXAMPLES_DIR / f"listings.{file_format}"
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@login_required
def import_listings(request: HttpRequest) -> HttpResponse:
    ensure_can_trade(user=request.user)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    errors: list[importing.RowError] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            file_format = uploads.check_import_file(upload=upload)
            rows = importing.parse(content=upload.read(), file_format=file_format)
            created = importing.import_listings(actor=request.user, rows=rows)
        except importing.ImportFailed as failure:
            errors = failure.errors
            form.add_error(None, failure.message)
            status = 400
        except DomainError as error:
            apply_domain_error(form, error)
            status = 400
        else:
            messages.success(request, _("%(count)d draft listings imported.") % {"count": created})
            return redirect("catalog:my-listings")
    return render(request, "catalog/import.html", {"form": form, "errors": errors}, status=status)
