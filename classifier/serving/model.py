"""The trained moderation model: three scikit-learn pipelines and their fast scoring path.

- ``respect``: ``Pipeline([tfidf(NgramAnalyzer), DomainAdaptedClassifier])``, p(not respectful);
- ``spam``: the same fitted TF-IDF with its own head, p(spam or advertising);
- ``topic``: ``Pipeline([TopicFeatures, StandardScaler, DomainAdaptedClassifier])``, p(off topic),
  where ``TopicFeatures`` relates the comment to its article and parent and adds the decision value
  of a text-only off-topic head (chatter and ad style) over the same TF-IDF;
- ``encoder`` (optional): ``Pipeline([SentenceEmbedder, DomainAdaptedClassifier])``, a second
  opinion on respect, run only when the lexical respect score falls inside ``cascade_band``
  (the cascade): the lexical models decide the clear cases in well under a millisecond;
- ``topic_encoder`` (optional): ``Pipeline([SemanticTopicFeatures, DomainAdaptedClassifier])``, the
  on-topic model's second stage (comment vs article by meaning, across languages), run only when
  the lexical on-topic score falls inside ``topic_cascade_band``. Both cascades share the
  comment's one embedding;
- ``approved`` (optional): the comments moderators approved per article; a comment close to one
  of them has its off-topic score capped (:mod:`classifier.ontopic.approved`).

The pipelines are the reference; :meth:`ModerationModel.score` computes the same probabilities
through :mod:`classifier.serving.linear` without scikit-learn's per-call overhead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.pipeline import Pipeline

from classifier.estimators.encoder import SentenceEmbedder
from classifier.ontopic.approved import SIMILAR, ApprovedComments
from classifier.scores import ON_TOPIC, RESPECTFUL, SPAM
from classifier.serving.evidence import word_evidence
from classifier.serving.linear import FastLinearHead, FastTfidf, SparseVector
from classifier.text.normalize import Normalized, normalize
from classifier.text.quotes import strongest_evidence_quoted
from classifier.text.spam_signals import spam_signals
from classifier.types import ArticleText, CommentInput, CommentScores, Score

#: Bumped whenever the meaning of a feature column or of the normalised text changes without its
#: name changing: a bundle of another version is refused, as its weights fit other inputs.
FEATURES_VERSION = 2
NEWS_DOMAIN = "news"  # comments under news articles elsewhere (GermEval 2021, One Million Posts)
TWEET_DOMAIN = "tweet"
SITE_DOMAIN = "site"  # our own site's comments: the head the service uses


def unsure(scores, band: tuple[float, float]):
    """Whether a first-stage score (or each of an array of them) falls inside a cascade's band."""
    low, high = band
    return (scores >= low) & (scores <= high)


def respect_cascade(lexical, second, band: tuple[float, float]):
    """The respect cascade's score: the average of both opinions where the lexical one is unsure.

    Works on single scores (the service) and on arrays (out-of-fold scores in training).
    """
    return np.where(unsure(lexical, band), (lexical + second) / 2.0, lexical)


def topic_cascade(lexical, second, band: tuple[float, float]):
    """The on-topic cascade's score: the second stage's where the lexical one is unsure."""
    return np.where(unsure(lexical, band), second, lexical)


@dataclass
class ModerationModel:
    """Scores comments against the site's rules; built by :func:`classifier.training.train.train_models`."""

    respect: Pipeline
    spam: Pipeline
    topic: Pipeline
    encoder: Pipeline | None = None
    cascade_band: tuple[float, float] = (0.25, 0.75)
    version: str = "unversioned"
    respect_domain: str = SITE_DOMAIN
    topic_encoder: Pipeline | None = None
    topic_cascade_band: tuple[float, float] = (0.2, 1.0)
    approved: ApprovedComments | None = None
    _fast: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_fast"] = {}  # derived from the pipelines; rebuilt after loading
        return state

    def _parts(self) -> dict:
        """The fast path's views of the fitted pipelines, built once per respect domain."""
        parts = self._fast.get(self.respect_domain)
        if parts is None:
            respect = self.respect.named_steps
            topic = self.topic.named_steps
            parts = {
                "tfidf": FastTfidf.from_vectorizer(respect["tfidf"]),
                "respect": FastLinearHead.from_classifier(respect["clf"], self.respect_domain),
                "spam": FastLinearHead.from_classifier(self.spam.named_steps["clf"]),
                "topic": FastLinearHead.from_classifier(topic["clf"]),
                "topic_features": topic["features"],  # named_steps builds a new Bunch per call
                "topic_scale": topic["scale"],
                "text_head": (FastLinearHead.from_classifier(topic["features"].text_head.named_steps["clf"])
                              if topic["features"].text_head is not None else None),
                "encoder": (FastLinearHead.from_classifier(self.encoder.named_steps["clf"],
                                                           self.respect_domain)
                            if self.encoder is not None else None),
                "topic_encoder": (FastLinearHead.from_classifier(self.topic_encoder.named_steps["clf"])
                                  if self.topic_encoder is not None else None),
            }
            self._fast[self.respect_domain] = parts
        return parts

    def with_respect_domain(self, domain: str) -> ModerationModel:
        """The same model predicting respect with another domain's head (e.g. for tweets)."""
        return replace(self, respect_domain=domain)

    def embedder(self) -> SentenceEmbedder | None:
        """The sentence encoder the cascades use, or None when the model has no second stage."""
        for pipeline, step in ((self.encoder, "embed"), (self.topic_encoder, "features")):
            if pipeline is not None:
                found = pipeline.named_steps[step]
                return found if isinstance(found, SentenceEmbedder) else found.sentence_embedder()
        return None

    def feature_names(self) -> dict[str, list[str]]:
        """The feature columns of the on-topic stages as this code computes them.

        A bundle records them when saved: a bundle whose features another release computed
        differently cannot be scored (its scaler and weights fit other columns).
        """
        names = {"on_topic": self.topic.named_steps["features"].get_feature_names_out().tolist()}
        if self.topic_encoder is not None:
            names["on_topic_second_stage"] = (
                self.topic_encoder.named_steps["features"].get_feature_names_out().tolist())
        return names

    def warm_up(self) -> None:
        """Load the sentence encoder now (about a second), not on the first unsure comment.

        A server calls this before it forks its workers, so that they share the loaded weights.
        """
        embedder = self.embedder()
        if embedder is not None:
            embedder.embed_one("warm-up")

    def prepare_article(self, article: ArticleText) -> None:
        """Do the per-article work (lemmas, sentence embeddings: ~50 ms with the encoder) now,
        when the article is published, instead of in its first comment's request."""
        self.topic.named_steps["features"].prepare_article(article)
        if self.topic_encoder is not None:
            self.topic_encoder.named_steps["features"].article(article)

    def score(self, comment: CommentInput, *, evidence: bool = True, evidence_above: float = 0.0,
              cascade: bool = True) -> CommentScores:
        """Give one comment every score of :data:`classifier.scores.SCORES`; the service's per-request path.

        :param evidence: compute highlighted words (off for bulk evaluation).
        :param evidence_above: compute a score's evidence only when the score reaches this; a
            caller that shows evidence only with reasons passes its lowest hold threshold and
            saves the work for the many comments that break no rule.
        :param cascade: consult the sentence encoder when the lexical respect score is unsure.
        """
        parts = self._parts()
        normalized = normalize(comment.text)
        vector = parts["tfidf"].transform_normalized(normalized.text)
        embedding = self._lazy_embedding(comment.text)
        respect, slow = self._respect_probability(parts, vector, embedding, cascade)
        spam = parts["spam"].probability(vector.values, vector.indices)
        signals = spam_signals(comment.text)
        respect_evidence = spam_evidence = ()
        if evidence and respect >= evidence_above:
            respect_evidence = word_evidence(comment.text, normalized, vector,
                                             parts["respect"].contributions(vector))
        if evidence and spam >= evidence_above:
            spam_evidence = word_evidence(comment.text, normalized, vector,
                                          parts["spam"].contributions(vector))
        on_topic = self._topic_score(parts, comment, normalized, vector, signals, embedding,
                                     evidence=evidence, evidence_above=evidence_above,
                                     cascade=cascade)
        respect_signals: dict[str, object] = {"encoder_consulted": slow} if self.encoder is not None else {}
        if respect_evidence:
            respect_signals["evidence_quoted"] = strongest_evidence_quoted(comment.text, respect_evidence)
        return CommentScores(
            {
                RESPECTFUL.name: Score(respect, respect_evidence, respect_signals),
                ON_TOPIC.name: on_topic,
                SPAM.name: Score(spam, spam_evidence, {"spam_signals": signals}),
            },
            model_version=self.version,
            slow_path=slow or bool(on_topic.signals.get("encoder_consulted")),
        )

    def score_many(self, comments: Sequence[CommentInput], *, evidence: bool = True,
                   evidence_above: float = 0.0, cascade: bool = True) -> list[CommentScores]:
        """Score several comments (one at a time: the fast path beats batching here)."""
        return [self.score(c, evidence=evidence, evidence_above=evidence_above, cascade=cascade)
                for c in comments]

    def _lazy_embedding(self, text: str) -> Callable[[], np.ndarray]:
        """The comment's embedding, computed on first use: both cascades may need it, most
        comments need it for neither (so nothing is looked up until then)."""
        computed: list[np.ndarray] = []

        def embedding() -> np.ndarray:
            if not computed:
                embedder = self.embedder()
                if embedder is None:
                    raise RuntimeError("this model has no sentence encoder")
                computed.append(embedder.embed_one(text))
            return computed[0]

        return embedding

    def _respect_probability(self, parts: dict, vector: SparseVector, embedding: Callable[[], np.ndarray],
                             cascade: bool) -> tuple[float, bool]:
        lexical = parts["respect"].probability(vector.values, vector.indices)
        if not cascade or parts["encoder"] is None or not unsure(lexical, self.cascade_band):
            return lexical, False
        second = parts["encoder"].probability(embedding())
        return float(respect_cascade(lexical, second, self.cascade_band)), True

    def _topic_score(self, parts: dict, comment: CommentInput, normalized: Normalized,
                     vector: SparseVector, signals: dict[str, int], embedding: Callable[[], np.ndarray],
                     *, evidence: bool, evidence_above: float, cascade: bool) -> Score:
        if comment.article is None:
            return Score(0.0, (), {"skipped": "no article given"})
        features, scale = parts["topic_features"], parts["topic_scale"]
        text_logit = None
        if parts["text_head"] is not None:  # same TF-IDF vector as the respect model: reuse it
            text_logit = parts["text_head"].decision(vector.values, vector.indices)
        row, words = features.describe_one(comment, text_logit, signals)
        scaled = (row - scale.mean_) / scale.scale_
        probability = parts["topic"].probability(scaled)
        facts: dict[str, object] = {}
        if self.topic_encoder is not None:
            consulted = bool(cascade and unsure(probability, self.topic_cascade_band))
            facts["encoder_consulted"] = consulted
            if consulted:
                semantic = self.topic_encoder.named_steps["features"]
                row, match = semantic.describe_one(comment, embedding(), parts["topic"].decision(scaled))
                second = parts["topic_encoder"].probability(row)
                probability = float(topic_cascade(probability, second, self.topic_cascade_band))
                facts["closest_article_sentence"] = match.sentence
                facts["closest_sentence_similarity"] = match.similarity
        if self.approved is not None:
            approved = self.approved.closest(comment.text, comment.article, comment.parent_text, features)
            if approved is not None and approved.similarity >= SIMILAR:
                # a moderator approved this comment, or one very like it, under this article
                probability = min(probability, 1.0 - approved.similarity)
                facts["like_approved_comment"] = {"text": approved.text, "similarity": approved.similarity}
        if not evidence:
            return Score(probability, (), facts)
        # Evidence points towards the violation, as for the other scores: the words that make the
        # comment read like chatter or an ad. The article words it shares speak *for* it and are
        # listed as a signal instead.
        spans = ()
        if parts["text_head"] is not None and probability >= evidence_above:
            spans = word_evidence(comment.text, normalized, vector,
                                  parts["text_head"].contributions(vector))
        facts["shared_article_words"] = sorted({e.text.lower() for e in words.shared})
        facts["shares_no_article_words"] = not words.shared
        if words.pieces:
            facts["word_piece_matches"] = dict(words.pieces)
        if comment.parent_text is not None:
            facts["reply"] = True
        if signals:
            facts["spam_signals"] = signals
        return Score(probability, spans, facts)

    def predict_proba(self, comments: Sequence[CommentInput]) -> np.ndarray:
        """The scores this model gives, one row per comment, one column per score in the
        registry's order (bulk use)."""
        scores = self.score_many(comments, evidence=False)
        return np.array([[s[name].score for name in s.scores] for s in scores])
