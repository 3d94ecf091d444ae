"""Loading the model from MODEL_DIR and picking up new versions without a restart."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from classifier.serving.bundle import ModelLoadError
from service.model_registry import ModelSlot


class Bundles:
    """Stands in for ``classifier.serving.bundle``: a CURRENT version and the bundles that load."""

    def __init__(self, model_cls) -> None:
        self.current: str | None = None
        self.broken: dict[str, Exception] = {}
        self.loads: list[str] = []
        self.model_cls = model_cls

    def current_version(self, _model_dir: Path) -> str | None:
        return self.current

    def load_model(self, _model_dir: Path):
        self.loads.append(self.current)
        if self.current in self.broken:
            raise self.broken[self.current]
        model = self.model_cls()
        model.version = self.current
        return model


@pytest.fixture
def bundles(monkeypatch, model, policy) -> Bundles:
    """The fake bundle functions the registry calls; each loads a new fake model."""
    fake = Bundles(lambda: type(model)(policy))
    monkeypatch.setattr("service.model_registry.current_version", fake.current_version)
    monkeypatch.setattr("service.model_registry.load_model", fake.load_model)
    return fake


def slot(tmp_path, reload_seconds: float = 0.0) -> ModelSlot:
    """A slot that checks for a new model on every use (or every ``reload_seconds``)."""
    return ModelSlot(tmp_path, reload_seconds)


def test_no_model_yet_says_so(bundles, tmp_path):
    models = slot(tmp_path)
    assert models.get() is None
    assert "no trained model" in models.problem


def test_loads_the_current_version_once(bundles, tmp_path):
    bundles.current = "v1"
    models = slot(tmp_path)
    assert models.get().version == "v1"
    assert models.get().version == "v1"
    assert bundles.loads == ["v1"]
    assert models.problem is None


def test_swaps_in_a_new_version(bundles, tmp_path):
    bundles.current = "v1"
    models = slot(tmp_path)
    first = models.get()
    bundles.current = "v2"
    second = models.get()
    assert (first.version, second.version) == ("v1", "v2")
    assert bundles.loads == ["v1", "v2"]


@pytest.mark.parametrize(
    "error", [ModelLoadError("hash mismatch"), EOFError("truncated pickle")], ids=["known", "unexpected"]
)
def test_a_broken_new_version_keeps_the_old_model(bundles, tmp_path, caplog, error):
    bundles.current = "v1"
    models = slot(tmp_path)
    models.get()
    bundles.current, bundles.broken["v2"] = "v2", error
    with caplog.at_level(logging.ERROR, logger="service.model_registry"):
        assert models.get().version == "v1"
    assert str(error) in caplog.text
    assert "v2" in models.problem and "still serving v1" in models.problem
    models.get()
    assert bundles.loads == ["v1", "v2"]  # the broken version is not retried
    bundles.current = "v3"
    assert models.get().version == "v3"
    assert models.problem is None


def test_removed_current_keeps_serving(bundles, tmp_path):
    bundles.current = "v1"
    models = slot(tmp_path)
    models.get()
    bundles.current = None
    assert models.get().version == "v1"


def test_checks_at_most_every_reload_interval(bundles, tmp_path):
    bundles.current = "v1"
    models = slot(tmp_path, reload_seconds=3600)
    models.get()
    bundles.current = "v2"
    assert models.get().version == "v1"
    assert bundles.loads == ["v1"]


def test_an_injected_model_is_never_replaced(bundles, tmp_path, model):
    bundles.current = "v9"
    models = ModelSlot(tmp_path, 0.0, model)
    assert models.get() is model
    assert bundles.loads == []


def test_app_preloads_the_current_model_and_serves_new_ones(bundles, build_app, tmp_path):
    bundles.current = "v1"
    app = build_app(MODEL=None, MODEL_DIR=str(tmp_path), MODEL_RELOAD_SECONDS=0)
    assert bundles.loads == ["v1"]  # at start, before any request
    client = app.test_client()
    assert client.get("/readyz").json["model_version"] == "v1"
    bundles.current = "v2"
    assert client.get("/readyz").json["model_version"] == "v2"


def test_app_without_preload_loads_on_first_use(bundles, build_app, tmp_path):
    bundles.current = "v1"
    app = build_app(MODEL=None, MODEL_DIR=str(tmp_path), MODEL_PRELOAD=False)
    assert bundles.loads == []
    assert app.test_client().get("/readyz").json["model_version"] == "v1"


def test_metrics_show_the_version_served_after_a_swap(bundles, tmp_path):
    def served(version: str) -> float | None:
        return REGISTRY.get_sample_value("moderation_model_info", {"version": version})

    bundles.current = "m-old"
    models = slot(tmp_path)
    models.load()
    assert served("m-old") is None  # loading alone serves nothing (the gunicorn master)
    models.get()
    assert served("m-old") == 1
    bundles.current = "m-new"
    models.get()
    assert (served("m-old"), served("m-new")) == (0, 1)


def test_a_new_version_that_cannot_score_is_not_served(bundles, tmp_path):
    bundles.current = "v1"
    models = slot(tmp_path)
    models.get()

    class Stale:
        """A bundle that unpickles but no longer fits the code."""

        def score(self, _comment):
            raise AttributeError("'TopicFeatures' object has no attribute 'index_'")

    bundles.model_cls = Stale
    bundles.current = "v2"
    assert models.get().version == "v1"
    assert "index_" in models.problem
