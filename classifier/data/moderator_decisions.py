"""Moderators' decisions as training examples: the JSON lines ``moderation decisions export`` writes.

Each line is one moderator's latest decision on one revision of a comment, with the text the
moderator judged and the article and parent's text as stored when the file was exported. A
decision says which rule a comment broke, not how it fares on every rule, so each one labels
only the scores it tells about (see :data:`LABELS`, built from the reason codes each score of
:mod:`classifier.scores` declares); for the others that example stays out of the model concerned.

This module reads the file format only; it knows nothing of the database that wrote it.
Fields it does not know are ignored, so that an export may carry more than training reads.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from classifier.data.corpora import CorpusError
from classifier.scores import REASON_CODES, SCORES
from classifier.types import ArticleText
from common.jsontext import JSONTextError, parse_json

MODERATOR_SOURCE = "moderator_decisions"
DECISIONS = ("approve", "reject")


#: What a decision says about each score: True, the comment breaks that score's rule; False, it
#: keeps it. A score the decision says nothing about is absent.
Labels = Mapping[str, bool]

# An approval says the comment breaks no rule, whatever code came with it.
_FINE: Labels = {spec.name: False for spec in SCORES}
# The reason code of a reject -> what it says (each score declares the codes that say it is
# broken); None: it says nothing a model can learn from.
LABELS: dict[str, Labels | None] = {
    code: {spec.name: True for spec in SCORES if code in spec.reason_codes} or None
    for code in REASON_CODES
}


class DecisionsError(CorpusError):
    """A decisions file cannot be read; the message names the file, the line and the problem."""


@dataclass(frozen=True)
class ModeratorDecision:
    """One usable decision: the comment and its context as exported, and what the decision says."""

    id: str
    revision: int
    article_id: str
    lang: str | None
    text: str
    parent_text: str | None
    article: ArticleText
    article_lang: str | None  # the article's own language (``lang`` is the comment's)
    labels: Labels


@dataclass(frozen=True)
class ModeratorDecisions:
    """The usable decisions of a file (in file order) and how many of each kind were read."""

    path: Path
    usable: list[ModeratorDecision]
    counts: Counter[str]  # "approve", "reject" and "unusable" (rejects without a usable code)

    @property
    def total(self) -> int:
        """Every decision read, usable or not."""
        return self.counts["approve"] + self.counts["reject"]


# field -> (accepted types, may be null, how to say the type)
_FIELDS: dict[str, tuple[type | tuple[type, ...], bool, str]] = {
    "id": (str, False, "a string"),
    "revision": (int, False, "an integer"),
    "article_id": (str, False, "a string"),
    "lang": (str, True, "a string or null"),
    "text": (str, False, "a string"),
    "parent_text": (str, True, "a string or null"),
    "article": (dict, False, "an object"),
    "decision": (str, False, "a string"),
    "reason_code": (str, True, "a string or null"),
    "decided_at": (str, False, "a string"),
}
_ARTICLE_FIELDS = ("title", "body")


def labels_for(decision: str, reason_code: str | None) -> Labels | None:
    """What a moderator's decision says about each score; None if it says nothing usable."""
    if decision == "approve":
        return _FINE
    return LABELS[reason_code] if reason_code is not None else None


def load_decisions(path: Path) -> ModeratorDecisions:
    """Read and check a decisions file.

    :raise DecisionsError: the file is missing or unreadable, or a line is not a JSON object of
        the export's fields and types (the message says ``file:line: problem``).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DecisionsError(f"cannot read the decisions file {path}: {error.strerror}") from error
    usable: list[ModeratorDecision] = []
    counts: Counter[str] = Counter(approve=0, reject=0, unusable=0)
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue  # blank lines (e.g. the final newline) carry nothing
        try:
            obj = _parse(line)
        except ValueError as error:
            raise DecisionsError(f"{path}:{number}: {error}") from error
        counts[obj["decision"]] += 1
        labels = labels_for(obj["decision"], obj["reason_code"])
        if labels is None:
            counts["unusable"] += 1
            continue
        usable.append(ModeratorDecision(
            id=obj["id"], revision=obj["revision"], article_id=obj["article_id"], lang=obj["lang"],
            text=obj["text"], parent_text=obj["parent_text"],
            article=ArticleText(obj["article"]["title"], obj["article"]["body"]),
            article_lang=obj["article"].get("lang"), labels=labels,
        ))
    return ModeratorDecisions(path, usable, counts)


def _parse(line: bytes) -> dict[str, Any]:
    """One line as a checked JSON object; ValueError says what is wrong with it."""
    try:
        obj = parse_json(line)
    except JSONTextError as error:
        raise ValueError(f"the line {error}") from error
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    for key, (kind, nullable, expected) in _FIELDS.items():
        if key not in obj:
            raise ValueError(f"missing field {key!r}")
        value = obj[key]
        # bool is an int to Python, but true is no revision number.
        if (value is None and not nullable) or (value is not None and (
                not isinstance(value, kind) or isinstance(value, bool))):
            raise ValueError(f"field {key!r} must be {expected}, got {json.dumps(value)}")
    for key in _ARTICLE_FIELDS:
        if not isinstance(obj["article"].get(key), str):
            raise ValueError(f"field 'article.{key}' must be a string, "
                             f"got {json.dumps(obj['article'].get(key))}")
    if not isinstance(obj["article"].get("lang"), str | None):
        raise ValueError(f"field 'article.lang' must be a string or null, "
                         f"got {json.dumps(obj['article'].get('lang'))}")
    if not obj["text"].strip():
        raise ValueError("field 'text' is empty")
    if obj["decision"] not in DECISIONS:
        raise ValueError(f"unknown decision {obj['decision']!r}; known: {', '.join(DECISIONS)}")
    if obj["reason_code"] is not None and obj["reason_code"] not in LABELS:
        raise ValueError(f"unknown reason_code {obj['reason_code']!r}; known: {', '.join(LABELS)}")
    try:
        datetime.fromisoformat(obj["decided_at"])
    except ValueError as error:
        raise ValueError(f"field 'decided_at' is not an ISO 8601 time: {obj['decided_at']!r}") from error
    return obj


__all__ = ["LABELS", "MODERATOR_SOURCE", "DecisionsError", "Labels", "ModeratorDecision",
           "ModeratorDecisions", "labels_for", "load_decisions"]
