"""Sale, bid, offer, tender-bid and order shapes. Public shapes carry no secret: no reserve amount,
no proxy maximum of another bidder, no sealed amount of another bidder, no bidder names."""

import threading

from rest_framework import serializers

from marketplace.catalog.choices import SaleFormat
from marketplace.core.api.serializers import StrictModelSerializer, StrictSerializer
from marketplace.trading import selectors
from marketplace.trading.api.serializers import PenaltySerializer
from marketplace.trading.choices import PAYABLE_ELEMENTS
from marketplace.trading.models import Offer, Order, Sale, TenderBid
from marketplace.trading.services.bidding import next_minimum_bid


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, **kwargs)


class SaleSerializer(StrictModelSerializer):
    listing_title = serializers.CharField(source="listing.title", read_only=True)
    sale_format = serializers.ChoiceField(
        source="format", choices=SaleFormat.choices, read_only=True
    )
    current_price = serializers.SerializerMethodField()
    bid_count = serializers.SerializerMethodField()
    has_reserve = serializers.SerializerMethodField()
    reserve_met = serializers.SerializerMethodField()
    minimum_bid = serializers.SerializerMethodField()
    buy_now_available = serializers.SerializerMethodField()
    you_lead = serializers.SerializerMethodField()
    you_are_seller = serializers.SerializerMethodField()

    class Meta:
        model = Sale
        fields = [
            "id",
            "listing",
            "listing_title",
            "sale_format",
            "status",
            "currency",
            "start_price",
            "buy_now_price",
            "buy_now_available",
            "current_price",
            "minimum_bid",
            "bid_count",
            "has_reserve",
            "reserve_met",
            "starts_at",
            "ends_at",
            "original_ends_at",
            "soft_close_window_minutes",
            "soft_close_max_extension_minutes",
            "domestic_first_until",
            "you_lead",
            "you_are_seller",
            "version",
        ]
        read_only_fields = fields

    def _user(self):
        return self.context["request"].user

    def get_current_price(self, sale: Sale) -> str | None:
        return None if sale.is_tender or sale.current_price is None else str(sale.current_price)

    def get_bid_count(self, sale: Sale) -> int:
        return selectors.live_tender_bid_count(sale) if sale.is_tender else sale.bid_count

    def get_has_reserve(self, sale: Sale) -> bool:
        return sale.reserve_price is not None

    def get_reserve_met(self, sale: Sale) -> bool | None:
        if sale.reserve_price is None or sale.is_tender:
            return None
        return sale.reserve_met

    def get_minimum_bid(self, sale: Sale) -> str | None:
        return str(next_minimum_bid(sale)) if sale.is_auction else None

    def get_buy_now_available(self, sale: Sale) -> bool:
        return (
            sale.status == "open"
            and sale.buy_now_price is not None
            and not (sale.is_auction and sale.bid_count)
        )

    def get_you_lead(self, sale: Sale) -> bool:
        return selectors.viewer_leads(sale=sale, user=self._user())

    def get_you_are_seller(self, sale: Sale) -> bool:
        return selectors.viewer_is_seller(sale=sale, user=self._user())


_per_thread = threading.local()


def sale_data(sale: Sale, *, request) -> dict:
    """SaleSerializer(sale, context={"request": request}).data, with the serializer and its
    fields built once per thread instead of on every bid (the hot path answers with it)."""
    serializer = getattr(_per_thread, "sale_serializer", None)
    if serializer is None:
        serializer = _per_thread.sale_serializer = SaleSerializer()
        serializer.fields  # noqa: B018 - build the fields now, once
    serializer._context = {"request": request}
    try:
        return serializer.to_representation(sale)
    finally:
        serializer._context = {}


class SaleCreateSerializer(StrictSerializer):
    listing = serializers.IntegerField()
    sale_format = serializers.ChoiceField(choices=SaleFormat.choices, required=False)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField()
    start_price = _money(required=False)
    reserve_price = _money(required=False)
    buy_now_price = _money(required=False)
    soft_close_window_minutes = serializers.IntegerField(required=False, min_value=0)
    soft_close_max_extension_minutes = serializers.IntegerField(required=False, min_value=0)
    domestic_first_hours = serializers.IntegerField(required=False, min_value=0)


class BidCreateSerializer(StrictSerializer):
    max_amount = _money(help_text="Your secret maximum; the system bids for you up to it.")


class BidHistorySerializer(StrictSerializer):
    bidder_label = serializers.CharField(help_text='"Bidder 1", "Bidder 2", … per sale.')
    amount = _money()
    created_at = serializers.DateTimeField()
    is_automatic = serializers.BooleanField(help_text="Placed by a proxy on its bidder's behalf.")
    is_mine = serializers.BooleanField()
    is_max_raise = serializers.BooleanField()
    max_amount = _money(allow_null=True, help_text="Only on your own bids.")


class OfferSerializer(StrictModelSerializer):
    buyer_organisation = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = [
            "id",
            "sale",
            "parent",
            "buyer_organisation",
            "made_by_seller",
            "amount",
            "status",
            "expires_at",
            "created_at",
            "responded_at",
        ]
        read_only_fields = fields

    def get_buyer_organisation(self, offer: Offer) -> str:
        return offer.buyer_organisation.legal_name


class OfferCreateSerializer(StrictSerializer):
    amount = _money()
    validity_hours = serializers.IntegerField(required=False)


class TenderBidSerializer(StrictModelSerializer):
    bidder_organisation = serializers.CharField(
        source="bidder_organisation.legal_name", read_only=True
    )

    class Meta:
        model = TenderBid
        fields = [
            "id",
            "sale",
            "bidder_organisation",
            "fixed_jpy_per_dry_tonne",
            "payables_pct",
            "penalties",
            "submitted_at",
            "withdrawn_at",
            "rank",
            "value_jpy",
        ]
        read_only_fields = fields


class TenderBidCreateSerializer(StrictSerializer):
    fixed_jpy_per_dry_tonne = _money(required=False)
    payables_pct = serializers.DictField(
        child=serializers.DecimalField(max_digits=7, decimal_places=4),
        required=False,
        help_text="Payable % of the reference price per element: " + ", ".join(PAYABLE_ELEMENTS),
    )
    penalties = PenaltySerializer(many=True, required=False)

    def validate(self, attrs):
        if ("fixed_jpy_per_dry_tonne" in attrs) == bool(attrs.get("payables_pct")):
            raise serializers.ValidationError(
                "Give either fixed_jpy_per_dry_tonne or payables_pct, not both or neither."
            )
        return attrs


class OrderSerializer(StrictModelSerializer):
    listing_title = serializers.CharField(source="listing.title", read_only=True)
    buyer_organisation = serializers.CharField(
        source="buyer_organisation.legal_name", read_only=True
    )
    seller_organisation = serializers.CharField(
        source="seller_organisation.legal_name", read_only=True
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "sale",
            "listing",
            "listing_title",
            "buyer_organisation",
            "seller_organisation",
            "origin",
            "amount",
            "currency",
            "cross_border",
            "status",
            "created_at",
        ]
        read_only_fields = fields


class PrecheckSerializer(StrictSerializer):
    material = serializers.CharField()
    origin = serializers.CharField()
    destination = serializers.CharField()
    allowed = serializers.BooleanField()
    regime = serializers.CharField()
    blocks = serializers.ListField(child=serializers.DictField())
    consents_required = serializers.ListField(child=serializers.DictField())
    documents = serializers.ListField(child=serializers.CharField())
    transport = serializers.DictField()
    needs_officer_review = serializers.BooleanField()
    rules_version = serializers.CharField()
