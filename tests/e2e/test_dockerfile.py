"""The Dockerfile, which cannot be built here (no Docker engine): linted, and checked against
what the README promises of it (slim Python base, non-root user, health check, same command) and
against what tests/e2e/test_installed_service.py shows to work (a plain, not editable, install
serving from a folder without the source)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")


def _hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    if found is None:
        pytest.fail("hadolint is not installed: pip install -e '.[test]'")
    return found


def test_hadolint_finds_nothing() -> None:
    result = subprocess.run([_hadolint(), str(REPO / "Dockerfile")], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_base_is_slim_python() -> None:
    assert re.search(r"^FROM python:3\.\d+-slim\b", DOCKERFILE, re.M)


def test_runs_as_the_user_it_creates_not_root() -> None:
    uid = re.search(r"useradd .*--uid (\d+)", DOCKERFILE).group(1)
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users and users[-1] == uid != "0"


def test_installs_the_source_as_a_package_not_editable() -> None:
    (install,) = [line for line in DOCKERFILE.splitlines() if "pip install" in line and "/src" in line]
    assert re.fullmatch(r"RUN --mount=type=bind,target=/src,rw pip install /src", install)
    assert not re.search(r"\s(-e|--editable)\b", DOCKERFILE)
    assert not re.search(r"^(COPY|ADD) \. ", DOCKERFILE, re.M)  # no source tree in the image


def test_serves_from_a_folder_the_user_can_write_with_state_on_the_data_volume() -> None:
    workdir = re.findall(r"^WORKDIR (\S+)", DOCKERFILE, re.M)[-1]
    assert re.search(rf"chown moderation:moderation .*{workdir}/instance\b", DOCKERFILE)
    assert re.search(r'^VOLUME \["/data"\]', DOCKERFILE, re.M)
    assert re.search(r"chown moderation:moderation /data\b", DOCKERFILE)
    assert "MODERATION_MODEL_DIR=/data/models" in DOCKERFILE
    assert "MODERATION_DATABASE_URL=sqlite:////data/" in DOCKERFILE


def test_health_check_asks_healthz() -> None:
    assert re.search(r"^HEALTHCHECK .*\n\s+CMD .*/healthz", DOCKERFILE, re.M)


def test_runs_the_readme_s_serve_command() -> None:
    command = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M).group(1)
    assert command.startswith('["moderation", "serve"')
    assert "moderation serve" in (REPO / "README.md").read_text(encoding="utf-8")


def test_build_leftovers_stay_out_of_the_image():
    # `pip install .` leaves build/ and *.egg-info in the checkout; copied into the build context,
    # a stale build/lib would install modules that no longer exist.
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert {"build", "dist", "*.egg-info", ".venv", "models", "instance"} <= set(ignored)
