from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.payments.choices import PaymentPurpose, PaymentStatus


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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment")

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
