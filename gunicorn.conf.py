"""Production web server configuration (gunicorn reads ./gunicorn.conf.py by default).

    gunicorn marketplace.wsgi:application        # from the repository root

Threads, not processes, per core: a request spends most of its time waiting for PostgreSQL and
Redis, and a thread waiting costs a few MB where a process costs ~100 MB. Two processes per two
cores keep the GIL from serialising everything; more processes than cores only adds context
switches while a bid holding an auction's row lock waits for a CPU (docs/benchmarks.md).
Every figure can be overridden from the environment without editing this file.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", str(os.cpu_count() or 2)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Import the project once in the master: workers fork with the URLconf, views and serializers
# loaded (no slow first requests) and share those pages copy-on-write. Django opens no
# database connection at import, so no connection is shared across the fork.
preload_app = True
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))  # behind a proxy that reuses them
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# The client's address and the request line are enough; %(D)s is the worker's time in µs.
access_log_format = os.environ.get("GUNICORN_ACCESS_LOG_FORMAT", '%(h)s "%(r)s" %(s)s %(b)s %(D)s')
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def post_fork(server, worker):
    """A thread back from PostgreSQL waits for the GIL until the running thread's switch
    interval ends (5 ms by default). A bid holds its auction's row lock across three round
    trips, so on a hot lot every such wait lengthens the lock for every bidder queued behind
    it. A 0.5-ms interval returns the GIL to the waiting thread within half a millisecond."""
    import sys

    sys.setswitchinterval(float(os.environ.get("GUNICORN_SWITCH_INTERVAL_S", "0.0005")))
