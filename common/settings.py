"""Every ``MODERATION_*`` environment variable: its name, type, default and meaning, read one way.

The API (:func:`service.create_app`), the classifier's commands (``train``, ``evaluate``,
``score``, ``benchmark``) and ``moderation serve``, ``retrain``, ``keys``, ``db`` and
``decisions`` all read their settings through this module, with the same rules:

- a variable that is unset, empty or only whitespace is unset: its default applies;
- a value that cannot be parsed raises :class:`ConfigError`, whose message names the variable
  and says what was expected;
- booleans accept ``1/0``, ``true/false``, ``yes/no`` and ``on/off``;
- paths expand ``~`` and are resolved against the directory the command was started in.

A setting without a default (``default=None``) has none that this module can know: the reader
fills one in where it runs (the database file in the app's instance folder, the policy and the
team data shipped with the package), as ``shown_default`` says; or there is none (``None``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREFIX = "MODERATION_"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(Exception):
    """An environment variable holds a value that cannot be used."""


def boolean(value: str) -> bool:
    """Parse a boolean the way people write it in an environment variable."""
    word = value.strip().lower()
    if word not in _TRUE | _FALSE:
        raise ValueError("expected one of 1/0, true/false, yes/no, on/off")
    return word in _TRUE


def positive_int(value: str) -> int:
    """Parse an integer greater than zero."""
    try:
        number = int(value)
    except ValueError:
        raise ValueError("expected a whole number such as 262144") from None
    if number <= 0:
        raise ValueError("must be greater than 0")
    return number


def seconds(value: str) -> float:
    """Parse a number of seconds that may be zero (check on every request)."""
    try:
        number = float(value)
    except ValueError:
        raise ValueError("expected a number of seconds such as 10 or 0.5") from None
    if not 0 <= number < math.inf:  # also refuses NaN
        raise ValueError("must be 0 or more, and finite")
    return number


def share(value: str) -> float:
    """Parse a share from 0 to 1, such as 0.05 for 5 %."""
    try:
        number = float(value)
    except ValueError:
        raise ValueError("expected a number from 0 to 1 such as 0.05") from None
    if not 0 <= number <= 1:  # also refuses NaN
        raise ValueError("must be from 0 to 1")
    return number


def text(value: str) -> str:
    """A value taken as written, without the whitespace around it."""
    return value.strip()


def path(value: str) -> str:
    """A path resolved against the working directory, so that it means the same to every process."""
    try:
        return str(Path(value.strip()).expanduser().resolve())
    except RuntimeError as error:  # "~someone" for a user that does not exist
        raise ValueError(str(error)) from error


@dataclass(frozen=True)
class Setting:
    """One environment variable and how to read it."""

    key: str  # the variable without PREFIX; also the app's ``app.config`` key
    parse: Callable[[str], Any]  # text to value; ValueError says what was expected
    default: str | None  # as one would write it in the variable; None: see the module's doc
    meaning: str  # one sentence, without its full stop: also the help of options it sets
    shown_default: str | None = None  # how docs write the default, if not as ``default``

    @property
    def variable(self) -> str:
        """The environment variable's name."""
        return PREFIX + self.key

    @property
    def default_text(self) -> str | None:
        """The default as the docs and help texts show it; None: unset."""
        return self.shown_default if self.shown_default is not None else self.default

    def given(self, environ: Mapping[str, str] | None = None) -> Any:
        """The variable's parsed value, or None if it is unset or blank.

        :raise ConfigError: the value cannot be parsed.
        """
        value = (os.environ if environ is None else environ).get(self.variable, "")
        if not value.strip():
            return None
        try:
            return self.parse(value)
        except ValueError as error:
            raise ConfigError(f"{self.variable}={value!r} is not valid: {error}") from error

    def value(self, environ: Mapping[str, str] | None = None) -> Any:
        """The variable's parsed value, else the parsed default (None without one)."""
        given = self.given(environ)
        if given is not None or self.default is None:
            return given
        return self.parse(self.default)

    def help(self) -> str:
        """The help of a command-line option it sets: ``meaning [env VARIABLE, default DEFAULT].``"""
        default = "" if self.default_text is None else f", default {self.default_text}"
        return f"{self.meaning} [env {self.variable}{default}]."


DATABASE_URL = Setting(
    "DATABASE_URL", text, None, "SQLAlchemy URL of the database",
    shown_default="sqlite:///<instance>/moderation.sqlite")
MODEL_DIR = Setting(
    "MODEL_DIR", path, "./models", "Folder of the model bundles; its CURRENT file names the version served")
MODEL_RELOAD_SECONDS = Setting(
    "MODEL_RELOAD_SECONDS", seconds, "10", "How often, at most, each worker looks at CURRENT for a new model")
MODEL_PRELOAD = Setting(
    "MODEL_PRELOAD", boolean, "1", "Load the model when the app is created, so that gunicorn's workers share it")
POLICY = Setting(
    "POLICY", path, None, "Policy file, checked at start", shown_default="policies/default.json of the package")
MAX_CONTENT_LENGTH = Setting(
    "MAX_CONTENT_LENGTH", positive_int, "262144", "Largest request body in bytes; a larger one gets 413")
MAX_COMMENT_CHARS = Setting(
    "MAX_COMMENT_CHARS", positive_int, "20000", "Longest comment text in characters; a longer one gets 422")
DOCS_PUBLIC = Setting(
    "DOCS_PUBLIC", boolean, "1", "Serve /openapi.json and /docs without an API key")
DATA_DIR = Setting(
    "DATA_DIR", path, None, "Folder with the public corpora, one sub-folder each")
TEAM_DIR = Setting(
    "TEAM_DIR", path, None, "The team's own articles and comments",
    shown_default="./training_data, else the one installed with the package")
SECRET_KEY = Setting(
    "SECRET_KEY", text, None, "Signs the workspace's session cookies and CSRF tokens; set it when several "
    "machines serve the workspace", shown_default="a random key made once and kept in <instance>/secret_key")
SECURE_COOKIES = Setting(
    "SECURE_COOKIES", boolean, None, "Send the workspace's session cookie with Secure (HTTPS only)",
    shown_default="on, unless the request's host is 127.0.0.1 or localhost")
UNDO_SECONDS = Setting(
    "UNDO_SECONDS", seconds, "10", "How long a moderator may undo a decision in the workspace")
SPOT_CHECK_SHARE = Setting(
    "SPOT_CHECK_SHARE", share, "0.05",
    "Share of automatic approvals and rejections the workspace lists for a moderator to check")
TEST_POSTGRES_URL = Setting(
    "TEST_POSTGRES_URL", text, "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "Tests only: the PostgreSQL server of the storage and API tests")
TEST_SKIP_POSTGRES = Setting(
    "TEST_SKIP_POSTGRES", boolean, None, "Tests only: skip the PostgreSQL tests when the server is unreachable")

#: Every setting, once.
SETTINGS = (DATABASE_URL, MODEL_DIR, MODEL_RELOAD_SECONDS, MODEL_PRELOAD, POLICY, MAX_CONTENT_LENGTH,
            MAX_COMMENT_CHARS, DOCS_PUBLIC, SECRET_KEY, SECURE_COOKIES, UNDO_SECONDS, SPOT_CHECK_SHARE, DATA_DIR,
            TEAM_DIR, TEST_POSTGRES_URL, TEST_SKIP_POSTGRES)

#: What the API reads, each into ``app.config`` under its key.
SERVICE = (DATABASE_URL, MODEL_DIR, MODEL_RELOAD_SECONDS, MODEL_PRELOAD, POLICY, MAX_CONTENT_LENGTH,
           MAX_COMMENT_CHARS, DOCS_PUBLIC, SECRET_KEY, SECURE_COOKIES, UNDO_SECONDS, SPOT_CHECK_SHARE)


def defaults(settings: Iterable[Setting] = SETTINGS) -> dict[str, Any]:
    """The default of each setting by key, parsed; None where the reader fills one in."""
    return {setting.key: None if setting.default is None else setting.parse(setting.default)
            for setting in settings}


def from_environ(environ: Mapping[str, str], settings: Iterable[Setting] = SETTINGS) -> dict[str, Any]:
    """The settings that ``environ`` gives (not blank), parsed, by key.

    :raise ConfigError: a variable cannot be parsed; the message names it and says why.
    """
    values = {setting.key: setting.given(environ) for setting in settings}
    return {key: value for key, value in values.items() if value is not None}
