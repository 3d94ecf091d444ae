"""Where the examples go: between ``<!-- example: NAME -->`` and ``<!-- /example -->`` in the
README and the files of docs/, replaced as a whole on every run."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

REGENERATE = "python -m docs.examples"
_MARKED = re.compile(r"(?P<open><!-- example: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(?P<close><!-- /example -->)",
                     re.DOTALL)


def documents(repo: Path) -> list[Path]:
    """The Markdown files that may hold examples."""
    return [repo / "README.md", *sorted((repo / "docs").glob("*.md"))]


def marked_names(text: str) -> list[str]:
    """The names of the example blocks in ``text``, in order."""
    return [match.group("name") for match in _MARKED.finditer(text)]


def rewrite(text: str, rendered: Mapping[str, str]) -> str:
    """``text`` with every marked block replaced by its rendered Markdown.

    :raise KeyError: a marker names a block that is not declared.
    """
    return _MARKED.sub(lambda match: match.group("open") + rendered[match.group("name")] + "\n"
                       + match.group("close"), text)


def check_markers(repo: Path, declared: Collection[str]) -> None:
    """Make sure that every marker names a declared block and every block is shown somewhere.

    :raise ValueError: a marker names no declared block, or a block is shown nowhere.
    """
    shown = {name for path in documents(repo) for name in marked_names(path.read_text(encoding="utf-8"))}
    unknown, unshown = sorted(shown - set(declared)), sorted(set(declared) - shown)
    if unknown or unshown:
        raise ValueError(f"markers without a block in docs/examples/catalogue.py: {unknown or 'none'}; "
                         f"blocks that no document shows: {unshown or 'none'}")


def updated(repo: Path, rendered: Mapping[str, str]) -> dict[Path, str]:
    """Every document's text with its examples as rendered now (see :func:`check_markers`)."""
    return {path: rewrite(path.read_text(encoding="utf-8"), rendered) for path in documents(repo)}


def stale(repo: Path, new_texts: Mapping[Path, str]) -> list[str]:
    """One message per document whose examples differ from ``new_texts``, with the diff."""
    messages = []
    for path, new in new_texts.items():
        old = path.read_text(encoding="utf-8")
        if old != new:
            name = path.relative_to(repo).as_posix()
            diff = difflib.unified_diff(old.splitlines(), new.splitlines(), f"{name} (now)",
                                        f"{name} (what the service answers)", lineterm="", n=2)
            messages.append("\n".join(_capped(diff, 80)))
    return messages


def _capped(lines: Iterable[str], limit: int) -> list[str]:
    """The first ``limit`` lines, and how many more there were."""
    kept: list[str] = []
    for count, line in enumerate(lines):
        if count == limit:
            return [*kept, "[... more differences]"]
        kept.append(line)
    return kept
