"""The Dockerfile, which cannot be built here (no Docker engine): linted, and checked against
what the README promises of it (slim Python base, non-root user, health check, same command)."""

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


def test_health_check_asks_healthz() -> None:
    assert re.search(r"^HEALTHCHECK .*\n\s+CMD .*/healthz", DOCKERFILE, re.M)


def test_runs_the_readme_s_serve_command() -> None:
    command = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M).group(1)
    assert command.startswith('["moderation", "serve"')
    assert "moderation serve" in (REPO / "README.md").read_text(encoding="utf-8")
