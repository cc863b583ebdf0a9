from django.contrib import admin

from marketplace.trading.models import (
    Bid,
    Offer,
    Order,
    OrderEvent,
    ReferencePrice,
    Sale,
    SaleEvent,
    TenderBid,
    TenderClose,
)


@admin.register(ReferencePrice)
class ReferencePriceAdmin(admin.ModelAdmin):
    list_display = ("element", "effective_date", "price_jpy_per_kg", "source", "created_by")
    list_filter = ("element",)
    date_hierarchy = "effective_date"
    search_fields = ("source",)
    readonly_fields = ("created_by", "created_at")
    ordering = ("element", "-effective_date")

    def save_model(self, request, obj, form, change):
        # Admin edits are corrections by staff; keep who recorded a new row.
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Sales move only through the services (locks, events, orders): the admin only reads.

    Sealed bids are visible here to superusers only after the close would be the ideal; for now
    the tender-bid admin is not registered at all, so staff cannot read bids before the close.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SaleEventInline(admin.TabularInline):
    model = SaleEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "from_status", "to_status", "actor", "reason", "data", "created_at")


@admin.register(Sale)
class SaleAdmin(ReadOnlyAdmin):
    list_display = ("pk", "listing", "format", "status", "current_price", "bid_count", "ends_at")
    list_filter = ("format", "status")
    inlines = [SaleEventInline]
    exclude = ("reserve_price",)


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("pk", "listing", "buyer_organisation", "amount", "currency", "status")
    list_filter = ("status", "origin", "cross_border")


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ("pk", "sale", "buyer_organisation", "made_by_seller", "amount", "status")


@admin.register(TenderClose)
class TenderCloseAdmin(ReadOnlyAdmin):
    list_display = ("sale", "closed_at")


# Bid (proxy maxima) and TenderBid (sealed amounts) are deliberately not registered: their
# secrets stay out of the admin. OrderEvent is read through the order's history if needed.
__all__ = ["Bid", "OrderEvent", "TenderBid"]
