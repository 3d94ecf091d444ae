"""The team's own labelled articles and comments in ``training_data/``.

The format is specified in ``training_data/README.md``: ``articles/<article_id>.json`` holds one
article, ``comments/<article_id>.jsonl`` the comments written under it. :func:`load_team_data`
validates everything the README promises and reports *all* problems at once, each as
``file:line: message``, so a contributor can fix a batch of comments in one go.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from classifier.data.corpora import CorpusError
from common.jsontext import JSONTextError, parse_json

LANGS = ("de", "en")

# category -> (respectful, on_topic); None = either value is allowed ("any" in the README).
CATEGORIES: dict[str, tuple[bool, bool | None]] = {
    "civil": (True, True),
    "criticism": (True, True),
    "sarcasm": (True, True),
    "question": (True, True),
    "reply": (True, True),
    "group_mention": (True, True),
    "quoted_slur": (True, True),
    "insult_reader": (False, None),
    "insult_author": (False, None),
    "insult_group": (False, None),
    "threat": (False, None),
    "obfuscated": (False, None),
    "spam": (True, False),
    "ad": (True, False),
    "chatter": (True, False),
    "wrong_article": (True, False),
}

HELDOUT_BYTE_LIMIT = 52  # first SHA-256 byte below this -> held out (52/256, about 20 %)

_ARTICLE_FIELDS = {"id": str, "lang": str, "title": str, "body": str, "topic": str}
_COMMENT_REQUIRED = {
    "id": str,
    "article_id": str,
    "lang": str,
    "text": str,
    "respectful": bool,
    "on_topic": bool,
    "category": str,
}
_COMMENT_OPTIONAL = {"parent_id": str, "note": str}
_MAX_REPORTED = 50  # errors listed in one exception; the rest are counted


@dataclass(frozen=True)
class TeamArticle:
    """A sample article the team wrote."""

    id: str
    lang: str
    title: str
    body: str
    topic: str


@dataclass(frozen=True)
class TeamComment:
    """A comment the team wrote under one of its articles, with its labels."""

    id: str
    article_id: str
    lang: str
    text: str
    parent_id: str | None
    respectful: bool
    on_topic: bool
    category: str
    note: str | None


@dataclass(frozen=True)
class TeamData:
    """All team articles (by id) and comments (in file order)."""

    articles: dict[str, TeamArticle]
    comments: list[TeamComment]

    def split(self, split: str) -> list[TeamComment]:
        """Comments of the ``"train"`` or the ``"heldout"`` (alias ``"test"``) split."""
        if split not in ("train", "heldout", "test"):
            raise CorpusError(f"unknown split {split!r}; valid splits: train, heldout (or test)")
        want_heldout = split != "train"
        return [c for c in self.comments if is_heldout(c.id) == want_heldout]

    def parent_text(self, comment: TeamComment) -> str | None:
        """The text of the comment ``comment`` replies to, or None for a top-level comment."""
        if comment.parent_id is None:
            return None
        parent = self._by_id.get(comment.parent_id)
        return parent.text if parent is not None else None

    @cached_property
    def _by_id(self) -> dict[str, TeamComment]:
        return {c.id: c for c in self.comments}


def is_heldout(comment_id: str) -> bool:
    """Whether a comment belongs to the fixed held-out split (a function of its id alone)."""
    return hashlib.sha256(comment_id.encode("utf-8")).digest()[0] < HELDOUT_BYTE_LIMIT


def packaged_team_dir() -> Path:
    """The team data that comes with the code, for a first training without any configuration.

    ``classifier/data/training_data/`` of an installed package (``pyproject.toml`` maps the
    repository's folder there); in a source checkout, that folder itself.
    """
    installed = Path(__file__).resolve().with_name("training_data")
    return installed if installed.is_dir() else Path(__file__).resolve().parents[2] / "training_data"


def team_files(root: Path) -> list[Path]:
    """The article and comment files under ``root``, sorted (e.g. to record their sha256)."""
    root = Path(root)
    return sorted((root / "articles").glob("*.json")) + sorted((root / "comments").glob("*.jsonl"))


def load_team_data(root: Path) -> TeamData:
    """Read and validate ``root/articles`` and ``root/comments``.

    Raises :class:`CorpusError` listing every problem as ``file:line: message``: malformed JSON,
    missing or mistyped fields, duplicate ids, unknown categories, labels that disagree with the
    category table, comments whose article or parent does not exist.
    """
    root = Path(root)
    for folder in (root / "articles", root / "comments"):
        if not folder.is_dir():
            raise CorpusError(
                f"team data folder {folder} does not exist (format: training_data/README.md)"
            )
    errors: list[str] = []
    articles = _load_articles(root / "articles", errors)
    comments = _load_comments(root / "comments", articles, errors)
    if errors:
        shown = errors[:_MAX_REPORTED]
        more = len(errors) - len(shown)
        tail = f"\n... and {more} more" if more else ""
        raise CorpusError(
            f"{len(errors)} problem(s) in the team data under {root}:\n" + "\n".join(shown) + tail
        )
    return TeamData(articles=articles, comments=comments)


def _load_articles(folder: Path, errors: list[str]) -> dict[str, TeamArticle]:
    articles: dict[str, TeamArticle] = {}
    for path in sorted(folder.glob("*.json")):
        where = f"{path}:1"
        raw = path.read_bytes()
        try:
            obj = parse_json(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            errors.append(f"{path}:{_line_of(raw, exc.start)}: not valid UTF-8")
            continue
        except JSONTextError as exc:
            errors.append(f"{path}: the file {exc}")
            continue
        problems = _check_fields(obj, _ARTICLE_FIELDS, {})
        if not problems:
            if obj["id"] != path.stem:
                problems.append(f"id {obj['id']!r} differs from the file name {path.stem!r}")
            if obj["lang"] not in LANGS:
                problems.append(f"lang {obj['lang']!r} is not one of {', '.join(LANGS)}")
            problems += [f"{key} is empty" for key in ("title", "body") if not obj[key].strip()]
        if problems:
            errors += [f"{where}: {problem}" for problem in problems]
            continue
        articles[obj["id"]] = TeamArticle(**{key: obj[key] for key in _ARTICLE_FIELDS})
    return articles


def _load_comments(
    folder: Path, articles: dict[str, TeamArticle], errors: list[str]
) -> list[TeamComment]:
    comments: list[TeamComment] = []
    seen: dict[str, str] = {}  # comment id -> where it was first defined
    parents: list[tuple[str, TeamComment]] = []  # checked once every id is known
    for path in sorted(folder.glob("*.jsonl")):
        if path.stem not in articles:
            errors.append(f"{path}:1: no article {path.stem!r} (no articles/{path.stem}.json)")
        for lineno, obj in _read_jsonl(path, errors):
            where = f"{path}:{lineno}"
            problems = _check_comment(obj, path.stem)
            if problems:
                errors += [f"{where}: {problem}" for problem in problems]
                continue
            if obj["id"] in seen:
                errors.append(f"{where}: duplicate id {obj['id']!r} (first at {seen[obj['id']]})")
                continue
            seen[obj["id"]] = where
            comment = TeamComment(
                id=obj["id"],
                article_id=obj["article_id"],
                lang=obj["lang"],
                text=obj["text"],
                parent_id=obj.get("parent_id"),
                respectful=obj["respectful"],
                on_topic=obj["on_topic"],
                category=obj["category"],
                note=obj.get("note"),
            )
            comments.append(comment)
            if comment.parent_id is not None:
                parents.append((where, comment))
    by_id = {c.id: c for c in comments}
    for where, comment in parents:
        parent = by_id.get(comment.parent_id or "")
        if parent is None or parent.article_id != comment.article_id:
            errors.append(
                f"{where}: parent_id {comment.parent_id!r} is not a comment in the same file"
            )
        elif parent.id == comment.id:
            errors.append(f"{where}: a comment cannot reply to itself")
    return comments


def _read_jsonl(path: Path, errors: list[str]) -> list[tuple[int, Any]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        errors.append(f"{path}:{_line_of(raw, exc.start)}: not valid UTF-8")
        return []
    objects = []
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue  # blank lines (e.g. the final newline) carry nothing
        try:
            objects.append((lineno, parse_json(line)))
        except JSONTextError as exc:
            errors.append(f"{path}:{lineno}: the line {exc}")
    return objects


def _check_comment(obj: Any, article_id: str) -> list[str]:
    problems = _check_fields(obj, _COMMENT_REQUIRED, _COMMENT_OPTIONAL)
    if problems:
        return problems
    if obj["article_id"] != article_id:
        problems.append(f"article_id {obj['article_id']!r} differs from the file name")
    if not re.fullmatch(re.escape(obj["article_id"]) + r"-\d{3}", obj["id"]):
        problems.append(f"id {obj['id']!r} is not '<article_id>-<3-digit number>'")
    if obj["lang"] not in LANGS:
        problems.append(f"lang {obj['lang']!r} is not one of {', '.join(LANGS)}")
    if not obj["text"].strip():
        problems.append("text is empty")
    category = obj["category"]
    if category not in CATEGORIES:
        problems.append(f"unknown category {category!r}; known: {', '.join(CATEGORIES)}")
        return problems
    respectful, on_topic = CATEGORIES[category]
    if obj["respectful"] != respectful:
        problems.append(
            f"category {category!r} requires respectful={str(respectful).lower()}, "
            f"got {str(obj['respectful']).lower()}"
        )
    if on_topic is not None and obj["on_topic"] != on_topic:
        problems.append(
            f"category {category!r} requires on_topic={str(on_topic).lower()}, "
            f"got {str(obj['on_topic']).lower()}"
        )
    return problems


def _check_fields(obj: Any, required: dict[str, type], optional: dict[str, type]) -> list[str]:
    """Missing, unknown and mistyped fields; an optional field may also be null."""
    if not isinstance(obj, dict):
        return [f"expected a JSON object, got {type(obj).__name__}"]
    problems = [f"missing field {key!r}" for key in required if key not in obj]
    # Unknown keys are usually typos ("parent" for "parent_id") that would silently drop data.
    problems += [f"unknown field {key!r}" for key in obj if key not in required | optional]
    for key, kind in (required | optional).items():
        value = obj.get(key)
        if value is None and (key in optional or key not in obj):
            continue
        # bool is a subclass of int but not of str, so isinstance is exact enough here.
        if not isinstance(value, kind):
            expected = "true/false" if kind is bool else "a string"
            problems.append(f"field {key!r} must be {expected}, got {json.dumps(value)}")
    return problems


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1
