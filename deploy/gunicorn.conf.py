"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py 'portal:create_app()'`.

Every value can be overridden with the environment variables named here, so one
file serves any number of app servers (docs/deploy.md).
"""

import gc
import multiprocessing
import os

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
# Threads make the wait on the database cheap; processes use the cores.
workers = int(os.environ.get("PORTAL_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("PORTAL_THREADS", 4))
worker_class = "gthread"
timeout = int(os.environ.get("PORTAL_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Requests are logged by the app's own access lines; gunicorn logs errors only.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("PORTAL_LOG_LEVEL", "info")
# Drop a worker now and then so a slow leak can never grow without bound. Not often: a
# new worker spends over a second of CPU starting the app, which every 5,000 requests
# (a few seconds of a busy worker) cost as much again as a cached page.
max_requests = int(os.environ.get("PORTAL_MAX_REQUESTS", 100_000))
max_requests_jitter = max_requests // 10


def post_worker_init(worker):
    """Move everything start-up made (the app, templates, SQLAlchemy's mappers) out of
    the garbage collector's sight: a warmed worker holds ~128k objects that would
    otherwise be walked by every full collection, tens of milliseconds each.
    ``PORTAL_GC_FREEZE=0`` leaves the collector as it is (to compare)."""
    if os.environ.get("PORTAL_GC_FREEZE", "1") != "0":
        gc.collect()
        gc.freeze()
