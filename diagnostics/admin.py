from django.contrib import admin

from diagnostics.models import RegisteredMethod


@admin.register(RegisteredMethod)
class RegisteredMethodAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "method_code",
        "instrument_make",
        "instrument_model",
        "calibration_date",
        "stated_u95_pp",
        "is_active",
    ]
    list_filter = ["method_code", "is_active"]
    search_fields = ["organisation__legal_name", "instrument_make", "instrument_model"]
    raw_id_fields = ["organisation", "registered_by"]
    readonly_fields = ["created_at", "retired_at"]
