from celery import shared_task

from marketplace.core import services


@shared_task(name="core.record_heartbeat", bind=True)
def record_heartbeat(self) -> int:
    return services.heartbeat_record(task_id=self.request.id or "eager").pk
