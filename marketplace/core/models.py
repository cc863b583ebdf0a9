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


class OutboxTask(models.Model):
    """A Celery task recorded in the same transaction as the work that needs it.

    Sent on commit and deleted once the broker has it; if the broker is down, the row stays
    and the `core.dispatch_outbox` sweeper sends it later. Tasks are idempotent, so a row
    sent twice (sent, then the delete lost) does no harm.
    """

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    eta = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.task_name}({self.kwargs})"


class IdempotencyRecord(models.Model):
    """The stored answer to a POST sent with an Idempotency-Key, replayed on a retry."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
