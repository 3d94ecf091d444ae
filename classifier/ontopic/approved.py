"""What moderators approved under an article: a comment close to one of them is on topic there.

The on-topic model learns how comments relate to articles in general; a single approval among
thousands of training pairs barely moves it. A moderator who approves a held comment says more
than that: *this* comment is on topic under *this* article. So retraining keeps, per article, the
comments moderators approved (:class:`ApprovedComments`), and the model caps the off-topic score
of a comment close to one of them (:meth:`ApprovedComments.closest`, IDF-weighted lemma cosine):
the approved comment itself and its close variants score below any hold threshold, other comments
under the article are judged as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from classifier.ontopic.lexical import TopicFeatures
from classifier.types import ArticleText

#: Closer than this to an approved comment, a comment's off-topic score is at most 1 - similarity.
SIMILAR = 0.6
PER_ARTICLE = 500  # the latest approvals kept per article


@dataclass(frozen=True)
class ApprovedMatch:
    """The approved comment closest to a new one under the same article."""

    text: str
    similarity: float


@dataclass
class _Article:
    texts: list[str] = field(default_factory=list)
    index: dict[str, list[tuple[int, float]]] = field(default_factory=dict)  # unit -> (text, weight)


class ApprovedComments:
    """Moderator-approved comments per article (by title and body), with their lemma profiles.

    :param features: the fitted on-topic features, whose word rarities weigh the comparison.
    :param approved: (article, comment text) pairs, oldest first.
    """

    def __init__(self, features: TopicFeatures, approved: Iterable[tuple[ArticleText, str]]) -> None:
        by_article: dict[tuple[str, str], list[str]] = {}
        for article, text in approved:
            texts = by_article.setdefault((article.title, article.body), [])
            if text not in texts:
                texts.append(text)
        self._articles: dict[tuple[str, str], _Article] = {}
        for key, texts in by_article.items():
            entry = self._articles[key] = _Article(texts[-PER_ARTICLE:])
            for number, text in enumerate(entry.texts):
                for unit, weight in features.text_profile(text).items():
                    entry.index.setdefault(unit, []).append((number, weight))

    def __len__(self) -> int:
        return sum(len(entry.texts) for entry in self._articles.values())

    def closest(self, text: str, article: ArticleText, features: TopicFeatures) -> ApprovedMatch | None:
        """The approved comment under ``article`` closest to ``text``, if any shares a word."""
        entry = self._articles.get((article.title, article.body))
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
