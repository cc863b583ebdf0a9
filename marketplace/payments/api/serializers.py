from rest_framework import serializers

from marketplace.core.api.serializers import StrictModelSerializer, StrictSerializer
from marketplace.payments.choices import AssayParty
from marketplace.payments.models import AssayResult, Invoice, Payment, Payout


class PaymentMethodSerializer(StrictSerializer):
    payment_method = serializers.RegexField(
        r"^pm_[A-Za-z0-9_]{1,200}$",
        required=False,
        allow_blank=True,
        help_text="A Stripe PaymentMethod id (pm_…). Omit it to confirm with Stripe.js using "
        "the returned client_secret.",
    )


class PaymentSerializer(StrictModelSerializer):
    client_secret = serializers.SerializerMethodField(
        help_text="For Stripe.js confirmation; only in the answer that opened the payment."
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "purpose",
            "reference",
            "amount",
            "amount_received",
            "currency",
            "status",
            "stripe_intent_id",
            "deposit_outcome",
            "authorised_at",
            "created_at",
            "client_secret",
        ]
        read_only_fields = fields

    def get_client_secret(self, payment) -> str | None:
        return getattr(payment, "client_secret", None)


class MoneyEventSerializer(StrictSerializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    status = serializers.CharField()
    reference = serializers.CharField()


class PayoutSerializer(StrictModelSerializer):
    class Meta:
        model = Payout
        fields = [
            "id",
            "gross",
            "fee",
            "fee_pct",
            "net",
            "currency",
            "method",
            "status",
            "stripe_transfer_id",
            "created_at",
        ]
        read_only_fields = fields


class OrderMoneySerializer(StrictSerializer):
    order = serializers.IntegerField()
    status = serializers.CharField()
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    amount_due = serializers.DecimalField(max_digits=16, decimal_places=2)
    amount_paid = serializers.DecimalField(max_digits=16, decimal_places=2)
    collected = serializers.DecimalField(max_digits=16, decimal_places=2)
    settlement_state = serializers.CharField(allow_blank=True)
    payout = PayoutSerializer(allow_null=True)
    timeline = MoneyEventSerializer(many=True)


class InvoiceSerializer(StrictModelSerializer):
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "order",
            "kind",
            "number",
            "currency",
            "wet_kg",
            "moisture_pct",
            "dry_kg",
            "assay_pct",
            "assay_basis",
            "lines",
            "lot_value_jpy",
            "share_pct",
            "invoiced_before_jpy",
            "amount_due_jpy",
            "terms_version",
            "issued_at",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, invoice) -> str:
        return f"/payments/invoices/{invoice.pk}/pdf/"


class AssayCreateSerializer(StrictSerializer):
    party = serializers.ChoiceField(choices=AssayParty.choices)
    laboratory = serializers.CharField(max_length=200)
    assay_pct = serializers.DictField(
        child=serializers.DecimalField(max_digits=8, decimal_places=4, min_value=0, max_value=100),
        help_text='Dry assay in %, e.g. {"Ni": "20.10", "Co": "6.40"}.',
    )


class AssaySerializer(StrictModelSerializer):
    class Meta:
        model = AssayResult
        fields = ["id", "order", "party", "laboratory", "assay_pct", "recorded_at"]
        read_only_fields = fields
