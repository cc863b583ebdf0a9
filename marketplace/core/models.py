from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A row written by the Celery worker each minute, so staff can see it is alive."""

    task_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    recorded_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("worker heartbeat")

    def __str__(self) -> str:
        return f"{self.hostname} (pid {self.pid}) at {self.recorded_at:%Y-%m-%d %H:%M:%S}"
