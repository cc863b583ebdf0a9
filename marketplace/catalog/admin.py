"""Admin for staff to look things up. Workflow moves go through services, so the status
and the event trail are read-only here."""

from django.contrib import admin

from marketplace.catalog.models import (
    BatteryPack,
    BlackMassLot,
    Listing,
    ListingAttachment,
    ListingEvent,
    ModuleLot,
    SavedSearch,
    UsedVehicle,
    WatchlistEntry,
)


class ListingEventInline(admin.TabularInline):
    model = ListingEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "reason", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ListingAttachmentInline(admin.TabularInline):
    model = ListingAttachment
    extra = 0
    readonly_fields = ["kind", "original_name", "content_type", "size_bytes", "uploaded_by"]
    exclude = ["file"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["title", "listing_type", "status", "price", "currency", "seller", "country"]
    list_filter = ["listing_type", "status", "sale_format", "currency", "country"]
    search_fields = ["title", "vehicle__vin", "pack__serial_number", "seller__legal_name"]
    list_select_related = ["seller"]
    raw_id_fields = ["seller", "created_by", "vehicle", "pack", "module_lot", "black_mass_lot"]
    readonly_fields = ["status", "published_at", "created_at", "updated_at"]
    inlines = [ListingAttachmentInline, ListingEventInline]


@admin.register(BatteryPack)
class BatteryPackAdmin(admin.ModelAdmin):
    list_display = ["serial_number", "manufacturer", "chemistry", "rated_capacity_kwh", "soh_pct"]
    list_filter = ["chemistry", "grade", "soh_source"]
    search_fields = ["serial_number", "manufacturer"]
    raw_id_fields = ["owner"]


@admin.register(UsedVehicle)
class UsedVehicleAdmin(admin.ModelAdmin):
    list_display = ["vin", "make", "model", "year", "odometer_km"]
    search_fields = ["vin", "make", "model"]
    raw_id_fields = ["owner", "battery_pack"]


@admin.register(ModuleLot)
class ModuleLotAdmin(admin.ModelAdmin):
    list_display = ["lot_number", "module_type", "module_count", "total_capacity_kwh", "chemistry"]
    list_filter = ["chemistry", "condition", "grade"]
    search_fields = ["lot_number", "module_type"]
    raw_id_fields = ["owner"]


@admin.register(BlackMassLot)
class BlackMassLotAdmin(admin.ModelAdmin):
    list_display = ["lot_number", "source_chemistry", "wet_weight_kg", "moisture_pct", "ni_pct"]
    list_filter = ["source_chemistry", "form"]
    search_fields = ["lot_number", "lab_name", "lab_report_number"]
    raw_id_fields = ["owner"]


admin.site.register(SavedSearch)
admin.site.register(WatchlistEntry)
