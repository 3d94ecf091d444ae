"""Configuration: defaults, MODERATION_* variables, overrides, and clear errors at start."""

from __future__ import annotations

import json
import os

import pytest

from common.settings import SERVICE, ConfigError, defaults, from_environ
from policies import PolicyError
from service import create_app

#: Every variable the app reads.
VARIABLES = [setting.variable for setting in SERVICE]


def test_defaults_put_the_database_in_the_instance_folder(monkeypatch):
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    app = create_app({"MODEL_PRELOAD": False})
    assert app.config["DATABASE_URL"] == f"sqlite:///{os.path.join(app.instance_path, 'moderation.sqlite')}"
    assert app.config["MODEL_DIR"] == os.path.abspath("models")
    assert app.config["MAX_CONTENT_LENGTH"] == 256 * 1024
    assert app.config["POLICY"] is None
    assert app.config["DOCS_PUBLIC"] is True


def test_the_app_holds_every_service_setting_and_no_training_one():
    config = create_app({"MODEL_PRELOAD": False}).config
    assert set(defaults(SERVICE)) <= set(config)
    assert "TEAM_DIR" not in config and "DATA_DIR" not in config


def test_environment_variables_are_parsed(tmp_path):
    values = from_environ(
        {
            "MODERATION_MAX_CONTENT_LENGTH": "1000",
            "MODERATION_MODEL_RELOAD_SECONDS": "2.5",
            "MODERATION_DOCS_PUBLIC": "off",
            "MODERATION_MODEL_DIR": str(tmp_path / "m"),
            "MODERATION_UNRELATED": "ignored",
        }
    )
    assert values == {
        "MAX_CONTENT_LENGTH": 1000,
        "MODEL_RELOAD_SECONDS": 2.5,
        "DOCS_PUBLIC": False,
        "MODEL_DIR": str(tmp_path / "m"),
    }


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MODERATION_MAX_CONTENT_LENGTH", "lots"),
        ("MODERATION_MAX_COMMENT_CHARS", "0"),
        ("MODERATION_MODEL_RELOAD_SECONDS", "-1"),
        ("MODERATION_MODEL_RELOAD_SECONDS", "nan"),
        ("MODERATION_MODEL_RELOAD_SECONDS", "inf"),
        ("MODERATION_DOCS_PUBLIC", "maybe"),
    ],
)
def test_a_bad_variable_is_named_in_the_error(variable, value):
    with pytest.raises(ConfigError, match=variable):
        from_environ({variable: value})


def test_a_number_that_is_no_number_is_explained_in_words():
    with pytest.raises(ConfigError, match="expected a whole number") as raised:
        from_environ({"MODERATION_MAX_CONTENT_LENGTH": "abc"})
    assert "int()" not in str(raised.value)


@pytest.mark.parametrize("blank", ["", "  ", "\t\n"])
def test_a_blank_variable_is_unset_and_the_default_applies(monkeypatch, blank):
    for variable in VARIABLES:
        monkeypatch.setenv(variable, blank)
    assert from_environ({variable: blank for variable in VARIABLES}) == {}
    app = create_app({"MODEL_PRELOAD": False})
    assert app.config["DATABASE_URL"].endswith("moderation.sqlite")
    assert app.config["MODEL_DIR"] == os.path.abspath("models")
    assert (app.config["MAX_CONTENT_LENGTH"], app.config["MODEL_RELOAD_SECONDS"]) == (256 * 1024, 10.0)
    assert app.config["POLICY"] is None


def test_environment_is_applied_and_test_config_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("MODERATION_MAX_COMMENT_CHARS", "500")
    monkeypatch.setenv("MODERATION_MAX_CONTENT_LENGTH", "4096")
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    app = create_app({"MAX_COMMENT_CHARS": 99, "DATABASE_URL": url, "MODEL_PRELOAD": False})
    assert app.config["MAX_COMMENT_CHARS"] == 99
    assert app.config["MAX_CONTENT_LENGTH"] == 4096


def test_unusable_database_url_stops_the_start():
    with pytest.raises(ConfigError, match="MODERATION_DATABASE_URL"):
        create_app({"DATABASE_URL": "nosuchdb://x", "MODEL_PRELOAD": False})


def test_database_url_that_is_not_utf8_stops_the_start():
    # The drivers encode the URL (or the SQLite path in it) as UTF-8 only when connecting.
    with pytest.raises(ConfigError, match="MODERATION_DATABASE_URL .* not UTF-8"):
        create_app({"DATABASE_URL": "postgresql+psycopg://u@127.0.0.1/te\udcffst", "MODEL_PRELOAD": False})


def test_invalid_policy_file_stops_the_start(tmp_path):
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"version": "broken"}))
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    with pytest.raises(PolicyError, match="policy.json"):
        create_app({"POLICY": str(policy), "DATABASE_URL": url, "MODEL_PRELOAD": False})
