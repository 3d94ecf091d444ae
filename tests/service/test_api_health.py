"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from prometheus_client import REGISTRY


def sample(name: str, **labels: str) -> float:
    """The current value of a metric sample in this process (0 if it was never set)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_healthz(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_readyz_reports_the_versions_served(client, model, policy):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ready",
        "model_version": model.version,
        "policy_version": policy.version,
    }


def test_readyz_without_a_model_is_503_saying_so(build_app, tmp_path):
    client = build_app(MODEL=None, MODEL_DIR=str(tmp_path / "empty")).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert set(response.json["checks"]) == {"model"}
    assert "no trained model" in response.json["detail"]


def test_readyz_without_a_database_is_503_saying_so(build_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'missing-folder' / 'moderation.sqlite'}"
    response = build_app(DATABASE_URL=url).test_client().get("/readyz")
    assert response.status_code == 503
    assert set(response.json["checks"]) == {"database"}
    assert "unreachable" in response.json["checks"]["database"]


def test_metrics_count_decisions_by_outcome_and_reason(api, policy):
    api.post_article()
    decisions = sample("moderation_decisions_total", decision="reject")
    reasons = sample("moderation_decision_reasons_total", decision="reject", code="ABUSIVE")
    api.post_comment(text="Du Idiot.")
    api.post_comment(text="Du Idiot.")  # the same again: stored before, not a new decision
    assert sample("moderation_decisions_total", decision="reject") == decisions + 1
    code = policy.rules["respectful"].code
    assert sample("moderation_decision_reasons_total", decision="reject", code=code) == reasons + 1


def test_metrics_count_moderator_decisions(api):
    api.post_article()
    api.post_comment(text="Das ist dumm.")
    before = sample("moderation_reviews_total", decision="reject")
    api.post("/v1/comments/c-1/decision", role="moderator", json={"decision": "reject"})
    assert sample("moderation_reviews_total", decision="reject") == before + 1


def test_metrics_time_requests_per_route_pattern(api):
    labels = {"method": "GET", "route": "/v1/comments/<id:comment_id>", "status": "404"}
    before = sample("moderation_request_duration_seconds_count", **labels)
    api.get("/v1/comments/c-404", role="backend")
    api.get("/v1/comments/c-405", role="backend")
    assert sample("moderation_request_duration_seconds_count", **labels) == before + 2
    unmatched = {"method": "GET", "route": "<unmatched>", "status": "404"}
    before = sample("moderation_request_duration_seconds_count", **unmatched)
    api.client.get("/no/such/path")
    assert sample("moderation_request_duration_seconds_count", **unmatched) == before + 1


def test_metrics_keep_one_series_for_all_unknown_methods(api):
    # gunicorn passes any upper-case token as a method: one series each would grow without end.
    labels = {"method": "other", "route": "<unmatched>", "status": "405"}
    before = sample("moderation_request_duration_seconds_count", **labels)
    for method in ("FOO", "BAR1", "X" * 20):
        assert api.client.open("/v1/comments", method=method).status_code == 405
    assert sample("moderation_request_duration_seconds_count", **labels) == before + 3
    text = api.client.get("/metrics").get_data(as_text=True)
    assert 'method="FOO"' not in text


def test_metrics_endpoint_exposes_latency_decisions_and_model(api, model, policy):
    api.post_article()
    api.post_comment(text="Das ist dumm.")
    response = api.client.get("/metrics")
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert 'moderation_request_duration_seconds_bucket{le="0.015",method="POST",route="/v1/comments"' in text
    assert 'moderation_decisions_total{decision="hold"}' in text
    assert f'moderation_model_info{{version="{model.version}"}} 1.0' in text
    assert f'moderation_policy_info{{version="{policy.version}"}} 1.0' in text
