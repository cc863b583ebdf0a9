"""The Celery application: Redis when REDIS_URL is set, else a filesystem broker in var/."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

app = Celery("marketplace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _prepare_pool_for_fork(**_kwargs) -> None:
    """Before the prefork pool forks its processes (marketplace/core/forking.py)."""
    from marketplace.core.forking import prepare_for_fork

    prepare_for_fork(import_urlconf=False)
