"""Cross-validated ablation of the respect model: which features, sources and model choices help.

Every number this prints comes from 5-fold cross-validation over the *training* splits only
(stratified by source and label); the test splits are never read. It is how the defaults in
``classifier.training.train.TrainingOptions`` were chosen; docs/ablation.md reports its output next to
the final model's test scores.

    python experiments/ablation.py --data-dir ../shared/datasets   # about 8 min on 2 cores
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from classifier.data.corpora import load_corpus
from classifier.estimators.domain import augment_by_domain
from classifier.estimators.encoder import SentenceEmbedder
from classifier.text.ngrams import NgramAnalyzer
from classifier.training.train import CORPUS_DOMAINS, official_f1_at_best_threshold

GERMEVAL = ("germeval2018", "germeval2019", "germeval2021")
ALL = (*GERMEVAL, "hasoc-de", "one-million-posts")
REPORTED = ("germeval2018", "germeval2021")


def out_of_fold(features, labels: np.ndarray, domains: np.ndarray | None, folds, C: float) -> np.ndarray:
    """Out-of-fold probabilities of a balanced logistic regression (domain-augmented if given)."""
    if domains is not None:
        features = augment_by_domain(features, domains, sorted(set(domains.tolist())))
    result = np.zeros(len(labels))
    for train, test in folds:
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=3000)
        result[test] = model.fit(features[train], labels[train]).predict_proba(features[test])[:, 1]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args()
    started = time.monotonic()
    rows = [row for name in ALL for row in load_corpus(name, args.data_dir, "train")]
    texts = [row.text for row in rows]
    labels = np.array([row.label for row in rows])
    sources = np.array([row.source for row in rows])
    domains = np.array([CORPUS_DOMAINS[s] for s in sources], dtype=object)
    strata = np.array([f"{s}:{y}" for s, y in zip(sources, labels, strict=True)])
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(texts, strata))
    tfidf = TfidfVectorizer(analyzer=NgramAnalyzer(), sublinear_tf=True, lowercase=False, min_df=2)
    lexical = sp.csr_matrix(tfidf.fit_transform(texts))
    print(f"{len(texts)} texts, {lexical.shape[1]} n-grams ({time.monotonic() - started:.0f}s); embedding...")
    embedded = SentenceEmbedder(threads=2).transform(texts)

    def run(name: str, use: tuple[str, ...], matrix, domain_heads: bool, C: float = 1.0) -> np.ndarray:
        mask = np.isin(sources, use)
        index = np.flatnonzero(mask)
        position = {row: i for i, row in enumerate(index)}
        local = [([position[i] for i in train if mask[i]], [position[i] for i in test if mask[i]])
                 for train, test in folds]
        oof = np.full(len(labels), np.nan)
        oof[mask] = out_of_fold(matrix[mask], labels[mask], domains[mask] if domain_heads else None,
                                local, C)
        report(name, oof)
        return oof

    def report(name: str, oof: np.ndarray) -> None:
        scores = "  ".join(
            f"{s} {official_f1_at_best_threshold(labels[sources == s], oof[sources == s]):.4f}"
            for s in REPORTED)
        print(f"{name:48s} {scores}   ({time.monotonic() - started:.0f}s)", flush=True)

    plain = run("word+char TF-IDF, GermEval 2018+19+21", GERMEVAL, lexical, False)
    heads = run("+ per-domain heads (tweets / news)", GERMEVAL, lexical, True)
    run("+ per-domain heads, C=0.5", GERMEVAL, lexical, True, C=0.5)
    run("+ per-domain heads, C=2", GERMEVAL, lexical, True, C=2.0)
    everything = run("+ per-domain heads, + HASOC + One Million Posts", ALL, lexical, True)
    encoder = run("sentence encoder alone (all sources, heads)", ALL, embedded, True)
    report("TF-IDF (GermEval) + encoder, averaged", (plain + encoder) / 2)
    report("TF-IDF heads (GermEval) + encoder, averaged", (heads + encoder) / 2)
    report("TF-IDF heads (all) + encoder, averaged", (everything + encoder) / 2)
    unsure = (everything >= 0.25) & (everything <= 0.75)
    cascade = np.where(unsure, (everything + encoder) / 2, everything)
    report(f"cascade: encoder only for 0.25..0.75 ({unsure.mean():.0%})", cascade)


if __name__ == "__main__":
    main()
