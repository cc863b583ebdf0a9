"""HTML front door of payments: the order's money page, deposit form, invoices (HTML and PDF),
staff payouts and refunds; and the Stripe webhook. Each view parses, loads through a selector,
calls the service, renders; a DomainError goes on the form or into the messages."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from marketplace.core.api.errors import error_body
from marketplace.core.exceptions import DomainError, PermissionDeniedError
from marketplace.core.forms import apply_domain_error
from marketplace.core.pdf import pdf_response
from marketplace.payments import invoice_render, selectors, services
from marketplace.payments.choices import SettlementState
from marketplace.payments.clients import stripe_client
from marketplace.payments.clients.stripe_client import InvalidWebhook
from marketplace.payments.forms import AssayForm, CancelForm, PaymentMethodForm
from marketplace.payments.models import Payout
from marketplace.trading.choices import OrderStatus
from marketplace.trading.models import Sale
from marketplace.trading.services import orders
from marketplace.trading.services.orders import order_cancel, order_confirm_delivery


@csrf_exempt  # Stripe cannot send our CSRF token; the signature authenticates it instead.
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    try:
        created = services.webhook_receive(
            payload=request.body, signature_header=request.headers.get("Stripe-Signature")
        )
    except InvalidWebhook as error:
        return JsonResponse(error_body(error.code, error.message), status=400)
    return JsonResponse({"received": True, "duplicate": not created})


def _payment_method(form: PaymentMethodForm) -> str | None:
    """The form's PaymentMethod id; on localstripe the 4242 test card if asked for."""
    if not form.is_valid():
        raise DomainError(form.errors.as_text())
    if form.cleaned_data["use_test_card"] and stripe_client.uses_localstripe():
        return stripe_client.create_card_payment_method(
            number="4242424242424242", exp_month=12, exp_year=2030, cvc="123"
        )
    return form.cleaned_data["payment_method"] or None


def _staff_only(view: Callable) -> Callable:
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- The order's money page -----------------------------------------------------------


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get_for_user(user=request.user, pk=pk)
    user = request.user
    is_buyer = user.organisation_id == order.buyer_organisation_id
    is_seller = user.organisation_id == order.seller_organisation_id
    settles_on_assay = services.invoices.order_settles_on_assay(order)
    context = {
        "order": order,
        "timeline": selectors.order_money_timeline(order),
        "invoices": selectors.invoices_of(order),
        "assays": selectors.assays_of(order),
        "settles_on_assay": settles_on_assay,
        # Until the final invoice: the parties (and staff, for the umpire) record assays.
        "may_record_assay": settles_on_assay
        and (is_buyer or is_seller or user.is_staff)
        and services.settlement_state(order) != SettlementState.FINAL,
        "balance_settled": settles_on_assay and services.invoices.invoice_balance_settled(order),
        "settlement_state": (
            SettlementState(services.settlement_state(order)).label if settles_on_assay else ""
        ),
        "amount_due": services.order_amount_due(order),
        "amount_paid": services.order_amount_paid(order),
        "collected": services.order_collected(order),
        "payout": Payout.objects.filter(order=order).first(),
        "shipment_case": orders.shipment_case_of(order) if order.cross_border else None,
        "is_buyer": is_buyer,
        "is_seller": is_seller,
        "may_pay": is_buyer and order.status == OrderStatus.CREATED,
        "may_confirm": is_buyer and order.status == OrderStatus.RELEASED,
        "may_cancel": user.is_staff
        and order.status
        not in (OrderStatus.DELIVERED, OrderStatus.SETTLED, OrderStatus.CANCELLED),  # fmt: skip
        "pay_form": PaymentMethodForm(),
        "assay_form": AssayForm(),
        "cancel_form": CancelForm(),
        "uses_localstripe": stripe_client.uses_localstripe(),
        "publishable_key": stripe_client.publishable_key(),
    }
    return render(request, "trading/order_detail.html", context)


def _order_action(request: HttpRequest, pk: int, action: Callable, done: str) -> HttpResponse:
    order = selectors.order_get_for_user(user=request.user, pk=pk)
    try:
        result = action(order)
    except PermissionDeniedError:
        raise  # a 403 page, not a message: the action is not theirs to take
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if isinstance(result, str):
            messages.info(request, result)
        else:
            messages.success(request, done)
    return redirect("trading:order", pk=order.pk)


@login_required
@require_POST
def order_pay(request: HttpRequest, pk: int) -> HttpResponse:
    form = PaymentMethodForm(request.POST)

    def pay(order):
        payment = services.order_pay(
            order=order, user=request.user, payment_method=_payment_method(form)
        )
        if payment.status != "succeeded":
            return _("Payment %(id)s opened: confirm it with your card.") % {"id": payment.pk}
        return payment

    return _order_action(
        request, pk, pay, _("Payment received by Stripe; the order moves on its confirmation.")
    )


@login_required
@require_POST
def order_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(
        request,
        pk,
        lambda order: order_confirm_delivery(order=order, user=request.user),
        _("Delivery confirmed. The seller is paid out once the platform releases the payout."),
    )


@login_required
@require_POST
def order_assay(request: HttpRequest, pk: int) -> HttpResponse:
    form = AssayForm(request.POST)

    def record(order):
        if not form.is_valid():
            raise DomainError(form.errors.as_text())
        return services.assay_record(
            order=order,
            user=request.user,
            party=form.cleaned_data["party"],
            assay_pct=form.assay_pct(),
            laboratory=form.cleaned_data["laboratory"],
        )

    return _order_action(request, pk, record, _("Assay recorded."))


@_staff_only
@require_POST
def order_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = CancelForm(request.POST)

    def cancel(order):
        if not form.is_valid():
            raise DomainError(form.errors.as_text())
        return order_cancel(order=order, actor=request.user, reason=form.cleaned_data["reason"])

    return _order_action(request, pk, cancel, _("Order cancelled; the refund is on its way."))


@login_required
@require_POST
def invoice_pay(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get_for_user(user=request.user, pk=pk)
    form = PaymentMethodForm(request.POST)

    def pay(order):
        return services.invoice_pay(
            invoice=invoice, user=request.user, payment_method=_payment_method(form)
        )

    return _order_action(request, invoice.order_id, pay, _("Balance payment sent to Stripe."))


# --- Deposits -------------------------------------------------------------------------


@login_required
def deposit(request: HttpRequest, sale_id: int) -> HttpResponse:
    """Authorise the sale's deposit on a card (the hold is released if you do not win)."""
    sale = get_object_or_404(Sale.objects.select_related("listing"), pk=sale_id)
    amount = services.deposit_required_amount(sale)
    form = PaymentMethodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            held = services.deposit_authorise(
                sale=sale, user=request.user, payment_method=_payment_method(form)
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            if held.status == "requires_capture":
                messages.success(request, _("Deposit authorised: you can bid now."))
                return redirect("trading:sale", pk=sale.pk)
            form.add_error(None, _("The card did not authorise the deposit; try another card."))
    live = None
    if request.user.organisation_id:
        live = services.deposits.live_deposit(sale=sale, organisation=request.user.organisation)
    return render(
        request,
        "payments/deposit.html",
        {
            "sale": sale,
            "amount": amount,
            "form": form,
            "live": live,
            "uses_localstripe": stripe_client.uses_localstripe(),
        },
    )


# --- Invoices -------------------------------------------------------------------------


@login_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get_for_user(user=request.user, pk=pk)
    return render(request, "payments/invoice.html", invoice_render.invoice_context(invoice))


@login_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same invoice as PDF, in the requester's language; 503 where PDFs cannot be made."""
    invoice = selectors.invoice_get_for_user(user=request.user, pk=pk)
    return pdf_response(
        invoice_render.INVOICE_PDF_TEMPLATE,
        invoice_render.invoice_context(invoice),
        request=request,
        filename=invoice_render.invoice_pdf_filename(invoice),
    )


# --- Staff ----------------------------------------------------------------------------


@_staff_only
def staff_payouts(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        raw_order = request.POST.get("order", "")
        if not raw_order.isdigit():
            messages.error(request, _("Choose the order to pay out."))
            return redirect("payments:staff-payouts")
        order = selectors.order_get_for_user(user=request.user, pk=int(raw_order))
        try:
            payout = services.payout_release(order=order, actor=request.user)
        except DomainError as error:
            messages.error(request, f"#{order.pk}: {error.message}")
        else:
            messages.success(
                request,
                _("Payout of %(net)s %(currency)s recorded for order #%(order)s.")
                % {"net": f"{payout.net:,.0f}", "currency": payout.currency, "order": order.pk},
            )
        return redirect("payments:staff-payouts")
    return render(
        request,
        "payments/staff_payouts.html",
        {
            "awaiting": selectors.orders_awaiting_payout()[:200],
            "payouts": selectors.payouts_for_staff()[:200],
        },
    )


@_staff_only
def staff_refunds(request: HttpRequest) -> HttpResponse:
    return render(
        request, "payments/staff_refunds.html", {"refunds": selectors.refunds_for_staff()[:200]}
    )
