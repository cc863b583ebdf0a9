"""/api/v1/trading/sales/, offers/, tender-bids/, orders/: parse, load via selector, call the
service, render. Domain errors become {"error": {code, message, fields}} with 400/403/409."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.catalog.choices import SaleFormat
from marketplace.catalog.models import Listing
from marketplace.core.api.idempotency import idempotent
from marketplace.core.api.serializers import validated
from marketplace.trading import selectors, services
from marketplace.trading.api import sale_serializers as s
from marketplace.trading.choices import SaleStatus
from marketplace.trading.models import Sale


class SaleFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=SaleStatus.choices)
    sale_format = filters.ChoiceFilter(field_name="format", choices=SaleFormat.choices)

    class Meta:
        model = Sale
        fields = ["status", "sale_format", "listing"]


class SaleListCreateView(generics.ListCreateAPIView):
    """Sales of listings you may see (public fields only). POST: the seller opens a sale of its
    own published listing in the listing's sale format."""

    serializer_class = s.SaleSerializer
    filterset_class = SaleFilter

    def get_queryset(self):
        return selectors.sales_visible_to(user=self.request.user).order_by("ends_at", "pk")

    @extend_schema(request=s.SaleCreateSerializer, responses={201: s.SaleSerializer})
    def post(self, request):
        body = s.SaleCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        listing = get_object_or_404(
            Listing.objects.select_related("seller", "pack"), pk=data.pop("listing")
        )
        sale = services.sale_open(listing=listing, actor=request.user, **data)
        return Response(
            s.SaleSerializer(sale, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class SaleDetailView(generics.RetrieveAPIView):
    serializer_class = s.SaleSerializer

    def get_object(self):
        return selectors.sale_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        # A bidder watching a lot polls this: the serializer built once per thread, as for bids.
        return Response(s.sale_data(self.get_object(), request=request))


class SaleBidsView(generics.GenericAPIView):
    """GET: the anonymised bid history ("Bidder 1", …; your own bids marked). POST: a proxy bid
    with your secret maximum."""

    serializer_class = s.BidHistorySerializer
    pagination_class = None
    queryset = Sale.objects.none()  # for the schema's path parameter; reads go via selectors

    @extend_schema(responses={200: s.BidHistorySerializer(many=True)})
    def get(self, request, pk: int):
        sale = selectors.sale_get_for_user(user=request.user, pk=pk)
        rows = selectors.bid_history_for_user(sale=sale, user=request.user)
        return Response(s.BidHistorySerializer(rows, many=True).data)

    @extend_schema(request=s.BidCreateSerializer, responses={201: s.SaleSerializer})
    @idempotent
    def post(self, request, pk: int):
        sale = selectors.sale_get_for_bid(user=request.user, pk=pk)
        body = validated(s.BidCreateSerializer, request.data)
        services.bid_place(sale=sale, user=request.user, **body)
        return Response(s.sale_data(sale, request=request), status=status.HTTP_201_CREATED)


class SaleBuyNowView(APIView):
    @extend_schema(request=None, responses={201: s.OrderSerializer})
    @idempotent
    def post(self, request, pk: int):
        sale = selectors.sale_get_for_user(user=request.user, pk=pk)
        order = services.sale_buy_now(sale=sale, user=request.user)
        return Response(s.OrderSerializer(order).data, status=status.HTTP_201_CREATED)


class SalePrecheckView(APIView):
    """The compliance pre-check of this lot to your organisation's country (or ?destination=)."""

    @extend_schema(
        parameters=[OpenApiParameter("destination", str, required=False)],
        responses={200: s.PrecheckSerializer},
    )
    def get(self, request, pk: int):
        sale = selectors.sale_get_for_user(user=request.user, pk=pk)
        destination = request.query_params.get("destination") or (
            request.user.organisation.country.code if request.user.organisation else ""
        )
        result = services.sale_precheck_for(
            sale=sale, destination=destination, on=timezone.localdate()
        )
        return Response(s.PrecheckSerializer(result).data)


class SaleOffersView(generics.GenericAPIView):
    """GET: offers you may see on this sale (the seller: all; a buyer: its own). POST: offer."""

    serializer_class = s.OfferSerializer
    pagination_class = None
    queryset = Sale.objects.none()

    @extend_schema(responses={200: s.OfferSerializer(many=True)})
    def get(self, request, pk: int):
        sale = selectors.sale_get_for_user(user=request.user, pk=pk)
        offers = selectors.offers_for_user(sale=sale, user=request.user)
        return Response(s.OfferSerializer(offers, many=True).data)

    @extend_schema(request=s.OfferCreateSerializer, responses={201: s.OfferSerializer})
    @idempotent
    def post(self, request, pk: int):
        sale = selectors.sale_get_for_user(user=request.user, pk=pk)
        body = s.OfferCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        offer = services.offer_make(sale=sale, user=request.user, **body.validated_data)
        return Response(s.OfferSerializer(offer).data, status=status.HTTP_201_CREATED)


class OfferActionView(APIView):
    """accept / decline / withdraw: no body. counter: {amount, validity_hours?}."""

    action_name = ""

    @extend_schema(request=s.OfferCreateSerializer, responses={200: s.OfferSerializer})
    @idempotent
    def post(self, request, pk: int):
        offer = selectors.offer_get_for_user(user=request.user, pk=pk)
        if self.action_name == "accept":
            order = services.offer_accept(offer=offer, user=request.user)
            return Response(s.OrderSerializer(order).data, status=status.HTTP_201_CREATED)
        if self.action_name == "counter":
            body = s.OfferCreateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            counter = services.offer_counter(offer=offer, user=request.user, **body.validated_data)
            return Response(s.OfferSerializer(counter).data, status=status.HTTP_201_CREATED)
        service = {"decline": services.offer_decline, "withdraw": services.offer_withdraw}
        offer = service[self.action_name](offer=offer, user=request.user)
        return Response(s.OfferSerializer(offer).data)


class SaleTenderBidsView(generics.GenericAPIView):
    """GET: your own sealed bids; after the close the seller sees the ranking. POST: a bid."""

    serializer_class = s.TenderBidSerializer
    pagination_class = None
    queryset = Sale.objects.none()

    @extend_schema(responses={200: s.TenderBidSerializer(many=True)})
    def get(self, request, pk: int):
        sale = selectors.sale_get_for_user(user=request.user, pk=pk)
        bids = selectors.tender_bids_for_user(sale=sale, user=request.user)
        return Response(s.TenderBidSerializer(bids, many=True).data)

    @extend_schema(request=s.TenderBidCreateSerializer, responses={201: s.TenderBidSerializer})
    @idempotent
    def post(self, request, pk: int):
        sale = selectors.sale_get_for_user(user=request.user, pk=pk)
        body = s.TenderBidCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        bid = services.tender_bid_submit(sale=sale, user=request.user, **body.validated_data)
        return Response(s.TenderBidSerializer(bid).data, status=status.HTTP_201_CREATED)


class TenderBidWithdrawView(APIView):
    @extend_schema(request=None, responses={200: s.TenderBidSerializer})
    def post(self, request, pk: int):
        bid = selectors.tender_bid_get_for_user(user=request.user, pk=pk)
        bid = services.tender_bid_withdraw(tender_bid=bid, user=request.user)
        return Response(s.TenderBidSerializer(bid).data)


class OrderListView(generics.ListAPIView):
    """Orders where your organisation is the buyer or the seller."""

    serializer_class = s.OrderSerializer

    def get_queryset(self):
        return selectors.orders_for_user(user=self.request.user)


class OrderDetailView(generics.RetrieveAPIView):
    serializer_class = s.OrderSerializer

    def get_object(self):
        return selectors.order_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
