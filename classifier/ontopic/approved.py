"""What moderators approved under an article: a comment close to one of them is on topic there.

The on-topic model learns how comments relate to articles in general; a single approval among
thousands of training pairs barely moves it. A moderator who approves a held comment says more
than that: *this* comment is on topic under *this* article, in *this* place of the thread. So
retraining keeps, per article and parent (none for a top-level comment), the comments moderators
approved (:class:`ApprovedComments`), and the model caps the off-topic score of a comment close to
one of them (:meth:`ApprovedComments.closest`, IDF-weighted lemma cosine): the approved comment
itself and its close variants score at most 1 - similarity (0.4), other comments are judged as
before. "Danke dir!" approved under one reader's comment is not thereby on topic under another's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from classifier.ontopic.lexical import TopicFeatures
from classifier.types import ArticleText

#: Closer than this to an approved comment, a comment's off-topic score is at most 1 - similarity.
SIMILAR = 0.6
PER_ARTICLE = 500  # the latest approvals kept per article and parent


@dataclass(frozen=True)
class ApprovedMatch:
    """The approved comment closest to a new one under the same article."""

    text: str
    similarity: float


@dataclass
class _Article:
    texts: list[str] = field(default_factory=list)
    index: dict[str, list[tuple[int, float]]] = field(default_factory=dict)  # unit -> (text, weight)


Place = tuple[str, str, str | None]  # the article's title and body, the parent's text


class ApprovedComments:
    """Moderator-approved comments per article (by title and body) and parent, with their lemma
    profiles.

    :param features: the fitted on-topic features, whose word rarities weigh the comparison.
    :param approved: (article, parent text or None, comment text), oldest first.
    """

    def __init__(self, features: TopicFeatures,
                 approved: Iterable[tuple[ArticleText, str | None, str]]) -> None:
        by_place: dict[Place, dict[str, None]] = {}
        for article, parent, text in approved:
            texts = by_place.setdefault((article.title, article.body, parent), {})
            texts.pop(text, None)  # approved again: the latest approval counts
            texts[text] = None
        self._articles: dict[Place, _Article] = {}
        for key, texts in by_place.items():
            entry = self._articles[key] = _Article(list(texts)[-PER_ARTICLE:])
            for number, text in enumerate(entry.texts):
                for unit, weight in features.text_profile(text).items():
                    entry.index.setdefault(unit, []).append((number, weight))

    def __len__(self) -> int:
        return sum(len(entry.texts) for entry in self._articles.values())

    def closest(self, text: str, article: ArticleText, parent: str | None,
                features: TopicFeatures) -> ApprovedMatch | None:
        """The approved comment in the same place (article and parent) closest to ``text``, if
        any shares a word with it."""
        entry = self._articles.get((article.title, article.body, parent))
        if entry is None:
            return None
        similarity = [0.0] * len(entry.texts)
        for unit, weight in features.text_profile(text).items():
            for number, approved_weight in entry.index.get(unit, ()):
                similarity[number] += weight * approved_weight
        best = max(range(len(similarity)), key=similarity.__getitem__)
        if similarity[best] <= 0.0:
            return None
        return ApprovedMatch(entry.texts[best], round(min(1.0, similarity[best]), 4))
