from celery import shared_task

from marketplace.core import services


@shared_task(name="core.record_heartbeat", bind=True)
def record_heartbeat(self) -> int:
    return services.heartbeat_record(task_id=self.request.id or "eager").pk


@shared_task(name="core.dispatch_outbox")
def dispatch_outbox() -> int:
    from marketplace.core.outbox import dispatch_pending

    return dispatch_pending()
