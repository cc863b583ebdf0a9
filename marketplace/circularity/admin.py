from django.contrib import admin

from marketplace.circularity.models import PassportRecord


@admin.register(PassportRecord)
class PassportRecordAdmin(admin.ModelAdmin):
    list_display = ["passport_id", "pack", "created_at"]
    search_fields = ["passport_id", "pack__serial_number", "pack__manufacturer"]
    readonly_fields = ["pack", "passport_id", "created_at"]

    def has_add_permission(self, request) -> bool:
        # Records are created by the passport service when a pack's passport is first shown.
        return False
