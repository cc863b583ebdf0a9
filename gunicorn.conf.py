"""Production web server configuration (gunicorn reads ./gunicorn.conf.py by default).

    gunicorn marketplace.wsgi:application        # from the repository root

Two processes per core, two threads each. A request's Python is CPU work (about 4 ms for an
API call here) done under one process's GIL, so the processes, not the threads, use the
cores; a second process per core runs while the first waits for PostgreSQL or Redis, and the
second thread keeps a process answering while one request waits on Stripe. More threads per
process only queue for that GIL, and on a hot auction they let bids sent later overtake bids
sent earlier inside the server, which refuses the earlier ones as too low
(docs/benchmarks.md, "Web tier"). Every figure can be overridden from the environment without
editing this file.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1))))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
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
    """A thread back from PostgreSQL or Redis waits for the GIL until the running thread's
    switch interval ends (5 ms by default), and an API request makes three or four such round
    trips. A 0.5-ms interval returns the GIL to the waiting thread within half a millisecond."""
    import sys

    sys.setswitchinterval(float(os.environ.get("GUNICORN_SWITCH_INTERVAL_S", "0.0005")))
