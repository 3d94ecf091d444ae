"""Problem details (RFC 9457): the body of every error the API answers with."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A problem details object.

    ``type`` is ``about:blank``: the status code says what kind of problem it is, ``detail``
    says in plain words what was wrong, and ``errors`` lists the messages by field.
    """
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    if errors:
        body["errors"] = dict(errors)
    body.update(extra)
    return body


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested error messages into ``{"field.path": [messages]}``.

    Errors of a nested object or list item get a dotted path (``article.title``,
    ``comments.3.text``); errors about the object as a whole keep marshmallow's ``_schema``.
    """
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            for path, texts in flatten(value, f"{prefix}.{key}" if prefix else str(key)).items():
                flat.setdefault(path, []).extend(texts)
        return flat
    if isinstance(messages, list | tuple):
        texts = [text for text in messages if isinstance(text, str)]
        flat = {prefix or "_schema": texts} if texts else {}
        for item in messages:
            if not isinstance(item, str):
                for path, nested in flatten(item, prefix).items():
                    flat.setdefault(path, []).extend(nested)
        return flat
    return {prefix or "_schema": [str(messages)]}


def validation_detail(errors: Mapping[str, list[str]]) -> str:
    """One sentence naming every invalid field and what is wrong with it."""
    parts = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in errors.items())
    return f"The request is invalid. {parts}"
