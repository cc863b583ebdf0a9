from django.contrib import admin

from marketplace.trading.models import ReferencePrice


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
