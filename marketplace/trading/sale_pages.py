"""HTML front door of sales: the sale page (bid, buy, offer, tender), start a sale, my bids,
my orders. Same four steps as the API: parse with a form, load via a selector, call the service,
render; a DomainError goes on the form."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.catalog import selectors as catalog_selectors
from marketplace.catalog.choices import ListingType
from marketplace.core.exceptions import DomainError
from marketplace.core.forms import apply_domain_error
from marketplace.trading import selectors, services
from marketplace.trading.choices import PAYABLE_ELEMENTS, OfferStatus, SaleStatus
from marketplace.trading.sale_forms import (
    BidForm,
    CounterForm,
    OfferForm,
    SaleStartForm,
    TenderBidForm,
)
from marketplace.trading.services.bidding import next_minimum_bid
from marketplace.trading.services.eligibility import listing_assay


def sale_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The sale panel: price, countdowns, reserve badge, history, pre-check and the forms."""
    sale = selectors.sale_get_for_user(user=request.user, pk=pk)
    listing = sale.listing
    forms: dict[str, Any] = {
        "bid_form": BidForm(),
        "offer_form": OfferForm(),
        "counter_form": CounterForm(),
        "tender_form": TenderBidForm(
            initial={"kind": "fixed"},
            payables_allowed=listing.listing_type == ListingType.BLACK_MASS,
        ),
    }
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{_login_url()}?next={request.path}")
        response = _handle_post(request, sale, forms)
        if response is not None:
            return response
    return render(request, "trading/sale_detail.html", _context(request, sale, forms))


def _login_url() -> str:
    from django.conf import settings
    from django.urls import reverse

    return reverse(settings.LOGIN_URL)


def _handle_post(request: HttpRequest, sale, forms: dict[str, Any]) -> HttpResponse | None:
    action = request.POST.get("action", "")
    user = request.user
    handlers: dict[str, tuple[str | None, Callable[[Any], Any], str]] = {
        "bid": (
            "bid_form",
            lambda form: services.bid_place(sale=sale, user=user, **form.cleaned_data),
            _("Your bid is in."),
        ),
        "buy_now": (None, lambda form: services.sale_buy_now(sale=sale, user=user), _("Bought.")),
        "offer": (
            "offer_form",
            lambda form: services.offer_make(
                sale=sale,
                user=user,
                amount=form.cleaned_data["amount"],
                validity_hours=form.cleaned_data["validity_hours"],
            ),
            _("Your offer is sent."),
        ),
        "tender": (
            "tender_form",
            lambda form: services.tender_bid_submit(sale=sale, user=user, **form.service_input()),
            _("Your sealed bid is in. Nobody sees it before the close."),
        ),
        "counter": (
            "counter_form",
            lambda form: services.offer_counter(
                offer=selectors.offer_get_for_user(user=user, pk=form.cleaned_data["offer_id"]),
                user=user,
                amount=form.cleaned_data["amount"],
            ),
            _("Counter-offer sent."),
        ),
    }
    simple_offer_actions = {
        "offer_accept": (services.offer_accept, _("Offer accepted: the order is created.")),
        "offer_decline": (services.offer_decline, _("Offer declined.")),
        "offer_withdraw": (services.offer_withdraw, _("Offer withdrawn.")),
    }
    try:
        if action in simple_offer_actions:
            service, done = simple_offer_actions[action]
            offer = selectors.offer_get_for_user(user=user, pk=int(request.POST["offer_id"]))
            service(offer=offer, user=user)
            messages.success(request, done)
            return redirect("trading:sale", pk=sale.pk)
        if action == "tender_withdraw":
            bid = selectors.tender_bid_get_for_user(user=user, pk=int(request.POST["bid_id"]))
            services.tender_bid_withdraw(tender_bid=bid, user=user)
            messages.success(request, _("Your sealed bid is withdrawn."))
            return redirect("trading:sale", pk=sale.pk)
    except (KeyError, ValueError):
        messages.error(request, _("The request was incomplete."))
        return redirect("trading:sale", pk=sale.pk)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("trading:sale", pk=sale.pk)
    if action not in handlers:
        return None
    form_name, call, done = handlers[action]
    form = None
    if form_name:
        form_class = type(forms[form_name])
        kwargs = (
            {"payables_allowed": forms[form_name].payables_allowed} if action == "tender" else {}
        )
        form = form_class(request.POST, **kwargs)
        forms[form_name] = form
        if not form.is_valid():
            return None
    try:
        call(form)
    except DomainError as error:
        if form is not None:
            apply_domain_error(form, error)
            return None
        messages.error(request, error.message)
        return redirect("trading:sale", pk=sale.pk)
    messages.success(request, done)
    return redirect("trading:sale", pk=sale.pk)


def _context(request: HttpRequest, sale, forms: dict[str, Any]) -> dict[str, Any]:
    user = request.user
    listing = sale.listing
    now = timezone.now()
    precheck = None
    eligibility_error = None
    if user.is_authenticated and getattr(user, "organisation", None):
        try:
            precheck = services.sale_precheck_for(
                sale=sale, destination=user.organisation.country.code, on=timezone.localdate()
            )
        except DomainError as error:
            precheck = {"error": error.message}
        try:
            services.ensure_may_bid(user=user, sale=sale, now=now)
        except DomainError as error:
            eligibility_error = error
    is_seller = selectors.viewer_is_seller(sale=sale, user=user)
    lot = listing.black_mass_lot
    return {
        "sale": sale,
        "listing": listing,
        "now": now,
        "is_open": sale.accepts_bids_at(now),
        "is_seller": is_seller,
        "you_lead": selectors.viewer_leads(sale=sale, user=user),
        "minimum_bid": next_minimum_bid(sale) if sale.is_auction else None,
        "buy_now_available": sale.status == SaleStatus.OPEN
        and sale.buy_now_price is not None
        and not (sale.is_auction and sale.bid_count),
        "history": selectors.bid_history_for_user(sale=sale, user=user) if sale.is_auction else [],
        "tender_bids": selectors.tender_bids_for_user(sale=sale, user=user)
        if sale.is_tender
        else [],
        "tender_bid_count": selectors.live_tender_bid_count(sale) if sale.is_tender else 0,
        "offers": selectors.offers_for_user(sale=sale, user=user) if sale.is_fixed_price else [],
        "open_status": OfferStatus.OPEN,
        "precheck": precheck,
        "eligibility_error": eligibility_error,
        "domestic_only": sale.is_domestic_only_at(now),
        "order": getattr(sale, "order", None) if sale.status == SaleStatus.AWARDED else None,
        "lot_for_preview": {
            "wet_kg": str(lot.wet_weight_kg),
            "moisture_pct": str(lot.moisture_pct),
            "assay_pct": {el: str(v) for el, v in listing_assay(listing).items()},
            "dry_kg": str(lot.dry_weight_kg),
        }
        if lot
        else {"dry_kg": str(listing.pack.mass_kg or 0) if listing.pack else "0"},
        "payable_elements": list(PAYABLE_ELEMENTS),
        **forms,
    }


def listing_sale(request: HttpRequest, listing_id: int) -> HttpResponse:
    """The latest sale of a listing (for a link from the listing page); 404 if none."""
    from django.http import Http404

    listing = catalog_selectors.listing_get_for_user(user=request.user, pk=listing_id)
    sale = selectors.sale_for_listing(listing_id=listing.pk)
    if sale is None:
        raise Http404
    return redirect("trading:sale", pk=sale.pk)


@login_required
def sale_start(request: HttpRequest, listing_id: int) -> HttpResponse:
    """The seller opens a sale of its own published listing in the listing's sale format."""
    listing = catalog_selectors.listing_get_for_seller(user=request.user, pk=listing_id)
    form = SaleStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sale = services.sale_open(listing=listing, actor=request.user, **form.service_input())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The sale is open."))
            return redirect("trading:sale", pk=sale.pk)
    return render(request, "trading/sale_start.html", {"listing": listing, "form": form})


@login_required
def my_bids(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "trading/my_bids.html",
        {
            "bids": selectors.my_auction_bids(user=request.user)[:200],
            "tender_bids": selectors.my_tender_bids(user=request.user)[:200],
        },
    )


@login_required
def my_orders(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "trading/my_orders.html",
        {"orders": selectors.orders_for_user(user=request.user)[:200]},
    )
