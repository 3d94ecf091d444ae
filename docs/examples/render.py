"""How the examples look in Markdown: JSON laid out for reading, volatile values as placeholders.

What the docs show must be reproducible by the next run, so everything that differs between two
runs on the same model is replaced before it is printed: times, the model's version (a bundle
trained again gets a new one), queue cursors (they hold a time) and API keys. Floats are rounded
to :data:`DECIMALS` places, so a test compares scores to the decimals shown and no further.
"""

from __future__ import annotations

import json
import re
from typing import Any

DECIMALS = 4
WIDTH = 100  # longest line a JSON value is kept on before it is split over several

TIME = "<time>"
MODEL_VERSION = "<model-version>"
CURSOR = "<cursor>"
#: Looks like a key (``mod_`` and 43 characters), so that readers recognise one.
KEY = "mod_" + "X" * 43
KEY_PATTERN = re.compile(r"mod_[A-Za-z0-9_-]{43}")

#: Fields whose value differs on every run, and what the docs show instead.
_VOLATILE_FIELDS = {
    "created_at": TIME,
    "updated_at": TIME,
    "decided_at": TIME,
    "model_version": MODEL_VERSION,
    "next_cursor": CURSOR,
}


def stable(value: Any, model_version: str) -> Any:
    """``value`` with volatile fields replaced by placeholders and floats rounded.

    :param model_version: the version of the model served, replaced wherever it occurs (it is
        also a label in the metrics).
    """
    if isinstance(value, dict):
        return {key: _VOLATILE_FIELDS[key] if key in _VOLATILE_FIELDS and item is not None
                else stable(item, model_version) for key, item in value.items()}
    if isinstance(value, list):
        return [stable(item, model_version) for item in value]
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, str):
        return stable_text(value, model_version)
    return value


def stable_text(text: str, model_version: str) -> str:
    """``text`` with the model version and API keys replaced by placeholders."""
    return KEY_PATTERN.sub(KEY, text.replace(model_version, MODEL_VERSION))


def layout(value: Any, indent: int = 0) -> str:
    """JSON as people write it: a value on one line when it fits in :data:`WIDTH`, else one
    member per line, indented by two spaces per level. Non-ASCII characters stay as they are
    (the API escapes them as ``\\u00f6``; every JSON parser reads both the same)."""
    return _layout(value, indent, indent)


def _layout(value: Any, indent: int, used: int) -> str:
    """``value`` laid out at ``indent``, on a line whose first ``used`` characters are taken."""
    flat = json.dumps(value, ensure_ascii=False)
    if used + len(flat) <= WIDTH or not isinstance(value, dict | list) or not value:
        return flat
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        members = []
        for key, item in value.items():
            head = f"{inner}{json.dumps(key, ensure_ascii=False)}: "
            members.append(head + _layout(item, indent + 2, len(head)))
    else:
        members = [inner + _layout(item, indent + 2, len(inner)) for item in value]
    close = " " * indent + ("}" if isinstance(value, dict) else "]")
    return ("{" if isinstance(value, dict) else "[") + "\n" + ",\n".join(members) + "\n" + close


def shell_quote(text: str) -> str:
    """``text`` in single quotes for a POSIX shell."""
    return "'" + text.replace("'", "'\\''") + "'"


def fenced(language: str, text: str) -> str:
    """A fenced Markdown code block."""
    return f"```{language}\n{text.rstrip()}\n```"


def table_cell(text: str) -> str:
    """``text`` for a cell of a Markdown table (pipes escaped, on one line)."""
    return text.replace("|", "\\|").replace("\n", " ")
