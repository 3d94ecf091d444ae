"""What differs between a source checkout and an installed package, checked without installing.

``pyproject.toml`` lists the packages by hand (to map ``training_data/`` into the package), so a
new package must be added there; the instance folder depends on where the code runs from.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

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
