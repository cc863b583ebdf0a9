import os
import socket
from datetime import timedelta

from django.utils import timezone

from marketplace.core.models import WorkerHeartbeat

HEARTBEAT_RETENTION = timedelta(days=1)


def heartbeat_record(*, task_id: str) -> WorkerHeartbeat:
    """Record that a worker ran; keyed by task id so a redelivered task adds nothing."""
    now = timezone.now()
    heartbeat, _ = WorkerHeartbeat.objects.get_or_create(
        task_id=task_id,
        defaults={"hostname": socket.gethostname(), "pid": os.getpid(), "recorded_at": now},
    )
    WorkerHeartbeat.objects.filter(recorded_at__lt=now - HEARTBEAT_RETENTION).delete()
    return heartbeat
