"""Serving: ``serve`` migrates the database, then hands over to gunicorn with the package's config."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import moderation.cli as moderation_commands
from moderation.cli import cli as moderation_cli
from service import cli, create_app


@pytest.fixture
def calls(monkeypatch, tmp_path):
    """Record the migration and the exec instead of running them."""
    recorded = []
    monkeypatch.setenv("MODERATION_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.sqlite'}")
    monkeypatch.setattr(cli, "upgrade_database", lambda url: recorded.append(("upgrade", url)))
    monkeypatch.setattr(cli.os, "execv", lambda path, argv: recorded.append(("exec", path, argv)))
    return recorded


def test_serve_upgrades_the_database_then_execs_gunicorn(calls, tmp_path):
    cli.serve("127.0.0.1", 8123, 3)
    (step, url), (exec_step, path, argv) = calls
    assert (step, exec_step) == ("upgrade", "exec")
    assert url == f"sqlite:///{tmp_path / 'serve.sqlite'}"
    assert path == sys.executable
    assert argv[1:3] == ["-m", "gunicorn"]
    assert argv[argv.index("--config") + 1] == str(cli.GUNICORN_CONF)
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[-1] == "service:create_app()"


def test_serve_brackets_an_ipv6_host(calls):
    cli.serve("::1", 8000, 1)
    argv = calls[-1][2]
    assert argv[argv.index("--bind") + 1] == "[::1]:8000"


def test_gunicorn_config_preloads_the_app_and_gives_metrics_a_fresh_folder(monkeypatch):
    # A copy of the environment without the variable, so that the config's change stays here.
    environ = {k: v for k, v in os.environ.items()
               if k not in ("PROMETHEUS_MULTIPROC_DIR", "MODERATION_METRICS_DIR_MADE_BY_GUNICORN_CONF")}
    monkeypatch.setattr(os, "environ", environ)
    settings: dict = {}
    exec(cli.GUNICORN_CONF.read_text(), settings)  # what gunicorn does with the file
    assert settings["preload_app"] is True
    assert settings["wsgi_app"] == cli.APP_TARGET
    metrics_dir = Path(environ["PROMETHEUS_MULTIPROC_DIR"])
    try:
        assert list(metrics_dir.iterdir()) == []
        (metrics_dir / "counter_1.db").write_bytes(b"")  # what the workers leave behind
        reloaded: dict = {}
        exec(cli.GUNICORN_CONF.read_text(), reloaded)  # gunicorn reads the file again on HUP
        assert environ["PROMETHEUS_MULTIPROC_DIR"] == str(metrics_dir)  # the same folder is kept
        reloaded["on_exit"](server=None)
        assert not metrics_dir.exists()
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def test_gunicorn_config_leaves_a_metrics_folder_it_was_given(monkeypatch, tmp_path):
    environ = {k: v for k, v in os.environ.items() if k != "MODERATION_METRICS_DIR_MADE_BY_GUNICORN_CONF"}
    environ["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)
    monkeypatch.setattr(os, "environ", environ)
    settings: dict = {}
    exec(cli.GUNICORN_CONF.read_text(), settings)
    settings["on_exit"](server=None)
    assert tmp_path.is_dir()


def test_serve_with_a_file_as_model_dir_stops_before_training(calls, tmp_path, monkeypatch):
    (tmp_path / "models").write_text("not a folder")
    monkeypatch.setenv("MODERATION_MODEL_DIR", str(tmp_path / "models"))
    result = CliRunner().invoke(moderation_cli, ["serve"])
    assert result.exit_code == 2
    assert "is a file, not a directory" in result.output
    assert calls == []


def test_serve_with_a_malformed_setting_stops_before_training(calls, tmp_path, monkeypatch):
    monkeypatch.setenv("MODERATION_MODEL_DIR", str(tmp_path / "models"))  # no model: it would train
    monkeypatch.setenv("MODERATION_MAX_CONTENT_LENGTH", "lots")
    monkeypatch.setattr(moderation_commands, "run_training", lambda *args, **kwargs: pytest.fail("trained"))
    result = CliRunner().invoke(moderation_cli, ["serve"])
    assert result.exit_code == 1
    assert "MODERATION_MAX_CONTENT_LENGTH='lots' is not valid: expected a whole number" in result.output
    assert calls == []


def test_serve_looks_for_the_model_where_the_service_loads_it(calls, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MODERATION_MODEL_DIR", " ")  # blank: the default ./models, for both
    trained = []
    monkeypatch.setattr(moderation_commands, "run_training",
                        lambda _team, model_dir, *args, **kwargs: trained.append(model_dir))
    assert CliRunner().invoke(moderation_cli, ["serve"]).exit_code == 0
    assert trained == [tmp_path / "models"]
    assert create_app({"MODEL_PRELOAD": False}).config["MODEL_DIR"] == str(tmp_path / "models")


@pytest.mark.parametrize("state_existed", [False, True])
def test_a_failed_first_training_removes_the_folders_it_made(calls, tmp_path, monkeypatch, state_existed):
    state = tmp_path / "state"
    if state_existed:
        state.mkdir()
    monkeypatch.setenv("MODERATION_MODEL_DIR", str(state / "models"))
    monkeypatch.setenv("MODERATION_TEAM_DIR", str(tmp_path / "no-team-data"))
    monkeypatch.delenv("MODERATION_DATA_DIR", raising=False)
    result = CliRunner().invoke(moderation_cli, ["serve"])
    assert result.exit_code == 1
    assert f"team data folder {tmp_path / 'no-team-data' / 'articles'} does not exist" in result.output
    assert state.exists() == state_existed and not (state / "models").exists()
    assert calls == []


@pytest.mark.parametrize("option", [["--port", "99999"], ["--port", "0"], ["--workers", "0"]])
def test_serve_refuses_impossible_ports_and_worker_counts(calls, option):
    result = CliRunner().invoke(moderation_cli, ["serve", *option])
    assert result.exit_code == 2
    assert option[0] in result.output and "Traceback" not in result.output
    assert calls == []  # neither the database nor gunicorn was touched
