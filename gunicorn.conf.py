"""Production web server configuration (gunicorn reads ./gunicorn.conf.py by default).

    GUNICORN_BIND=unix:/run/battery-market/web.sock gunicorn marketplace.wsgi:application

behind nginx (docs/deployment.md: nginx keeps the clients' connections alive, buffers slow
clients and serves static files; with BEHIND_PROXY=true the app takes the client's address
from the X-Real-IP header nginx sets).

Sync workers, one per core plus one. A sync worker takes a connection from the shared socket only
when it is free, so every request waits in one queue and is served in the order it came: on a
hot auction a bid sent later cannot overtake one sent earlier, which the server would then
refuse as too low. Threaded workers take their share of keep-alive connections and each serve
them from a queue of their own; measured on one lot with 16 bidders, 36-58 % of the bids
were overtaken that way, 0-1 % with sync workers (docs/benchmarks.md, "Web tier"). A
request's Python is CPU work under one process's GIL, so processes, not threads, use the
cores; the extra worker runs while another waits for PostgreSQL or Redis. More workers than
that only take turns on the cores, and every one that is paused mid-request lets later bids
overtake the one it holds (2 cores: 3 workers answered as many bids as 5, with a fifth of the
refusals). Requests that wait on Stripe hold a worker each: raise WEB_CONCURRENCY where
payments are busy. Every figure can be overridden from the environment without editing this
file.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
workers = int(os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) + 1)))
# More than one thread turns the sync worker into gthread (gunicorn's rule).
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Import the project once in the master: workers fork with the URLconf, views and serializers
# loaded (no slow first requests) and share those pages copy-on-write. Django opens no
# database connection at import, so no connection is shared across the fork.
preload_app = True
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))  # threaded workers only
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# The client's address and the request line are enough; %(D)s is the worker's time in µs.
access_log_format = os.environ.get("GUNICORN_ACCESS_LOG_FORMAT", '%(h)s "%(r)s" %(s)s %(b)s %(D)s')
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def when_ready(server):
    """In the master, once the project is loaded (preload_app) and before any worker forks."""
    from marketplace.core.forking import prepare_for_fork

    prepare_for_fork()


def post_fork(server, worker):
    """A thread back from PostgreSQL or Redis waits for the GIL until the running thread's
    switch interval ends (5 ms by default). With threaded workers an API request makes three
    or four such round trips; a 0.5-ms interval returns the GIL within half a millisecond."""
    import sys

    sys.setswitchinterval(float(os.environ.get("GUNICORN_SWITCH_INTERVAL_S", "0.0005")))
