"""Cross-validated comparison of on-topic second stages: which reading of meaning, in which band.

Every number comes from cross-validation over the comment/article pairs of the team's *training*
split (each comment under its own article, each on-topic comment also under another article of
its language, as :func:`classifier.training.train.topic_examples` builds them); the held-out split
is never read. It is how the on-topic defaults in ``TrainingOptions`` were chosen; docs/ablation.md
reports its output.

Variants of the second stage (all on the lexical model's out-of-fold log-odds):
- ``similarities``: the sentence encoder's similarities of comment, article sentences and parent
  (:class:`classifier.ontopic.semantic.SemanticTopicFeatures`, what the product runs);
- ``cross``: the same plus a cross-encoding, the element-wise product of the comment's embedding
  with the article's (centroid and closest sentence), so that the model learns *which*
  agreements of meaning count.
Each in bands of the lexical score (the cascade) and on every pair. Reported on the pairs under
their own article (the task): the share of on-topic comments below the hold threshold (all, with a
link, sharing no word with the article), off-topic comments caught, and swapped pairs caught.

    python experiments/ontopic_cv.py --data-dir ../shared/datasets   # about 4 min on 2 cores
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.data.corpora import available_corpora, load_corpus
from classifier.data.overlap import normalised_key
from classifier.data.teamdata import load_team_data
from classifier.estimators.domain import DomainAdaptedClassifier
from classifier.estimators.encoder import SentenceEmbedder
from classifier.ontopic.lexical import content_words
from classifier.ontopic.semantic import SemanticTopicFeatures
from classifier.serving.model import SITE_DOMAIN, topic_cascade
from classifier.text.links import find_links
from classifier.text.ngrams import NgramAnalyzer
from classifier.training.train import (
    TrainingOptions,
    _train_text_head,
    _train_topic,
    evaluation_keys,
    public_background,
)

HOLD = 0.7  # the default policy's on_topic hold
BANDS = ((0.3, 0.95), (0.3, 1.0), (0.2, 1.0), (0.0, 1.0))


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
    topic, inputs, labels = _train_topic(team, team_train, [], public_background(public), text_head,
                                         text_logits, options, say)
    own, with_link, no_word = _pair_kinds(team, team_train)
    lexical = topic.named_steps["clf"]
    say(f"{len(inputs)} pairs; embedding comments and articles")
    semantic = SemanticTopicFeatures(lexical=topic, embedder=SentenceEmbedder())
    rows = semantic.fit_transform(inputs, labels, lexical_logits=lexical.oof_decision_)
    cross = _cross_features(semantic, inputs)
    report("lexical alone", lexical.oof_proba_, labels, own, with_link, no_word)
    for name, matrix in (("similarities", rows), ("cross", np.hstack([rows, cross]))):
        second = DomainAdaptedClassifier(domain=SITE_DOMAIN, C=options.C, cv=options.cv,
                                         random_state=options.random_state)
        second.fit(matrix, labels)
        for band in BANDS:
            combined = topic_cascade(lexical.oof_proba_, second.oof_proba_, band)
            report(f"{name}, band {band[0]:.2f}-{band[1]:.2f}", combined, labels, own, with_link, no_word)
    say("done")


def _pair_kinds(team, comments) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pair, in topic_examples' order: under its own article? with a link? sharing no word?"""
    own, link, no_word = [], [], []
    for comment in comments:
        article = team.articles[comment.article_id]
        lemmas = {w.lemma for w in content_words(f"{article.title}\n{article.body}")}
        facts = (bool(find_links(comment.text)), not {w.lemma for w in content_words(comment.text)} & lemmas)
        for is_own in ((True, False) if comment.on_topic else (True,)):
            own.append(is_own)
            link.append(facts[0])
            no_word.append(facts[1])
    return np.array(own), np.array(link), np.array(no_word)


def _cross_features(semantic: SemanticTopicFeatures, inputs) -> np.ndarray:
    """Element-wise products of the comment's embedding with the article centroid and its closest sentence."""
    embedder = semantic.sentence_embedder()
    texts = sorted({c.text for c in inputs})
    vectors = dict(zip(texts, embedder.transform(texts), strict=True))
    rows = []
    for comment in inputs:
        article = semantic.article(comment.article)
        u = vectors[comment.text]
        closest = article.vectors[int(np.argmax(article.vectors @ u))]
        rows.append(np.concatenate([u * article.centroid, u * closest]))
    return np.array(rows)


def report(name: str, probabilities: np.ndarray, labels: np.ndarray, own: np.ndarray,
           with_link: np.ndarray, no_word: np.ndarray) -> None:
    held = probabilities >= HOLD
    on = own & (labels == 0)

    def below(mask: np.ndarray) -> str:
        return f"{(~held[mask]).mean():.3f} (n={mask.sum()})" if mask.any() else "-"

    print(f"{name:32s} on topic below hold: all {below(on)}  link {below(on & with_link)}  "
          f"no shared word {below(on & no_word)} | off topic caught {held[own & (labels == 1)].mean():.3f}"
          f"  swapped caught {held[~own].mean():.3f}", flush=True)


if __name__ == "__main__":
    main()
