from django.contrib import admin

from marketplace.core.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["recorded_at", "hostname", "pid", "task_id"]
    readonly_fields = ["recorded_at", "hostname", "pid", "task_id"]
