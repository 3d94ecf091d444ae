"""Is a comment about its article, judged by meaning: the on-topic model's second stage.

The lexical on-topic model (:mod:`classifier.ontopic.lexical`) sees shared words. A comment can be on topic
without sharing a word ("Die Kiste gehört aufs Dach, nicht in den Keller" under an article on heat
pumps) or be written in English under a German article. The multilingual sentence encoder puts
such a comment near the article sentence it talks about. The features here are the comment's
similarity to the article's title, to its closest sentences and to the whole article, to the
parent it answers and the parent's to the article, next to the lexical model's own log-odds; a
small linear model on them gives the second-stage probability. It runs only when the lexical
model is unsure (the cascade), and the article's sentence embeddings are computed once per
article and kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from classifier.caching import PerArticleCache
from classifier.estimators.encoder import SentenceEmbedder
from classifier.types import ArticleText, CommentInput

SEMANTIC_FEATURE_NAMES: tuple[str, ...] = (
    "lexical_off_topic_logit",
    "title_similarity",
    "best_sentence_similarity",
    "top3_sentence_similarity",
    "article_similarity",
    "parent_similarity",
    "is_reply",
    "parent_article_similarity",
    "parent_similarity_x_parent_article",
    "article_similarity_over_references",
    "sentence_similarity_over_references",
    "sentence_similarity_over_closest_reference",
)

TEXT_MEANING_FEATURE = "text_meaning_off_topic_logit"

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_MIN_SENTENCE_CHARS = 20  # shorter pieces are datelines and captions, not statements
_MAX_SENTENCE_CHARS = 400
_MAX_SENTENCES = 80  # a long news article has 30-60; more is not an article


def article_sentences(article: ArticleText) -> tuple[str, ...]:
    """The title, then the body's sentences (short fragments left out).

    A sentence longer than ``_MAX_SENTENCE_CHARS`` (a body without punctuation, a pasted list) is
    cut at word boundaries, and only the first ``_MAX_SENTENCES`` are kept: the encoder is made
    for sentences, the closest one is shown to moderators, and each costs ~2 ms to embed.
    """
    body = (piece for s in _SENTENCE_END.split(article.body) for piece in _pieces(s.strip()))
    kept = [s for s in body if len(s) >= _MIN_SENTENCE_CHARS]
    return (article.title[:_MAX_SENTENCE_CHARS], *kept[:_MAX_SENTENCES])


def _pieces(sentence: str) -> list[str]:
    """``sentence`` in pieces of at most ``_MAX_SENTENCE_CHARS``, cut between words."""
    if len(sentence) <= _MAX_SENTENCE_CHARS:
        return [sentence]
    pieces, current = [], ""
    for word in sentence.split():
        if current and len(current) + 1 + len(word) > _MAX_SENTENCE_CHARS:
            pieces.append(current)
            current = ""
        current = f"{current} {word}" if current else word[:_MAX_SENTENCE_CHARS]
    return [*pieces, current] if current else pieces


@dataclass(frozen=True)
class ArticleEmbedding:
    """An article's sentences and their unit-length embeddings (title first)."""

    sentences: tuple[str, ...]
    vectors: np.ndarray
    centroid: np.ndarray  # unit-length mean of the sentence vectors


@dataclass(frozen=True)
class SemanticMatch:
    """What the second stage found, for the moderator: the closest article sentence."""

    sentence: str
    similarity: float


class SemanticTopicFeatures(PerArticleCache, TransformerMixin, BaseEstimator):
    """Turn :class:`CommentInput` objects into the features named in :data:`SEMANTIC_FEATURE_NAMES`.

    Parameters
    ----------
    lexical : fitted on-topic pipeline
        The first stage; its ``decision_function`` is the first feature. It must already be
        fitted: ``fit_transform`` uses the out-of-fold values passed as ``lexical_logits`` so the
        second stage does not learn from the first stage's in-sample overconfidence.
    embedder : SentenceEmbedder or None, default=None
        The sentence encoder (a default one if None).
    text_head : fitted classifier or None, default=None
        A model of off-topic *meaning* from the comment's embedding alone ("have a nice weekend,
        everyone" in any wording or language); its decision value is one more feature. Like the
        lexical model, it must already be fitted, and ``fit_transform`` takes its out-of-fold
        values as ``text_logits``.
    """

    def __init__(self, *, lexical=None, embedder: SentenceEmbedder | None = None, text_head=None) -> None:
        self.lexical = lexical
        self.embedder = embedder
        self.text_head = text_head

    def sentence_embedder(self) -> SentenceEmbedder:
        """The sentence encoder these features embed with."""
        return self.embedder if self.embedder is not None else SentenceEmbedder()

    def fit(self, X: Sequence[CommentInput], y=None, lexical_logits=None, text_logits=None,
            reference_articles: Sequence[ArticleText] = ()) -> SemanticTopicFeatures:
        """Embed the reference articles; the encoder is pretrained and the heads already fitted.

        :param reference_articles: articles every comment is also compared with: a comment that
            is about as close to any article as to its own (a greeting, a generic complaint) is
            told from one that is closer to its own.
        """
        self._forget_articles()
        embedded = [self._embed_article(article) for article in reference_articles]
        self.reference_centroids_ = np.array([e.centroid for e in embedded]) if embedded else np.zeros((0, 0))
        self.reference_sentences_ = np.vstack([e.vectors for e in embedded]) if embedded else np.zeros((0, 0))
        self.reference_starts_ = np.cumsum([0, *(len(e.vectors) for e in embedded)])[:-1]
        self.n_features_out_ = len(self.get_feature_names_out())
        return self

    def fit_transform(self, X: Sequence[CommentInput], y=None, lexical_logits=None, text_logits=None,
                      reference_articles: Sequence[ArticleText] = (), **fit_params) -> np.ndarray:
        """Fit, then transform ``X`` with the out-of-fold ``lexical_logits`` and ``text_logits``."""
        return self.fit(X, y, reference_articles=reference_articles).transform(X, lexical_logits, text_logits)

    def transform(self, X: Sequence[CommentInput], lexical_logits=None, text_logits=None) -> np.ndarray:
        """One feature row per comment (the comments need their article)."""
        comments = list(X)
        if lexical_logits is None:
            lexical_logits = self.lexical.decision_function(comments)
        texts = sorted({c.text for c in comments} | {c.parent_text for c in comments if c.parent_text})
        vectors = dict(zip(texts, self.sentence_embedder().transform(texts), strict=True))
        if text_logits is None:
            text_logits = [None] * len(comments)
        rows = [self.describe_one(c, vectors[c.text], float(logit),
                                  vectors[c.parent_text] if c.parent_text else None, text_logit)[0]
                for c, logit, text_logit in zip(comments, lexical_logits, text_logits, strict=True)]
        return np.array(rows, dtype=np.float64).reshape(len(comments), len(self.get_feature_names_out()))

    def describe_one(self, comment: CommentInput, embedding: np.ndarray, lexical_logit: float,
                     parent_embedding: np.ndarray | None = None,
                     text_logit: float | None = None) -> tuple[np.ndarray, SemanticMatch]:
        """One comment's feature row and its closest article sentence (the service's path).

        :param embedding: the comment's embedding (the caller may already have it).
        :param parent_embedding: the parent's embedding; computed here if the comment is a reply
            and it is not given.
        :param text_logit: the text head's decision value (computed here if None).
        """
        if comment.article is None:
            raise ValueError("the semantic on-topic features need the comment's article")
        article = self.article(comment.article)
        similarities = article.vectors @ embedding
        body = np.sort(similarities[1:])[::-1] if len(similarities) > 1 else similarities
        is_reply = comment.parent_text is not None
        parent = parent_article = 0.0
        if is_reply:
            if parent_embedding is None:
                parent_embedding = self.sentence_embedder().embed_one(comment.parent_text or "")
            parent = float(parent_embedding @ embedding)
            # a reply is judged with its parent: how close the parent is to the article
            parent_article = float(np.max(article.vectors @ parent_embedding))
        centroid = float(article.centroid @ embedding)
        row = np.array([
            lexical_logit,
            similarities[0],
            body[0],
            body[:3].mean(),
            centroid,
            parent,
            float(is_reply),
            parent_article,
            parent * parent_article,
            *self._over_references(article, embedding, centroid, body[0]),
        ], dtype=np.float64)
        if self.text_head is not None:
            if text_logit is None:
                text_logit = float(self.text_head.decision_function(embedding.reshape(1, -1))[0])
            row = np.append(row, text_logit)
        best = int(np.argmax(similarities))
        return row, SemanticMatch(article.sentences[best], round(float(similarities[best]), 4))

    def _over_references(self, article: ArticleEmbedding, embedding: np.ndarray, centroid: float,
                         best_sentence: float) -> tuple[float, float, float]:
        """How much closer the comment is to its article than to the other reference articles:
        by centroid, by closest sentence (against their mean), by closest sentence (against the
        closest other article). The article itself, if a reference, is left out."""
        others = self.reference_centroids_ @ article.centroid < 0.95 if len(self.reference_centroids_) else []
        if not np.any(others):
            return 0.0, 0.0, 0.0
        best = np.maximum.reduceat(self.reference_sentences_ @ embedding, self.reference_starts_)[others]
        return (centroid - float(np.mean(self.reference_centroids_[others] @ embedding)),
                best_sentence - float(best.mean()), best_sentence - float(best.max()))

    def article(self, article: ArticleText) -> ArticleEmbedding:
        """The article's sentence embeddings, computed once per article and kept (bounded)."""
        return self._for_article(article, lambda: self._embed_article(article))

    def _embed_article(self, article: ArticleText) -> ArticleEmbedding:
        sentences = article_sentences(article)
        vectors = self.sentence_embedder().transform(list(sentences))
        centroid = vectors.mean(axis=0)
        return ArticleEmbedding(sentences, vectors, centroid / (np.linalg.norm(centroid) or 1.0))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False  # a sequence of CommentInput objects
        return tags

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The names of the feature columns."""
        names = SEMANTIC_FEATURE_NAMES if self.text_head is None else (*SEMANTIC_FEATURE_NAMES,
                                                                       TEXT_MEANING_FEATURE)
        return np.array(names, dtype=object)

