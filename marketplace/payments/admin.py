from django.contrib import admin

from marketplace.payments.models import Payment, StripeEvent


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "purpose", "reference", "amount", "currency", "status"]
    list_filter = ["purpose", "status", "currency"]
    readonly_fields = [f.name for f in Payment._meta.fields]


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["received_at", "type", "event_id"]
    readonly_fields = ["event_id", "type", "stripe_created", "payload", "received_at"]
