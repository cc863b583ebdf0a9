"""Ready the master of a preforking server (gunicorn, Celery's prefork pool) before it forks.

Python's cyclic garbage collector walks every container object it tracks whenever enough new
ones pile up, and the oldest generation is the whole loaded project: Django, DRF, the models,
the URLconf. On the bid path that walk was a fifth of the instructions a request ran
(valgrind, docs/benchmarks.md). ``gc.freeze()`` after start-up moves those objects out of the
collector's sight for good; they live as long as the process anyway. Importing the URLconf
first puts the views and serializers that every worker would import on its first request
among them, and keeps their pages shared between the forked workers.
"""

from __future__ import annotations

import gc

# Collections of the young generation after 10,000 new containers instead of 700: a request
# allocates a few thousand, so most of them are freed by reference counting before a
# collection would look at them.
GC_THRESHOLDS = (10_000, 20, 100)


def prepare_for_fork(*, import_urlconf: bool = True) -> None:
    if import_urlconf:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 - imports every URLconf, view and serializer
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
