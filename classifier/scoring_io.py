"""JSON in and out for ``moderation score``: strict input checks, plain output."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from classifier.types import ArticleText, CommentInput, CommentScores
from common import settings
from common.jsontext import JSONTextError, parse_json

#: The API's default limit, so that a comment the API takes can be scored from the shell too.
MAX_TEXT_CHARS = int(settings.MAX_COMMENT_CHARS.default)


class ScoreInputError(ValueError):
    """An input line that cannot be scored; the message says why."""


_FIELDS = {"text", "article", "parent_text"}
_ARTICLE_FIELDS = {"title", "body"}


def _check_fields(obj: dict[str, Any], allowed: set[str], where: str) -> None:
    """Refuse unknown fields: a typo ("parent" for "parent_text") would silently drop context."""
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise ScoreInputError(f"unknown field {where}{unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")


def _checked_string(value: str, field: str) -> str:
    """A string that can be written out as UTF-8 (JSON may carry lone surrogates like \ud800)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ScoreInputError(f"{field} contains an invalid character (lone surrogate at "
                              f"position {error.start})") from error
    return value


def _optional_string(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ScoreInputError(f"{where}{key} must be a string, not {type(value).__name__}")
    return _checked_string(value, where + key)


def validate_text(text: object, field: str = "text") -> str:
    """A comment text that is a non-empty string of at most ``MAX_TEXT_CHARS`` characters."""
    if not isinstance(text, str):
        raise ScoreInputError(f"{field} must be a string")
    if not text.strip():
        raise ScoreInputError(f"{field} is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise ScoreInputError(
            f"{field} has {len(text)} characters; at most {MAX_TEXT_CHARS} are accepted"
        )
    return _checked_string(text, field)


def parse_score_line(raw: bytes) -> CommentInput:
    """One input line (bytes, as read) to a :class:`CommentInput`."""
    try:
        obj = parse_json(raw)
    except JSONTextError as error:
        raise ScoreInputError(f"the line {error}") from error
    if not isinstance(obj, dict):
        raise ScoreInputError("each line must be a JSON object with a \"text\" field")
    _check_fields(obj, _FIELDS, "")
    text = validate_text(obj.get("text"))
    article = None
    if obj.get("article") is not None:
        raw_article = obj["article"]
        if not isinstance(raw_article, dict):
            raise ScoreInputError("article must be an object with \"title\" and \"body\"")
        _check_fields(raw_article, _ARTICLE_FIELDS, "article.")
        title = _optional_string(raw_article, "title", "article.") or ""
        body = _optional_string(raw_article, "body", "article.") or ""
        if not (title.strip() or body.strip()):
            raise ScoreInputError("article needs a title or a body")
        article = ArticleText(title, body)
    parent = _optional_string(obj, "parent_text", "")
    return CommentInput(text, article, parent)


def scores_to_json(scores: CommentScores) -> dict[str, Any]:
    """The scores as a JSON-ready dict: per score its probability, evidence and signals.

    A score that was not computed (on topic without an article: ``signals.skipped`` says why) is
    ``null``, not a probability that would read as "certainly fine".
    """
    named = {
        name: {
            "score": None if "skipped" in score.signals else round(score.score, 6),
            "evidence": [asdict(e) for e in score.evidence],
            "signals": score.signals,
        }
        for name, score in scores.scores.items()
    }
    return {"scores": {name: entry["score"] for name, entry in named.items()}, **named,
            "model_version": scores.model_version, "slow_path": scores.slow_path}
