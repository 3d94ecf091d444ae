"""Plain value types shared by the classifier and its callers.

These are the whole contract between ``classifier`` and the rest of the product: the service and
the policy only ever see :class:`CommentInput` going in and :class:`CommentScores` coming out,
whose names :mod:`classifier.scores` declares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from classifier.scores import SCORE_NAMES


@dataclass(frozen=True)
class ArticleText:
    """The article a comment was written under."""

    title: str
    body: str = ""


@dataclass(frozen=True)
class CommentInput:
    """One comment to score, with the context the on-topic model needs."""

    text: str
    article: ArticleText | None = None
    parent_text: str | None = None


@dataclass(frozen=True)
class Evidence:
    """A piece of the comment that drove a score.

    ``start``/``end`` are character offsets into the *original* comment text (Python string
    indices, end exclusive), so a UI can highlight ``text[start:end]``. ``weight`` is the
    contribution to the score's log-odds; positive pushes towards a violation.
    """

    text: str
    start: int
    end: int
    weight: float


@dataclass(frozen=True)
class Score:
    """How likely the comment breaks one thing the site cares about, and why.

    ``score`` is a calibrated probability in 0..1 that the comment *breaks* it (what each score
    measures is declared in :mod:`classifier.scores`). ``signals`` holds named, human-readable
    facts behind the score that are not spans of the comment (e.g.
    ``{"shared_article_words": [...]}`` or ``{"spam_signals": {"short_link": 1}}``).
    """

    score: float
    evidence: tuple[Evidence, ...] = ()
    signals: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CommentScores:
    """The classifier's verdict on one comment: its scores by name (see :mod:`classifier.scores`).

    A model may give fewer scores than are registered (a bundle trained before a score existed);
    a name that is not registered is a mistake and refused.
    """

    scores: Mapping[str, Score]
    model_version: str
    slow_path: bool = False

    def __post_init__(self) -> None:
        unknown = [name for name in self.scores if name not in SCORE_NAMES]
        if unknown:
            raise ValueError(f"unknown score {unknown[0]!r}; the registered scores are: "
                             f"{', '.join(SCORE_NAMES)}")

    def __getitem__(self, name: str) -> Score:
        """The score called ``name``, e.g. ``scores["respectful"]``."""
        return self.scores[name]

    def as_dict(self) -> dict[str, float]:
        """The probabilities by score name."""
        return {name: score.score for name, score in self.scores.items()}
