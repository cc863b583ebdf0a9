"""/api/v1/payments/: authorise a deposit, pay an order, confirm delivery, the order's money
timeline, invoices and assays. Parse, load via a selector, call the service, render; domain
errors become {"error": {code, message, fields}} (402 deposit_required, 403, 404, 409)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.payments import selectors, services
from marketplace.payments.api import serializers as s
from marketplace.payments.models import Payout
from marketplace.payments.services.invoices import order_settles_on_assay
from marketplace.trading import selectors as trading_selectors
from marketplace.trading.services.orders import order_confirm_delivery


def _payment_method(request) -> str | None:
    body = s.PaymentMethodSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data.get("payment_method") or None


class DepositView(APIView):
    """Authorise this sale's bidder deposit (a card hold, released if you do not win)."""

    @extend_schema(request=s.PaymentMethodSerializer, responses={201: s.PaymentSerializer})
    def post(self, request, sale_id: int):
        sale = trading_selectors.sale_get_for_user(user=request.user, pk=sale_id)
        deposit = services.deposit_authorise(
            sale=sale, user=request.user, payment_method=_payment_method(request)
        )
        return Response(s.PaymentSerializer(deposit).data, status=status.HTTP_201_CREATED)


class OrderPayView(APIView):
    """Open the payment of what is left to pay; returns the client_secret for Stripe.js. The
    order becomes paid when Stripe's webhook confirms the money."""

    @extend_schema(request=s.PaymentMethodSerializer, responses={201: s.PaymentSerializer})
    def post(self, request, pk: int):
        order = selectors.order_get_for_user(user=request.user, pk=pk)
        payment = services.order_pay(
            order=order, user=request.user, payment_method=_payment_method(request)
        )
        return Response(s.PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


def _money(order) -> dict:
    settles = order_settles_on_assay(order)
    return {
        "order": order.pk,
        "status": order.status,
        "currency": order.currency,
        "amount": order.amount,
        "amount_due": services.order_amount_due(order),
        "amount_paid": services.order_amount_paid(order),
        "collected": services.order_collected(order),
        "settlement_state": services.settlement_state(order) if settles else "",
        "payout": Payout.objects.filter(order=order).first(),
        "timeline": selectors.order_money_timeline(order),
    }


class OrderMoneyView(APIView):
    """The order's money timeline: deposit, payments, refunds, invoices, fee and payout."""

    @extend_schema(responses={200: s.OrderMoneySerializer})
    def get(self, request, pk: int):
        order = selectors.order_get_for_user(user=request.user, pk=pk)
        return Response(s.OrderMoneySerializer(_money(order)).data)


class OrderConfirmDeliveryView(APIView):
    """The buyer confirms the goods arrived (the order must be released for shipment)."""

    @extend_schema(request=None, responses={200: s.OrderMoneySerializer})
    def post(self, request, pk: int):
        order = selectors.order_get_for_user(user=request.user, pk=pk)
        order = order_confirm_delivery(order=order, user=request.user)
        return Response(s.OrderMoneySerializer(_money(order)).data)


class OrderInvoicesView(APIView):
    """The black-mass settlement invoices of the order (provisional, final)."""

    @extend_schema(responses={200: s.InvoiceSerializer(many=True)})
    def get(self, request, pk: int):
        order = selectors.order_get_for_user(user=request.user, pk=pk)
        return Response(s.InvoiceSerializer(selectors.invoices_of(order), many=True).data)


class OrderAssaysView(APIView):
    """Record your laboratory's assay (seller, buyer; staff record the umpire's)."""

    @extend_schema(request=s.AssayCreateSerializer, responses={201: s.AssaySerializer})
    def post(self, request, pk: int):
        order = selectors.order_get_for_user(user=request.user, pk=pk)
        body = s.AssayCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.assay_record(
            order=order,
            user=request.user,
            party=body.validated_data["party"],
            assay_pct={el: str(v) for el, v in body.validated_data["assay_pct"].items()},
            laboratory=body.validated_data["laboratory"],
        )
        return Response(s.AssaySerializer(row).data, status=status.HTTP_201_CREATED)


class InvoicePayView(APIView):
    """Pay a final invoice's positive balance."""

    @extend_schema(request=s.PaymentMethodSerializer, responses={201: s.PaymentSerializer})
    def post(self, request, pk: int):
        invoice = selectors.invoice_get_for_user(user=request.user, pk=pk)
        payment = services.invoice_pay(
            invoice=invoice, user=request.user, payment_method=_payment_method(request)
        )
        return Response(s.PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)
