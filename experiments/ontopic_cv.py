"""Cross-validated comparison of on-topic models: pair weighting, readings of meaning, cascade bands.

Every number comes from cross-validation over the comment/article pairs of the team's *training*
split (each comment under its own article, each on-topic comment also under another article of
its language, as :func:`classifier.training.train.topic_examples` builds them); the held-out split
is never read. It is how the on-topic defaults in ``TrainingOptions`` were chosen; docs/ablation.md
reports its output.

The lexical model (the swapped pairs a domain of their own, the service's head calibrated on the
comments under their own article), then second stages on its out-of-fold log-odds:
- ``similarities``: the sentence encoder's similarities of comment, article sentences and parent
  (:class:`classifier.ontopic.semantic.SemanticTopicFeatures` without a text head);
- ``+ meaning``: the same plus the out-of-fold log-odds of off topic from the comment's embedding
  alone;
- ``+ cross``: the same plus a cross-encoding, the element-wise product of the comment's
  embedding with the article's centroid and closest sentence, so that the model learns *which*
  agreements of meaning count;
- ``+ margins``: the same plus how much closer the comment is to its article than to the
  other (reference) articles, by centroid and closest sentence: the product's second stage.
Each in bands of the lexical score (the cascade). Reported on the pairs under their own article
(the task), at several thresholds: the share of on-topic comments below it (all, sharing no word
with the article), of off-topic comments at or above it, and the same counting spam and ads as
caught (the spam rule holds those).

    python experiments/ontopic_cv.py --data-dir ../shared/datasets   # about 6 min on 2 cores
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import StandardScaler

from classifier.data.corpora import available_corpora, load_corpus
from classifier.data.overlap import normalised_key
from classifier.data.teamdata import TeamComment, TeamData, load_team_data
from classifier.estimators.encoder import SentenceEmbedder
from classifier.ontopic.semantic import TEXT_MEANING_FEATURE, SemanticTopicFeatures
from classifier.serving.model import SITE_DOMAIN, topic_cascade
from classifier.text.ngrams import NgramAnalyzer
from classifier.training.evaluation import shares_no_article_word
from classifier.training.train import (
    SPAM_CATEGORIES,
    TrainingOptions,
    _reference_articles,
    _site_classifier,
    _train_meaning_head,
    _train_text_head,
    _train_topic,
    evaluation_keys,
    public_background,
)

THRESHOLDS = (0.4, 0.5, 0.6, 0.7)
BANDS = ((0.3, 0.95), (0.2, 1.0), (0.1, 1.0), (0.0, 1.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--team-dir", type=Path, default=Path("training_data"))
    args = parser.parse_args()
    started = time.monotonic()

    def say(message: str) -> None:
        print(f"[{time.monotonic() - started:5.0f}s] {message}", flush=True)

    options = TrainingOptions()
    team = load_team_data(args.team_dir)
    team_train = team.split("train")
    names = available_corpora(args.data_dir)
    public = {name: load_corpus(name, args.data_dir, "train") for name in names}
    forbidden = evaluation_keys(team, args.data_dir, names)
    vectorizer = TfidfVectorizer(analyzer=NgramAnalyzer(), sublinear_tf=True, lowercase=False,
                                 min_df=options.min_df)
    vectorizer.fit([c.text for c in team_train] + [r.text for rows in public.values() for r in rows])
    forum = [r for r in load_corpus("one-million-posts", args.data_dir, "train", task="on_topic")
             if normalised_key(r.text) not in forbidden] if "one-million-posts" in names else []
    text_head, text_logits = _train_text_head(vectorizer, team_train, [], forum, options, say)
    kinds = _pair_kinds(team, team_train)
    embedder = SentenceEmbedder()
    topic, pairs = _train_topic(team, team_train, [], public_background(public), text_head, text_logits,
                                options, say)
    inputs, labels, domains = pairs
    assert (kinds["own"] == (domains == SITE_DOMAIN)).all()
    lexical = topic.named_steps["clf"]
    report("lexical", lexical.oof_proba_, labels, kinds)
    meaning_head, meaning_logits = _train_meaning_head(embedder, pairs, options, say)
    semantic = SemanticTopicFeatures(lexical=topic, embedder=embedder, text_head=meaning_head)
    rows = semantic.fit_transform(inputs, labels, lexical_logits=lexical.oof_decision_,
                                  text_logits=[meaning_logits[c.text] for c in inputs],
                                  reference_articles=_reference_articles(team))
    names = semantic.get_feature_names_out().tolist()
    margins = [n for n in names if "over" in n and "reference" in n]
    without = {"similarities": {TEXT_MEANING_FEATURE, *margins}, "+ meaning": set(margins),
               "+ meaning + margins (the product)": set()}
    variants = {name: rows[:, [i for i, n in enumerate(names) if n not in left_out]]
                for name, left_out in without.items()}
    variants["+ meaning + margins + cross"] = np.column_stack([rows, _cross_features(semantic, inputs)])
    for name, matrix in variants.items():
        second = _site_classifier(options).fit(matrix, labels, sample_domains=domains)
        for band in BANDS:
            combined = topic_cascade(lexical.oof_proba_, second.oof_proba_, band)
            slow = ((lexical.oof_proba_ >= band[0]) & (lexical.oof_proba_ <= band[1]))[kinds["own"]].mean()
            report(f"{name}, band {band[0]:.2f}-{band[1]:.2f} ({slow:.0%} of comments)", combined, labels, kinds)
    say("done")


def _pair_kinds(team: TeamData, comments: list[TeamComment]) -> dict[str, np.ndarray]:
    """Per pair, in topic_examples' order: under its own article? sharing no word with that
    article? spam or an ad (which the spam rule holds)?"""
    no_word = shares_no_article_word(team, comments)
    own, shares_none, spammy = [], [], []
    for comment, comment_no_word in zip(comments, no_word, strict=True):
        for is_own in ((True, False) if comment.on_topic else (True,)):
            own.append(is_own)
            shares_none.append(comment_no_word)
            spammy.append(comment.category in SPAM_CATEGORIES)
    return {"own": np.array(own), "no_word": np.array(shares_none), "spammy": np.array(spammy)}


def _cross_features(semantic: SemanticTopicFeatures, inputs) -> np.ndarray:
    """Element-wise products of the comment's embedding with the article centroid and its closest
    sentence, standardised (unscaled, the products are too small for a regularised model to use)."""
    vectors = _embeddings(semantic, inputs)
    rows = []
    for comment in inputs:
        article = semantic.article(comment.article)
        u = vectors[comment.text]
        closest = article.vectors[int(np.argmax(article.vectors @ u))]
        rows.append(np.concatenate([u * article.centroid, u * closest]))
    return StandardScaler().fit_transform(np.array(rows))


def _embeddings(semantic: SemanticTopicFeatures, inputs) -> dict[str, np.ndarray]:
    texts = sorted({c.text for c in inputs})
    return dict(zip(texts, semantic.sentence_embedder().transform(texts), strict=True))


def report(name: str, probabilities: np.ndarray, labels: np.ndarray, kinds: dict[str, np.ndarray]) -> None:
    own = kinds["own"]
    on, off = own & (labels == 0), own & (labels == 1)
    cells = []
    for threshold in THRESHOLDS:
        held = probabilities >= threshold
        cells.append(f"{threshold}: on {(~held[on]).mean():.3f} no-word {(~held[on & kinds['no_word']]).mean():.3f} "
                     f"off {held[off].mean():.3f} (+spam {(held | kinds['spammy'])[off].mean():.3f})")
    print(f"{name}\n    " + "\n    ".join(cells), flush=True)


if __name__ == "__main__":
    main()
