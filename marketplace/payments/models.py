from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import Organisation
from marketplace.payments.choices import (
    AssayParty,
    DepositOutcome,
    InvoiceKind,
    PaymentPurpose,
    PaymentStatus,
    PayoutMethod,
    PayoutStatus,
    RefundReason,
    RefundStatus,
)


def _money(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=16, decimal_places=2, **kwargs)


class Payment(models.Model):
    """Our record of one Stripe PaymentIntent, kept current by webhooks."""

    purpose = models.CharField(_("purpose"), max_length=20, choices=PaymentPurpose.choices)
    reference = models.CharField(
        _("reference"), max_length=100, help_text=_("What is being paid, e.g. listing:12.")
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="JPY")
    manual_capture = models.BooleanField(default=False)
    stripe_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=32,
        choices=PaymentStatus.choices,
        default=PaymentStatus.REQUIRES_PAYMENT_METHOD,
    )
    # Stripe's `created` of the newest event applied: an older event arriving late is ignored.
    status_event_created = models.BigIntegerField(default=0)
    # What actually reached the platform (a deposit may be captured in part).
    amount_received = _money(_("amount received"), default=0)
    # A deposit belongs to a sale and the bidding organisation; an order payment (and a captured
    # deposit, once applied) to an order; an invoice balance to its invoice.
    sale = models.ForeignKey(
        "trading.Sale", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    order = models.ForeignKey(
        "trading.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    invoice = models.ForeignKey(
        "Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    # Kept for deposits so the renewal sweep can place a new hold on the same card.
    payment_method_id = models.CharField(max_length=255, blank=True)
    authorised_at = models.DateTimeField(null=True, blank=True)
    deposit_outcome = models.CharField(
        _("deposit outcome"), max_length=20, choices=DepositOutcome.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment")
        constraints = [
            # One live hold per bidder and sale: a renewal releases the old one first.
            models.UniqueConstraint(
                fields=["sale", "organisation"],
                condition=Q(purpose="deposit", deposit_outcome=""),
                name="payments_one_live_deposit_per_bidder",
            ),
            models.CheckConstraint(
                condition=Q(amount_received__lte=F("amount")), name="payments_received_le_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.amount} {self.currency} ({self.status})"


class StripeEvent(models.Model):
    """Each webhook event once. Stored in the same transaction as its effect."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    stripe_created = models.BigIntegerField()
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class Refund(models.Model):
    """Money given back on one payment. One per payment and reason: a retry finds its row."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    order = models.ForeignKey("trading.Order", on_delete=models.PROTECT, related_name="refunds")
    reason = models.CharField(_("reason"), max_length=20, choices=RefundReason.choices)
    amount = _money(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=20, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    stripe_refund_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("refund")
        constraints = [
            models.UniqueConstraint(fields=["payment", "reason"], name="payments_refund_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_refund_positive"),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} {self.currency} on payment {self.payment_id}"


class SellerPayoutAccount(models.Model):
    """A seller's Stripe Connect account, where the platform transfers payouts."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="payout_account"
    )
    stripe_account_id = models.CharField(_("Stripe connected account"), max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.organisation} → {self.stripe_account_id}"


class Payout(models.Model):
    """The seller's share of an order, released once compliance and the buyer allow it.

    One per order. ``delivery_confirmed_at`` is required and a cross-border payout must name the
    approved shipment case, so a row written around the service still cannot skip either gate.
    """

    order = models.OneToOneField("trading.Order", on_delete=models.PROTECT, related_name="payout")
    seller_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="payouts"
    )
    gross = _money(_("collected from the buyer"))
    fee = _money(_("platform fee"))
    net = _money(_("paid to the seller"))
    currency = models.CharField(_("currency"), max_length=3)
    fee_pct = models.DecimalField(_("fee (%)"), max_digits=6, decimal_places=3)
    fee_rules_version = models.CharField(max_length=40)
    method = models.CharField(_("method"), max_length=20, choices=PayoutMethod.choices)
    status = models.CharField(_("status"), max_length=20, choices=PayoutStatus.choices)
    stripe_transfer_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    cross_border = models.BooleanField()
    compliance_case = models.ForeignKey(
        "compliance.ShipmentCase", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivery_confirmed_at = models.DateTimeField()
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("payout")
        constraints = [
            models.CheckConstraint(
                condition=Q(net=F("gross") - F("fee")), name="payments_payout_net_is_gross_less_fee"
            ),
            models.CheckConstraint(
                condition=Q(fee__gte=0) & Q(net__gte=0), name="payments_payout_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(cross_border=False) | Q(compliance_case__isnull=False),
                name="payments_payout_cross_border_needs_case",
            ),
        ]

    def __str__(self) -> str:
        return f"payout {self.net} {self.currency} for order {self.order_id}"


class AssayResult(models.Model):
    """One laboratory's dry assay of a black-mass order's lot (wt % per element)."""

    order = models.ForeignKey("trading.Order", on_delete=models.PROTECT, related_name="assays")
    party = models.CharField(_("party"), max_length=10, choices=AssayParty.choices)
    # xgettext:no-python-format
    assay_pct = models.JSONField(_("assay (% of dry mass)"))
    laboratory = models.CharField(_("laboratory"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "recorded_at", "pk"]
        verbose_name = _("assay result")
        constraints = [
            models.UniqueConstraint(fields=["order", "party"], name="payments_one_assay_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.get_party_display()} assay of order {self.order_id}"


class Invoice(models.Model):
    """A black-mass settlement invoice. Figures are stored as issued; they never change."""

    order = models.ForeignKey("trading.Order", on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(_("kind"), max_length=20, choices=InvoiceKind.choices)
    number = models.CharField(_("number"), max_length=40, unique=True)
    currency = models.CharField(_("currency"), max_length=3, default="JPY")
    wet_kg = models.DecimalField(_("wet weight (kg)"), max_digits=14, decimal_places=3)
    moisture_pct = models.DecimalField(_("moisture (%)"), max_digits=6, decimal_places=3)
    dry_kg = models.DecimalField(_("dry weight (kg)"), max_digits=18, decimal_places=6)
    # The assay the invoice is priced on, and how it was reached (each party's figures, the
    # splitting limits, which elements went to the umpire).
    assay_pct = models.JSONField(_("assay used (%)"))
    assay_basis = models.JSONField(_("assay basis"), default=dict)
    lines = models.JSONField(_("lines"))
    lot_value_jpy = models.BigIntegerField(_("lot value (JPY)"))
    share_pct = models.DecimalField(_("share invoiced (%)"), max_digits=6, decimal_places=2)
    invoiced_before_jpy = models.BigIntegerField(_("invoiced before (JPY)"), default=0)
    # Positive: the buyer owes it; negative: the platform refunds it.
    amount_due_jpy = models.BigIntegerField(_("amount due (JPY)"))
    terms_version = models.CharField(max_length=40)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "issued_at", "pk"]
        verbose_name = _("invoice")
        constraints = [
            models.UniqueConstraint(fields=["order", "kind"], name="payments_one_invoice_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"
