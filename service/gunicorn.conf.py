"""gunicorn settings of the moderation API; ``moderation serve`` adds ``--bind`` and ``--workers``.

Override any of them without editing this file through ``GUNICORN_CMD_ARGS``, e.g.
``GUNICORN_CMD_ARGS="--threads 1 --access-logfile -"``.
"""

import gc
import os
import shutil
import tempfile

wsgi_app = "service:create_app()"

# The app, and with it the model, is created once in the master before the workers are
# forked, so that they share its memory instead of each loading a copy.
preload_app = True

# Threads keep HTTP keep-alive connections open (the sync worker closes each one) and let a
# worker wait on the database for one request while it scores another. Two, not more: requests
# are CPU-bound, and more threads only take turns at the GIL, which stretches the slowest ones
# (benchmarks/api_load.py, 2 workers: p99 315 ms with 4 threads, 65-78 ms with 2, 69-85 ms with
# 1 on SQLite; 4 threads also served fewer requests than 1 or 2 on both databases).
worker_class = "gthread"
workers = 2
threads = 2
keepalive = 5
timeout = 30
graceful_timeout = 20

errorlog = "-"
loglevel = "info"
accesslog = None  # the request latency histogram in /metrics covers what this would
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # heartbeat files off a possibly slow disk (e.g. in Docker)

# Each worker is a process of its own: prometheus_client writes every worker's metrics to
# files in this folder, and /metrics adds them up. It must be set before the app (and with it
# prometheus_client) is loaded, and be empty at start: files of an earlier run would be
# counted again. So each start gets a new folder, unless one is given (then empty it first).
# Not emptied here: the preloaded app has already written the model and policy gauges when
# gunicorn's first hook runs.
# The folder made here is removed again when gunicorn exits; it is remembered in the
# environment because gunicorn reads this file again on a reload (HUP).
_MADE_HERE = "MODERATION_METRICS_DIR_MADE_BY_GUNICORN_CONF"
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.environ[_MADE_HERE] = tempfile.mkdtemp(
        prefix="moderation-metrics-")


def pre_fork(server, worker):
    """Keep what the master loaded (the app, the model) out of the workers' garbage collections.

    A full collection walks every tracked object: with the model loaded that is about 0.1 s,
    during which the worker answers nothing (it showed as p99 latency). Frozen objects are
    never walked, and the collector no longer writes to the pages the workers share with the
    master. See the gc.freeze() documentation.
    """
    gc.freeze()


def child_exit(server, worker):
    """Drop the live gauges of a worker that exited."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the metrics folder this start made (one given from outside is left alone)."""
    made = os.environ.get(_MADE_HERE)
    if made is not None and made == os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        shutil.rmtree(made, ignore_errors=True)
