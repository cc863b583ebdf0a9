from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentPurpose(models.TextChoices):
    DEPOSIT = "deposit", _("Bidder deposit")
    ORDER = "order", _("Order payment")
    INVOICE = "invoice", _("Invoice")


class PaymentStatus(models.TextChoices):
    """Stripe's PaymentIntent statuses that matter to us, in the order they can happen."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method", _("Awaiting payment method")
    REQUIRES_CONFIRMATION = "requires_confirmation", _("Awaiting confirmation")
    REQUIRES_ACTION = "requires_action", _("Awaiting customer action")
    PROCESSING = "processing", _("Processing")
    REQUIRES_CAPTURE = "requires_capture", _("Authorised, not captured")
    SUCCEEDED = "succeeded", _("Paid")
    CANCELED = "canceled", _("Cancelled")


# A final status is never overwritten by an older or a non-final event.
FINAL_STATUSES = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.CANCELED})
