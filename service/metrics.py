"""Prometheus metrics: request latency per route, decisions, the model and policy served.

Under gunicorn each worker is its own process; ``gunicorn.conf.py`` sets
``PROMETHEUS_MULTIPROC_DIR`` so that the workers write their values there and ``/metrics``
adds them up, whichever worker answers.
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUEST_LATENCY = Histogram(
    "moderation_request_duration_seconds",
    "Time to answer a request, by route.",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
DECISIONS = Counter(
    "moderation_decisions_total", "Automated decisions on comments, by outcome.", ["decision"]
)
DECISION_REASONS = Counter(
    "moderation_decision_reasons_total",
    "Reasons given with automated decisions, by outcome and reason code.",
    ["decision", "code"],
)
REVIEWS = Counter("moderation_reviews_total", "Moderator decisions, by outcome.", ["decision"])
# "livemax": with several workers, a version counts as served while any live worker serves it.
MODEL = Gauge(
    "moderation_model_info",
    "The classifier model version: 1 while served, 0 after it was replaced.",
    ["version"],
    multiprocess_mode="livemax",
)
POLICY = Gauge(
    "moderation_policy_info",
    "The policy version served.",
    ["version"],
    multiprocess_mode="livemax",
)


#: Methods timed under their own name; any other is timed as "other" (see _observe).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})


def init_app(app: Flask) -> None:
    """Time every request."""
    app.before_request(_start_timer)
    app.after_request(_observe)


def decided(decision: str, codes: list[str]) -> None:
    """Count an automated decision and the codes of its reasons."""
    DECISIONS.labels(decision).inc()
    for code in codes:
        DECISION_REASONS.labels(decision, code).inc()


def reviewed(decision: str) -> None:
    """Count a moderator's decision."""
    REVIEWS.labels(decision).inc()


def model_changed(version: str, previous: str | None) -> None:
    """Record that ``version`` replaced ``previous`` (None: the first model)."""
    if previous is not None and previous != version:
        MODEL.labels(previous).set(0)
    MODEL.labels(version).set(1)


def policy_loaded(version: str) -> None:
    """Record the policy version served."""
    POLICY.labels(version).set(1)


def exposition() -> Response:
    """The metrics in Prometheus' text format, of all workers when there are several."""
    registry = REGISTRY
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _start_timer() -> None:
    """Note when the request started (before_request hook; runs before authentication)."""
    g.request_started = time.perf_counter()


def _observe(response: Response) -> Response:
    """Record the request's latency under its route pattern (after_request hook)."""
    started = g.get("request_started")
    if started is not None:
        # The pattern, not the path: one series per route, not one per comment id.
        route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
        # Likewise one series for all unknown methods: gunicorn passes any upper-case token
        # of 3 to 20 characters, and each new label value would be a series kept forever.
        method = request.method if request.method in METHODS else "other"
        REQUEST_LATENCY.labels(method, route, str(response.status_code)).observe(
            time.perf_counter() - started
        )
    return response
