"""Liveness, readiness and metrics, for load balancers and Prometheus; open without a key."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import abort
from sqlalchemy.exc import SQLAlchemyError

from service import auth, metrics
from service.api import Blueprint
from service.intake import current_policy
from service.model_registry import models
from service.problems import PROBLEM_JSON
from service.schemas import HealthSchema, NotReadySchema, ReadinessSchema
from service.storage import db

blp = Blueprint(
    "health", __name__, description="Health, readiness and metrics; no API key needed."
)


@blp.route("/healthz")
@auth.public
@blp.response(200, HealthSchema)
def healthz() -> dict[str, str]:
    """Tell that the process is up"""
    return {"status": "ok"}


@blp.route("/readyz")
@auth.public
@blp.response(200, ReadinessSchema)
@blp.alt_response(503, schema=NotReadySchema, content_type=PROBLEM_JSON)
def readyz() -> dict[str, Any]:
    """Tell whether the service can moderate

    Ready means a model is loaded and the database answers; otherwise 503 says what is
    missing.
    """
    checks = {}
    slot = models.slot()
    model = slot.get()
    if model is None:
        checks["model"] = slot.problem or "no model loaded"
    try:
        db.ping()
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        checks["database"] = f"unreachable: {reason}"
    if checks:
        summary = "; ".join(f"{name}: {problem}" for name, problem in checks.items())
        abort(503, message=f"Not ready. {summary}", extra={"checks": checks})
    return {
        "status": "ready",
        "model_version": model.version,
        "policy_version": current_policy().version,
    }


@blp.route("/metrics")
@auth.public
@blp.doc(
    responses={"200": {"description": "Prometheus text format", "content": {"text/plain": {}}}}
)
def prometheus_metrics() -> Response:
    """Expose metrics to Prometheus"""
    models.current()  # so that this worker's model version is in the metrics
    return metrics.exposition()
