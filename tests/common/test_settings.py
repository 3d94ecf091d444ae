"""The settings module: one definition per variable, the docs' table in step, one set of rules."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from common import settings
from common.settings import SETTINGS, ConfigError, Setting

ROOT = Path(__file__).resolve().parents[2]
# A row of the configuration table: | `MODERATION_X` | default | meaning |
_ROW = re.compile(r"^\| `(MODERATION_[A-Z_]+)` \| ([^|]*) \|", re.MULTILINE)


def documented_defaults() -> dict[str, str]:
    """The configuration table's rows, from the README or the docs (wherever it lives), by variable."""
    rows = {}
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for variable, default in _ROW.findall(page.read_text(encoding="utf-8")):
            rows[variable] = default.replace("`", "").strip()
    return rows


def test_the_table_lists_every_setting_and_nothing_else():
    documented = documented_defaults()
    assert documented, "no configuration table found in README.md or docs/"
    assert set(documented) == {setting.variable for setting in SETTINGS}


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda setting: setting.key)
def test_the_table_shows_each_default_as_defined(setting):
    shown = documented_defaults()[setting.variable]
    assert shown.startswith("unset" if setting.default_text is None else setting.default_text)


def test_each_variable_is_defined_once():
    variables = [setting.variable for setting in SETTINGS]
    assert len(variables) == len(set(variables))
    defined = {value for value in vars(settings).values() if isinstance(value, Setting)}
    assert defined == set(SETTINGS)


def test_each_default_is_a_value_its_variable_could_hold():
    for setting in SETTINGS:
        if setting.default is not None:
            assert setting.value({}) == setting.parse(setting.default), setting.key


@pytest.mark.parametrize("blank", ["", " ", "\t\n"])
@pytest.mark.parametrize("setting", SETTINGS, ids=lambda setting: setting.key)
def test_a_blank_value_is_unset(setting, blank):
    assert setting.given({setting.variable: blank}) is None
    assert setting.value({setting.variable: blank}) == setting.value({})


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        (settings.MODEL_PRELOAD, " Off ", False),
        (settings.MAX_COMMENT_CHARS, "500", 500),
        (settings.MODEL_RELOAD_SECONDS, "0", 0.0),
        (settings.SPOT_CHECK_SHARE, "1", 1.0),
        (settings.DATABASE_URL, " sqlite:///x.sqlite ", "sqlite:///x.sqlite"),
        (settings.MODEL_DIR, "some/models", os.path.abspath("some/models")),
        (settings.TEAM_DIR, "~/team", os.path.expanduser("~/team")),
    ],
)
def test_values_are_parsed(setting, value, expected):
    assert setting.value({setting.variable: value}) == expected


@pytest.mark.parametrize(
    ("setting", "value", "reason"),
    [
        (settings.MODEL_PRELOAD, "maybe", "expected one of 1/0"),
        (settings.MAX_CONTENT_LENGTH, "1e6", "expected a whole number"),
        (settings.MODEL_RELOAD_SECONDS, "-1", "must be 0 or more"),
        (settings.SPOT_CHECK_SHARE, "5%", "expected a number from 0 to 1"),
        (settings.SPOT_CHECK_SHARE, "5", "must be from 0 to 1"),
        (settings.DATA_DIR, "~no-such-user-for-this-test/corpora", "~no-such-user-for-this-test"),
    ],
)
def test_a_malformed_value_names_the_variable_and_says_why(setting, value, reason):
    with pytest.raises(ConfigError) as raised:
        setting.value({setting.variable: value})
    message = str(raised.value)
    assert message.startswith(f"{setting.variable}={value!r} is not valid: ")
    assert reason in message


def test_option_help_says_what_it_sets_and_names_the_variable_and_the_default():
    assert settings.MODEL_DIR.help() == ("Folder of the model bundles; its CURRENT file names the version "
                                         "served [env MODERATION_MODEL_DIR, default ./models].")
    assert settings.DATA_DIR.help() == "Folder with the public corpora, one sub-folder each [env MODERATION_DATA_DIR]."


def test_from_environ_gives_only_what_is_set(tmp_path):
    environ = {"MODERATION_MAX_CONTENT_LENGTH": "1000", "MODERATION_POLICY": " ",
               "MODERATION_UNRELATED": "ignored", "MODERATION_MODEL_DIR": str(tmp_path)}
    assert settings.from_environ(environ, settings.SERVICE) == {"MAX_CONTENT_LENGTH": 1000,
                                                              "MODEL_DIR": str(tmp_path)}

