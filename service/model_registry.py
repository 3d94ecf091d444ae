"""The classifier model each app serves, loaded from ``MODEL_DIR`` and swapped for newer ones.

Training writes a new bundle and then points ``MODEL_DIR/CURRENT`` at it. Each worker checks
that file at most every ``MODEL_RELOAD_SECONDS`` and, when it names another version, loads it
and swaps it in with one assignment, so requests in flight keep the model they started with.
A bundle that fails to load is logged and skipped: the worker keeps serving the old model.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

from classifier.serving.bundle import ModelLoadError, current_version, load_model
from classifier.types import ArticleText, CommentInput, CommentScores
from service import metrics

log = logging.getLogger(__name__)

_EXTENSION = "moderation.model"

# Scored once by every model before it is served: it must work, and the first real comment
# must not pay for lazy initialisation (which, done before gunicorn forks, is shared).
_WARM_UP = CommentInput(
    text="Danke für den Test, die Karte ist gut.",
    article=ArticleText("Grafikkarten im Test", "Die neue Grafikkarte ist schnell."),
)


class Model(Protocol):
    """What the service needs of a model (``classifier.serving.bundle.ModerationModel``)."""

    version: str

    def score(self, comment: CommentInput, *, evidence_above: float = 0.0) -> CommentScores:
        """Score one comment; evidence only for rules scoring at least ``evidence_above``."""
        ...

    def score_many(self, comments: list[CommentInput], *,
                   evidence_above: float = 0.0) -> list[CommentScores]:
        """Score several comments, in order."""
        ...

    def warm_up(self) -> None:
        """Do the lazy loading (the sentence encoder's weights) now."""
        ...

    def prepare_article(self, article: ArticleText) -> None:
        """Do the per-article work now, before the article's first comment."""
        ...


def warm_up(model: Model) -> None:
    """Score a comment and let the model load what it loads lazily.

    The sentence encoder, which only unsure comments reach, loads its weights on first use:
    warmed up before gunicorn forks, the workers share them instead of each loading its own
    copy while its first unsure comment waits (several seconds, and several times over when
    threads race for it).
    """
    model.score(_WARM_UP)
    model.warm_up()


class ModelSlot:
    """One app's current model, and the state of watching for a new one."""

    def __init__(self, model_dir: Path, reload_seconds: float, model: Model | None = None):
        self.model_dir = model_dir
        self.reload_seconds = reload_seconds
        self.model = model
        #: Why no (newer) model is served, in plain words; None when all is well.
        self.problem: str | None = None
        self._watch = model is None  # an injected model is never replaced
        self._loaded: str | None = None  # the CURRENT version the model came from
        self._failed: str | None = None  # a version that failed to load: not retried
        self._next_check = 0.0
        self._lock = threading.Lock()
        self._recorded: tuple[int, str] | None = None  # (process, version) in the metrics

    def load(self) -> None:
        """Load the current model now (at start, before gunicorn forks its workers)."""
        if self._watch:
            with self._lock:
                self._refresh()

    def get(self) -> Model | None:
        """The model to use now, after checking for a new one if it is time to."""
        # One thread checks; the others go on with the current model meanwhile.
        if (
            self._watch
            and time.monotonic() >= self._next_check
            and self._lock.acquire(blocking=False)
        ):
            try:
                self._refresh()
            finally:
                self._lock.release()
        model = self.model
        if model is not None and self._recorded != (os.getpid(), model.version):
            self._record(model)
        return model

    def _record(self, model: Model) -> None:
        """Show in the metrics which version this process serves.

        Done on use, not on load: the gunicorn master loads the model but serves nothing, and
        each worker is a process of its own for the metrics.
        """
        pid, previous = self._recorded or (None, None)
        metrics.model_changed(model.version, previous if pid == os.getpid() else None)
        self._recorded = (os.getpid(), model.version)

    def _refresh(self) -> None:
        """Load the version ``CURRENT`` names if it is new."""
        self._next_check = time.monotonic() + self.reload_seconds
        try:
            version = current_version(self.model_dir)
        except (OSError, ModelLoadError) as error:
            self._fail(f"cannot read the model folder {self.model_dir}: {error}")
            return
        if version is None:
            if self.model is None:
                self.problem = f"no trained model in {self.model_dir} yet"
            return
        if version in (self._loaded, self._failed):
            return
        try:
            model = load_model(self.model_dir)
            warm_up(model)
        except Exception as error:  # whatever breaks a bundle, the old model stays
            self._failed = version
            self._fail(
                f"model {version} in {self.model_dir} could not be loaded: {error}",
                # A ModelLoadError says what is wrong; anything else needs its traceback.
                traceback=not isinstance(error, ModelLoadError),
            )
            return
        self.model, self._loaded, self._failed, self.problem = model, version, None, None
        log.info("serving model %s from %s", model.version, self.model_dir)

    def _fail(self, problem: str, *, traceback: bool = False) -> None:
        """Record and log why the newest model is not served."""
        kept = f"; still serving {self.model.version}" if self.model is not None else ""
        self.problem = problem + kept
        log.error("%s", self.problem, exc_info=traceback)


class ModelRegistry:
    """Flask extension: the model of each app."""

    def init_app(self, app: Flask) -> None:
        """Set up the app's model slot; load the model now if ``MODEL_PRELOAD`` is set.

        ``MODEL`` in the config injects a ready model instead (tests do).
        """
        slot = ModelSlot(
            Path(app.config["MODEL_DIR"]), app.config["MODEL_RELOAD_SECONDS"], app.config.get("MODEL")
        )
        app.extensions[_EXTENSION] = slot
        if app.config["MODEL_PRELOAD"]:
            slot.load()

    @staticmethod
    def slot() -> ModelSlot:
        """The current app's model slot."""
        return current_app.extensions[_EXTENSION]

    def current(self) -> Model | None:
        """The current app's model, or None when none could be loaded yet."""
        return self.slot().get()


models = ModelRegistry()
