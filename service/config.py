"""Settings of the moderation API and where they come from.

:func:`service.create_app` applies three layers, each overriding the one before: the defaults
below, then the ``MODERATION_*`` environment variables, then the mapping passed to
``create_app`` (tests use it). A malformed variable stops the start with a :class:`ConfigError`
that names it.

Every setting, as ``MODERATION_<KEY>`` variable (default in brackets):

``MODERATION_DATABASE_URL`` [``sqlite:///<instance>/moderation.sqlite``]
    SQLAlchemy URL of the database. PostgreSQL:
    ``postgresql+psycopg://user:password@host:5432/db``. ``<instance>`` is Flask's instance
    folder (``instance/`` next to the package in a source checkout).
``MODERATION_MODEL_DIR`` [``./models``]
    Folder of the trained model bundles; its ``CURRENT`` file names the version to serve.
``MODERATION_MODEL_RELOAD_SECONDS`` [``10``]
    How often, at most, each worker looks at ``CURRENT`` for a new model to swap in.
``MODERATION_MODEL_PRELOAD`` [``1``]
    Load the model when the app is created, so that gunicorn's workers share it; ``0`` loads
    it on first use (the CLI does this).
``MODERATION_DATA_DIR`` [unset]
    Folder with the public corpora that training adds to ``training_data/``; the API itself
    does not read it.
``MODERATION_POLICY`` [unset: the package's ``policies/default.json``]
    Path of the policy file (thresholds, reason codes, messages); checked at start.
``MODERATION_MAX_CONTENT_LENGTH`` [``262144``, 256 KiB]
    Largest request body in bytes; a larger one gets 413.
``MODERATION_MAX_COMMENT_CHARS`` [``20000``]
    Longest comment text in characters; a longer one gets 422.
``MODERATION_DOCS_PUBLIC`` [``1``]
    Serve ``/openapi.json`` and ``/docs`` without an API key; ``0`` asks for a key of any
    role there too.

Booleans accept ``1/0``, ``true/false``, ``yes/no`` and ``on/off``.

Keys that only the ``create_app`` mapping sets: ``MODEL``, a ready model object that replaces
loading from ``MODEL_DIR`` (tests inject a small fake model this way), and Flask's own keys
such as ``TESTING``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREFIX = "MODERATION_"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(Exception):
    """An environment variable holds a value the service cannot use."""


def _boolean(text: str) -> bool:
    """Parse a boolean the way people write it in an environment variable."""
    value = text.strip().lower()
    if value not in _TRUE | _FALSE:
        raise ValueError("expected one of 1/0, true/false, yes/no, on/off")
    return value in _TRUE


def _positive_int(text: str) -> int:
    """Parse an integer greater than zero."""
    try:
        value = int(text)
    except ValueError:
        raise ValueError("expected a whole number such as 262144") from None
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


def _non_negative_float(text: str) -> float:
    """Parse a number of seconds that may be zero (check on every request)."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError("expected a number of seconds such as 10 or 0.5") from None
    if not 0 <= value < math.inf:  # also refuses NaN
        raise ValueError("must be 0 or more, and finite")
    return value


def _text(text: str) -> str:
    """Parse a value that must not be blank."""
    if not text.strip():
        raise ValueError("must not be empty")
    return text.strip()


def _path(text: str) -> str:
    """Resolve a path against the working directory the service was started in."""
    return str(Path(_text(text)).expanduser().resolve())


@dataclass(frozen=True)
class Setting:
    """One configuration key: its default and how to read it from the environment."""

    key: str  # the key in ``app.config``; the variable is PREFIX + key
    default: Any  # None: unset (see the table for what that means)
    parse: Callable[[str], Any]

    @property
    def variable(self) -> str:
        """The environment variable that sets this key."""
        return PREFIX + self.key


SETTINGS = (
    Setting("DATABASE_URL", None, _text),  # None: filled in from the instance folder
    Setting("MODEL_DIR", "models", _path),
    Setting("MODEL_RELOAD_SECONDS", 10.0, _non_negative_float),
    Setting("MODEL_PRELOAD", True, _boolean),
    Setting("DATA_DIR", None, _path),
    Setting("POLICY", None, _path),
    Setting("MAX_CONTENT_LENGTH", 256 * 1024, _positive_int),
    Setting("MAX_COMMENT_CHARS", 20_000, _positive_int),
    Setting("DOCS_PUBLIC", True, _boolean),
)


def defaults(instance_path: str) -> dict[str, Any]:
    """The built-in value of every setting, with the database in the instance folder."""
    values = {setting.key: setting.default for setting in SETTINGS}
    values["DATABASE_URL"] = "sqlite:///" + os.path.join(instance_path, "moderation.sqlite")
    values["MODEL_DIR"] = _path(values["MODEL_DIR"])
    return values


def from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings given as ``MODERATION_*`` variables, parsed.

    :raise ConfigError: a variable cannot be parsed; the message names it and says why.
    """
    values = {}
    for setting in SETTINGS:
        text = environ.get(setting.variable)
        if text is None:
            continue
        try:
            values[setting.key] = setting.parse(text)
        except ValueError as error:
            raise ConfigError(f"{setting.variable}={text!r} is not valid: {error}") from error
    return values
