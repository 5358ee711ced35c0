"""Gunicorn settings for a Jixiao app server (`gunicorn -c deploy/gunicorn.conf.py jixiao.wsgi`).

Every figure can be overridden from the environment. The defaults suit an intranet app
server behind nginx: eight single-threaded workers per core, the shape that kept the
deadline rush's p95 lowest on two cores (bench/load/README.md), about 125 MB of memory
each. An upload holds its worker while its child process parses (docs/deployment.md,
"Uploads"); the public rating server runs few workers with many threads instead.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(8 * (os.cpu_count() or 1))))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# Longer than the slowest page (a province's ranking, an upload's parse, which is itself
# capped at JIXIAO_PARSE_WALL_SECONDS = 180 s): a worker silent for this long is stuck
# and is replaced. Long work (PDF batches, exports, recomputes) runs on Celery workers.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "200"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# nginx keeps connections to us open; this must exceed nginx's keepalive_timeout upstream.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# Recycle workers now and then (with jitter, so not all at once) against slow leaks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
# Only nginx (on this host or the load balancer's address) may set X-Forwarded-*.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "warning")


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    """With PROMETHEUS_MULTIPROC_DIR set, workers share their counters through files in
    it; a dead worker's gauges are dropped so /metrics sums the live ones only."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# Garbage collection. A worker holds a few hundred thousand long-lived objects (Django,
# the URL and template caches, translation catalogs, scoring caches); each full
# collection walked all of them and held the GIL for 80–300 ms under load, stalling every
# thread of the worker at once (bench/load/README.md; 17 ms at most with this). Objects
# alive once the worker has warmed up are frozen out of collection
# (gc.freeze, after a collection so no garbage is frozen); collections then walk only
# what was made since.
FREEZE_AFTER_REQUESTS = (1, 200, 2000)


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    import gc

    gc.collect()
    gc.freeze()
    worker.jixiao_requests = 0


def post_request(worker, req, environ, resp):  # type: ignore[no-untyped-def]
    import gc

    worker.jixiao_requests = getattr(worker, "jixiao_requests", 0) + 1
    if worker.jixiao_requests in FREEZE_AFTER_REQUESTS:
        gc.collect()
        gc.freeze()
