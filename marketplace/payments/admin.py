from django.contrib import admin

from marketplace.payments.models import (
    AssayResult,
    Invoice,
    Payment,
    Payout,
    Refund,
    SellerPayoutAccount,
    StripeEvent,
)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "purpose", "reference", "amount", "currency", "status"]
    list_filter = ["purpose", "status", "currency", "deposit_outcome"]
    readonly_fields = [f.name for f in Payment._meta.fields]


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["received_at", "type", "event_id"]
    readonly_fields = ["event_id", "type", "stripe_created", "payload", "received_at"]


# Money records are written by the services only; the admin shows them read-only.
class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Refund)
class RefundAdmin(_ReadOnly):
    list_display = ["created_at", "order", "reason", "amount", "currency", "status"]
    list_filter = ["reason", "status"]


@admin.register(Payout)
class PayoutAdmin(_ReadOnly):
    list_display = ["created_at", "order", "seller_organisation", "gross", "fee", "net", "status"]
    list_filter = ["method", "status"]


@admin.register(Invoice)
class InvoiceAdmin(_ReadOnly):
    list_display = ["issued_at", "number", "order", "kind", "lot_value_jpy", "amount_due_jpy"]


@admin.register(AssayResult)
class AssayResultAdmin(_ReadOnly):
    list_display = ["recorded_at", "order", "party", "laboratory"]


@admin.register(SellerPayoutAccount)
class SellerPayoutAccountAdmin(admin.ModelAdmin):
    """Staff link a seller to its Stripe Connect account after Stripe's onboarding."""

    list_display = ["organisation", "stripe_account_id", "created_at"]
    search_fields = ["organisation__legal_name", "stripe_account_id"]
