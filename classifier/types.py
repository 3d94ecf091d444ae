"""Plain value types shared by the classifier and its callers.

These are the whole contract between ``classifier`` and the rest of the product: the service and
the policy only ever see :class:`CommentInput` going in and :class:`CommentScores` coming out.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    contribution to the rule's log-odds; positive pushes towards a violation.
    """

    text: str
    start: int
    end: int
    weight: float


@dataclass(frozen=True)
class RuleScore:
    """How likely one rule is broken, and why.

    ``score`` is a calibrated probability in 0..1 that the comment *breaks* the rule.
    ``signals`` holds named, human-readable facts behind the score that are not spans of the
    comment (e.g. ``{"shared_article_words": [...]}`` or ``{"links": 2}``).
    """

    score: float
    evidence: tuple[Evidence, ...] = ()
    signals: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CommentScores:
    """The classifier's verdict on one comment, one entry per rule of the site."""

    respectful: RuleScore
    on_topic: RuleScore
    spam: RuleScore
    model_version: str
    slow_path: bool = False

    def as_dict(self) -> dict[str, float]:
        """The three probabilities by rule name."""
        return {
            "respectful": self.respectful.score,
            "on_topic": self.on_topic.score,
            "spam": self.spam.score,
        }
