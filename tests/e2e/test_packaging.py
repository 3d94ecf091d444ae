"""What differs between a source checkout and an installed package, checked without installing.

``pyproject.toml`` lists the packages by hand (to map ``training_data/`` into the package), so a
new package must be added there; the instance folder and the bundle's git commit depend on
where the code runs from. tests/e2e/test_installed_service.py installs and serves for real.
"""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

import pytest

import classifier.serving.bundle as bundle
import service
from classifier.data.teamdata import packaged_team_dir

REPO = Path(__file__).resolve().parents[2]
SETUPTOOLS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
TOP_LEVEL = ("classifier", "common", "moderation", "policies", "service")


def test_every_package_of_the_checkout_is_listed_for_the_wheel() -> None:
    found = {".".join(init.parent.relative_to(REPO).parts)
             for top in TOP_LEVEL for init in (REPO / top).rglob("__init__.py")}
    mapped = set(SETUPTOOLS["package-dir"])
    assert set(SETUPTOOLS["packages"]) - mapped == found, "list every package in pyproject.toml's packages"


def test_the_team_data_is_mapped_into_the_package_from_its_folder() -> None:
    assert SETUPTOOLS["package-dir"] == {"classifier.data.training_data": "training_data"}
    patterns = SETUPTOOLS["package-data"]["classifier.data.training_data"]
    shipped = {path for pattern in patterns for path in (REPO / "training_data").glob(pattern)}
    assert shipped >= {*(REPO / "training_data").glob("*/*.json*"), REPO / "training_data" / "README.md"}
    assert packaged_team_dir() == REPO / "training_data"  # in a checkout: the folder itself


def test_the_gunicorn_settings_ship_in_the_package() -> None:
    assert "gunicorn.conf.py" in SETUPTOOLS["package-data"]["service"]
    assert (REPO / "service" / "gunicorn.conf.py").is_file()


def test_in_a_checkout_the_instance_folder_is_beside_the_package(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert service.instance_folder() == str(REPO / "instance")


def test_installed_the_instance_folder_is_in_the_working_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    site = "/usr/local/lib/python3.11/site-packages"
    monkeypatch.setattr(service, "find_package", lambda name: ("/usr/local", site))
    assert service.instance_folder() == str(tmp_path / "instance")


def _git(folder: Path, *args: str) -> str:
    environ = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=folder, env=environ, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def other_repository(tmp_path) -> Path:
    """A git repository with one commit, standing for a project that holds a virtual environment."""
    _git(tmp_path, "init", "--quiet")
    _git(tmp_path, "commit", "--quiet", "--allow-empty", "--message", "a project")
    return tmp_path


def test_a_bundle_names_the_commit_of_the_checkout_it_was_trained_in(other_repository, monkeypatch) -> None:
    monkeypatch.setattr(bundle, "_SOURCE_ROOT", other_repository.resolve())
    assert bundle.git_commit() == _git(other_repository, "rev-parse", "HEAD")


def test_an_installed_package_inside_another_repository_names_no_commit(other_repository, monkeypatch) -> None:
    site = other_repository / ".venv" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    monkeypatch.setattr(bundle, "_SOURCE_ROOT", site.resolve())
    assert bundle.git_commit() is None
