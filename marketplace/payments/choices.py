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

# Statuses in which a payment may still become money (not failed, not cancelled).
LIVE_STATUSES = frozenset(
    {
        PaymentStatus.REQUIRES_CONFIRMATION,
        PaymentStatus.REQUIRES_ACTION,
        PaymentStatus.PROCESSING,
        PaymentStatus.REQUIRES_CAPTURE,
    }
)


class DepositOutcome(models.TextChoices):
    """What became of a bidder deposit; blank while it is a live hold."""

    CAPTURED = "captured", _("Captured and applied to the order")
    RELEASED = "released", _("Released")
    RENEWED = "renewed", _("Replaced by a renewed hold")
    EXPIRED = "expired", _("Expired: authorise again")


class RefundReason(models.TextChoices):
    CANCELLATION = "cancellation", _("Order cancelled")
    SETTLEMENT = "settlement", _("Final settlement below the provisional invoice")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Failed")


class PayoutMethod(models.TextChoices):
    STRIPE_TRANSFER = "stripe_transfer", _("Stripe transfer to the seller's connected account")
    MANUAL = "manual", _("Paid outside Stripe (bank transfer by platform staff)")


class PayoutStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded, to be paid by bank transfer")
    TRANSFERRED = "transferred", _("Transferred")


class InvoiceKind(models.TextChoices):
    PROVISIONAL = "provisional", _("Provisional invoice")
    FINAL = "final", _("Final invoice")


class AssayParty(models.TextChoices):
    SELLER = "seller", _("Seller's laboratory")
    BUYER = "buyer", _("Buyer's laboratory")
    UMPIRE = "umpire", _("Umpire laboratory")


class SettlementState(models.TextChoices):
    """Black-mass settlement (diagnostics.md 4.5): derived from invoices and assays, not stored."""

    NOT_STARTED = "not_started", _("Not started")
    PROVISIONAL = "provisional", _("Provisionally invoiced")
    EXCHANGED = "exchanged", _("Assays exchanged")
    UMPIRE = "umpire", _("Awaiting the umpire assay")
    FINAL = "final", _("Finally invoiced")
