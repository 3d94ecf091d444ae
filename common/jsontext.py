"""JSON from outside the program (files, input lines, request bodies), read with plain-words errors.

Every reader of such JSON meets the same four failures, and ``json`` reports two of them with
exceptions that mean nothing to the person who sent the text (RecursionError for brackets nested
too deeply, a bare ValueError for an integer of more than 4,300 digits). One function turns them
all into :class:`JSONTextError`, whose message completes a sentence about the text's source:
``f"The request body {error}."``.
"""

from __future__ import annotations

import json
from typing import Any


class JSONTextError(ValueError):
    """The text is not JSON a program can use; the message says why, as a predicate."""


def parse_json(raw: str | bytes) -> Any:
    """The JSON value of ``raw``; bytes must be UTF-8.

    :raise JSONTextError: not UTF-8, not JSON, nested too deeply, or a number too long to read.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise JSONTextError(f"is not valid UTF-8 (at byte {error.start})") from error
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise JSONTextError(f"is not valid JSON: {error.msg} ({_position(error)})") from error
    except RecursionError as error:
        raise JSONTextError("is nested too deeply to be read as JSON") from error
    except ValueError as error:  # Python converts integers of at most 4,300 digits
        raise JSONTextError("holds a number with too many digits to be read") from error


def _position(error: json.JSONDecodeError) -> str:
    """Where the error is: line and column in a text of several lines, else the character (a
    JSON-lines caller names the line itself, and its final newline is no second line)."""
    if "\n" in error.doc.strip():
        return f"line {error.lineno}, column {error.colno}"
    return f"character {error.pos + 1}"


__all__ = ["JSONTextError", "parse_json"]
