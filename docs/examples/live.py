"""A live service for the examples: ``moderation serve`` on a fresh SQLite database.

It serves the team-data model that a fresh ``moderation serve`` trains from ``training_data/``
(training is deterministic). Training it takes about a minute, so the examples use the copy
kept in the repository for the test that scores the held-out split with it (the same model:
``tests/classifier/test_bundle_before_split.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from docs.examples.steps import ExampleError, Session

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "docs" / "examples" / "model"  # a fresh `moderation serve`'s model (team data only)
START_SECONDS = 180  # loading the model and the sentence encoder, on a busy machine


class ServiceError(ExampleError):
    """The service did not start; the message has its log."""


def _free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _settings(workdir: Path) -> dict[str, str | None]:
    """The examples' settings: their own database and model folder, and every other
    ``MODERATION_*`` variable of the caller's shell unset (its ``MODERATION_POLICY`` would change
    every decision)."""
    inherited = {name: None for name in os.environ if name.startswith("MODERATION_")}
    return inherited | {"MODERATION_DATABASE_URL": f"sqlite:///{workdir / 'moderation.sqlite'}",
                        "MODERATION_MODEL_DIR": str(workdir / "models")}


@contextmanager
def live_service(workdir: Path) -> Iterator[Session]:
    """Run ``moderation serve`` (one worker) in ``workdir`` until the block ends."""
    shutil.copytree(MODEL, workdir / "models")
    settings = _settings(workdir)
    # A metrics folder of the caller's would mix its counts into the examples'.
    env = {name: value for name, value in os.environ.items() if name != "PROMETHEUS_MULTIPROC_DIR"}
    env = {name: value for name, value in (env | settings).items() if value is not None}
    port = _free_port()
    log_path = workdir / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moderation", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", "1"],
            cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        ready = _wait_until_ready(process, port, log_path)
        yield Session("127.0.0.1", port, workdir, settings, model_version=ready["model_version"])
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(process: subprocess.Popen, port: int, log_path: Path) -> dict:
    """The answer of ``/readyz`` once it is 200.

    :raise ServiceError: the service exited or was not ready in time.
    """
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"moderation serve exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
                return json.load(response)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise ServiceError(f"moderation serve was not ready after {START_SECONDS} s:\n{log_path.read_text()}")
