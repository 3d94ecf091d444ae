"""More cross-validated ablations of the respect model (GermEval 2018 / 2021), after ablation.py.

Same protocol as ``experiments/ablation.py``: 5-fold cross-validation over the *training* splits
of all five public corpora (stratified by source and label, ``random_state=0``); every corpus'
decision threshold is chosen on its own out-of-fold predictions
(``classifier.training.train.best_threshold``) and scored with GermEval's official F1. Test splits are
never read. Everything is single-threaded (BLAS pinned to one thread, ``n_jobs=1``).

Variants (the baseline is reproduced first, so all comparisons come from one run):

- baseline: word 1-2 + char 2-5 TF-IDF (``NgramAnalyzer``), balanced logistic regression C=1 with
  tweet/news heads (``augment_by_domain``), averaged with the same kind of model over USE-v3
  sentence embeddings;
- NB-LR: the TF-IDF columns scaled by their log-count ratio (Wang & Manning 2012), computed on
  each training fold only; the scaling folds into the weights, so inference costs nothing extra;
- stacking: per domain, a logistic regression over the two models' out-of-fold logits (and the
  log length), itself cross-validated on the same folds;
- separate word and char models, char 2-6 / 1-6, min_df 3;
- corpus weights (GermEval 2021 up-weighted), source heads, encoder C, SGD / LinearSVC.

The TF-IDF building blocks (one count matrix with word 1-2 and char 1-6 n-grams) and the
sentence embeddings are cached under ``--cache-dir`` (never in the repository).

    python experiments/ablation_more.py --data-dir ../shared/datasets --cache-dir /work/scratch/ge-cache

Each level-1 model's out-of-fold values are cached too, so a run only fits what is missing: from
a cold cache about 8 minutes of fits (one core) plus about 4 minutes of threshold searches for
the table. The fully nested stacks (25 fits per model) run only when named with ``--only``,
e.g. ``--only nested_nb3_enc``. Result (2026-11-25) in docs/ablation.md, "NB-scaled features".
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import joblib  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer  # noqa: E402
from sklearn.linear_model import LogisticRegression, SGDClassifier  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.preprocessing import normalize  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from classifier.data.corpora import load_corpus  # noqa: E402
from classifier.estimators.domain import augment_by_domain, log_count_ratio  # noqa: E402
from classifier.estimators.encoder import SentenceEmbedder  # noqa: E402
from classifier.serving.model import respect_cascade, unsure  # noqa: E402
from classifier.text.ngrams import WORD_PREFIX, NgramAnalyzer  # noqa: E402
from classifier.training.train import CORPUS_DOMAINS, official_f1_at_best_threshold  # noqa: E402

ALL = ("germeval2018", "germeval2019", "germeval2021", "hasoc-de", "one-million-posts")
REPORTED = ("germeval2018", "germeval2021")


def load(data_dir: Path) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Texts, labels, sources and domains of every corpus' training split."""
    rows = [row for name in ALL for row in load_corpus(name, data_dir, "train")]
    texts = [row.text for row in rows]
    labels = np.array([row.label for row in rows])
    sources = np.array([row.source for row in rows])
    domains = np.array([CORPUS_DOMAINS[s] for s in sources], dtype=object)
    return texts, labels, sources, domains


def fingerprint(texts: list[str]) -> str:
    """A short hash of the texts, so a cache built from other data is never reused."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:16]


def counts(texts: list[str], cache: Path) -> tuple[sp.csr_matrix, np.ndarray]:
    """Counts of word 1-2 and char 1-6 n-grams seen in >= 2 texts, and each column's n-gram."""
    path = cache / f"counts-{fingerprint(texts)}.joblib"
    if path.exists():
        return joblib.load(path)
    vectorizer = CountVectorizer(analyzer=NgramAnalyzer(word_ngrams=(1, 2), char_ngrams=(1, 6)),
                                 lowercase=False, min_df=2, dtype=np.float64)
    matrix = sp.csr_matrix(vectorizer.fit_transform(texts))
    names = vectorizer.get_feature_names_out()
    joblib.dump((matrix, names), path)
    return matrix, names


def cached_embeddings(texts: list[str], cache: Path, name: str,
                      embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """``embed(texts)``, kept under ``cache`` as ``<name>-<fingerprint>.npy`` and read from there."""
    path = cache / f"{name}-{fingerprint(texts)}.npy"
    if path.exists():
        return np.load(path)
    vectors = embed(texts)
    np.save(path, vectors)
    return vectors


def embeddings(texts: list[str], cache: Path) -> np.ndarray:
    """USE-v3 embeddings (one BLAS thread), cached."""
    return cached_embeddings(texts, cache, "use3", SentenceEmbedder(threads=1).transform)


def tfidf(count_matrix: sp.csr_matrix, names: np.ndarray, *, word: tuple[int, int] | None,
          char: tuple[int, int] | None, min_df: int = 2) -> sp.csr_matrix:
    """Sublinear, l2-normalised TF-IDF over a column subset (equals TfidfVectorizer on it)."""
    is_word = np.char.startswith(names.astype(str), WORD_PREFIX)
    length = np.char.str_len(names.astype(str))
    n_words = np.char.count(names.astype(str), " ") + 1
    keep = np.zeros(len(names), dtype=bool)
    if word is not None:
        keep |= is_word & (n_words >= word[0]) & (n_words <= word[1])
    if char is not None:
        keep |= ~is_word & (length >= char[0]) & (length <= char[1])
    selected = count_matrix[:, np.flatnonzero(keep)]
    if min_df > 2:
        selected = selected[:, np.flatnonzero(np.asarray((selected > 0).sum(axis=0)).ravel() >= min_df)]
    return sp.csr_matrix(TfidfTransformer(sublinear_tf=True).fit_transform(selected))


def augment(X, groups: list[np.ndarray]):
    """``[X, X*in_group_1, ...]`` over every value of every grouping (domain, source...): the
    product's ``augment_by_domain`` for each grouping, with the shared copy once."""
    width = X.shape[1]
    blocks = [X] + [augment_by_domain(X, group, sorted(set(group.tolist())))[:, width:] for group in groups]
    return sp.hstack(blocks).tocsr() if sp.issparse(X) else np.hstack(blocks)


def linear_model(kind: str, C: float):
    """A fresh linear classifier of the given kind (all single-threaded)."""
    if kind == "lr":
        return LogisticRegression(C=C, class_weight="balanced", max_iter=3000)
    if kind == "svm":
        return LinearSVC(C=C, class_weight="balanced", max_iter=5000)
    if kind == "sgd":
        return SGDClassifier(loss="modified_huber", alpha=C, class_weight="balanced", max_iter=50,
                             tol=1e-4, random_state=0)
    raise ValueError(kind)


def out_of_fold(X, labels: np.ndarray, groups: list[np.ndarray], folds, *, C: float = 1.0,
                kind: str = "lr", nb: bool = False, weights: np.ndarray | None = None,
                binary: bool = False, group_ratios: bool = False) -> np.ndarray:
    """Out-of-fold decision values (log-odds for logistic regression) of one linear model.

    With ``nb``, the columns are scaled by their log-count ratio, computed on each training fold
    (before the domain augmentation, so every head shares the scaling). With ``binary``, the
    features are l2-normalised presence indicators instead of TF-IDF (Wang & Manning's setting).
    With ``group_ratios``, each head's block is scaled by the ratios of its own group's rows.
    """
    if binary:
        X = normalize((X > 0).astype(np.float64))
    result = np.zeros(len(labels))
    augmented = None if nb else augment(X, groups)
    for train, test in folds:
        if nb and group_ratios:
            blocks = [X @ sp.diags(log_count_ratio(X[train], labels[train]))]
            for group in groups:
                for name in sorted(set(group.tolist())):
                    rows = train[group[train] == name]
                    mask = sp.diags((group == name).astype(np.float64))
                    blocks.append(mask @ X @ sp.diags(log_count_ratio(X[rows], labels[rows])))
            fold_matrix = sp.hstack(blocks).tocsr()
        elif nb:
            scaled = sp.csr_matrix(X @ sp.diags(log_count_ratio(X[train], labels[train])))
            fold_matrix = augment(scaled, groups)
        else:
            fold_matrix = augmented
        model = linear_model(kind, C)
        model.fit(fold_matrix[train], labels[train],
                  sample_weight=None if weights is None else weights[train])
        result[test] = model.decision_function(fold_matrix[test])
    return result


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-z))


def stacked(columns: list[np.ndarray], labels: np.ndarray, domains: np.ndarray, folds,
            balanced: bool = True) -> np.ndarray:
    """Out-of-fold probabilities of a per-domain logistic regression over level-1 columns.

    The meta-learner for fold k is fitted on the other folds' rows only; its inputs are the
    level-1 models' out-of-fold values, so it never sees a prediction made on its own training
    row by a model that was fitted on that row.
    """
    features = np.column_stack(columns)
    result = np.zeros(len(labels))
    for train, test in folds:
        for domain in sorted(set(domains.tolist())):
            fit_rows = train[domains[train] == domain]
            score_rows = test[domains[test] == domain]
            mean = features[fit_rows].mean(axis=0)
            scale = features[fit_rows].std(axis=0) + 1e-12
            meta = LogisticRegression(C=1.0, class_weight="balanced" if balanced else None, max_iter=1000)
            meta.fit((features[fit_rows] - mean) / scale, labels[fit_rows])
            result[score_rows] = meta.predict_proba((features[score_rows] - mean) / scale)[:, 1]
    return result


def nested_stack(inputs: list, extra: list[np.ndarray], labels: np.ndarray, domains: np.ndarray,
                 strata: np.ndarray, folds, *, inner: int = 4) -> np.ndarray:
    """Fully nested stacking: out-of-fold probabilities where no outer test row touches any fit.

    ``inputs`` are ``(matrix, C, nb)`` level-1 models. For each outer fold, the level-1 models
    are cross-validated *inside* the outer training rows (``inner`` folds) to fit the per-domain
    meta-learners, then refitted on all outer training rows to score the outer test rows.
    """
    result = np.zeros(len(labels))
    for train, test in folds:
        local = list(StratifiedKFold(inner, shuffle=True, random_state=1).split(train, strata[train]))
        inner_columns, outer_columns = [], []
        for X, C, nb in inputs:
            sub = X[train]
            inner_columns.append(out_of_fold(sub, labels[train], [domains[train]], local, C=C, nb=nb))
            everything = out_of_fold(X, labels, [domains], [(train, test)], C=C, nb=nb)
            outer_columns.append(everything[test])
        fit_features = np.column_stack(inner_columns + [e[train] for e in extra])
        score_features = np.column_stack(outer_columns + [e[test] for e in extra])
        for domain in sorted(set(domains.tolist())):
            fit_rows = domains[train] == domain
            score_rows = domains[test] == domain
            mean = fit_features[fit_rows].mean(axis=0)
            scale = fit_features[fit_rows].std(axis=0) + 1e-12
            meta = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
            meta.fit((fit_features[fit_rows] - mean) / scale, labels[train][fit_rows])
            result[test[score_rows]] = meta.predict_proba((score_features[score_rows] - mean) / scale)[:, 1]
    return result


def platt(decisions: np.ndarray, labels: np.ndarray, domains: np.ndarray, folds) -> np.ndarray:
    """Cross-validated per-domain sigmoid calibration of decision values (to the true class prior,
    as ``DomainAdaptedClassifier`` calibrates)."""
    return stacked([decisions], labels, domains, folds, balanced=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--cache-dir", type=Path, default=Path("/work/scratch/ge-cache"))
    parser.add_argument("--seed", type=int, default=0, help="fold shuffling seed (0 as in ablation.py)")
    parser.add_argument("--only", nargs="*", default=None,
                        help="compute only these level-1 models (others must be cached or are skipped)")
    args = parser.parse_args()
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    texts, labels, sources, domains = load(args.data_dir)
    strata = np.array([f"{s}:{y}" for s, y in zip(sources, labels, strict=True)])
    folds = list(StratifiedKFold(5, shuffle=True, random_state=args.seed).split(texts, strata))
    key = fingerprint(texts) + ("" if args.seed == 0 else f"-seed{args.seed}")
    count_matrix, names = counts(texts, args.cache_dir)
    embedded = embeddings(texts, args.cache_dir)
    lengths = np.log1p(np.array([len(t) for t in texts], dtype=np.float64))
    print(f"{len(texts)} texts, {count_matrix.shape[1]} n-gram columns ({time.monotonic() - started:.0f}s)",
          flush=True)

    matrices: dict[str, sp.csr_matrix] = {}

    def matrix(name: str) -> sp.csr_matrix:
        specs = {
            "w12c25": {"word": (1, 2), "char": (2, 5)},
            "w12c26": {"word": (1, 2), "char": (2, 6)},
            "w12c16": {"word": (1, 2), "char": (1, 6)},
            "w12c25df3": {"word": (1, 2), "char": (2, 5), "min_df": 3},
            "w12": {"word": (1, 2), "char": None},
            "w13": {"word": (1, 3), "char": None},
            "c25": {"word": None, "char": (2, 5)},
            "c26": {"word": None, "char": (2, 6)},
        }
        if name not in matrices:
            matrices[name] = tfidf(count_matrix, names, **specs[name])
        return matrices[name]

    ge21_weight = {w: np.where(sources == "germeval2021", w, 1.0) for w in (2.0, 3.0)}
    level1 = {
        # name: (description, callable returning out-of-fold decision values)
        "lex": ("TF-IDF w1-2+c2-5, heads, LR C=1 (baseline)",
                lambda: out_of_fold(matrix("w12c25"), labels, [domains], folds)),
        "enc": ("USE-v3, heads, LR C=1 (baseline)",
                lambda: out_of_fold(embedded, labels, [domains], folds)),
        "enc_C4": ("USE-v3, heads, LR C=4",
                   lambda: out_of_fold(embedded, labels, [domains], folds, C=4.0)),
        "enc_C16": ("USE-v3, heads, LR C=16",
                    lambda: out_of_fold(embedded, labels, [domains], folds, C=16.0)),
        "nb_C1": ("NB-LR w1-2+c2-5, heads, C=1",
                  lambda: out_of_fold(matrix("w12c25"), labels, [domains], folds, nb=True)),
        "nb_C0.3": ("NB-LR w1-2+c2-5, heads, C=0.3",
                    lambda: out_of_fold(matrix("w12c25"), labels, [domains], folds, nb=True, C=0.3)),
        "nb_C3": ("NB-LR w1-2+c2-5, heads, C=3",
                  lambda: out_of_fold(matrix("w12c25"), labels, [domains], folds, nb=True, C=3.0)),
        "word": ("TF-IDF word 1-2 only, heads, C=1",
                 lambda: out_of_fold(matrix("w12"), labels, [domains], folds)),
        "char": ("TF-IDF char 2-5 only, heads, C=1",
                 lambda: out_of_fold(matrix("c25"), labels, [domains], folds)),
        "char26": ("TF-IDF char 2-6 only, heads, C=1",
                   lambda: out_of_fold(matrix("c26"), labels, [domains], folds)),
        "w12c26": ("TF-IDF w1-2+c2-6, heads, C=1",
                   lambda: out_of_fold(matrix("w12c26"), labels, [domains], folds)),
        "w12c16": ("TF-IDF w1-2+c1-6, heads, C=1",
                   lambda: out_of_fold(matrix("w12c16"), labels, [domains], folds)),
        "df3": ("TF-IDF w1-2+c2-5 min_df 3, heads, C=1",
                lambda: out_of_fold(matrix("w12c25df3"), labels, [domains], folds)),
        "ge21x2": ("baseline TF-IDF, GermEval 2021 weight 2",
                   lambda: out_of_fold(matrix("w12c25"), labels, [domains], folds, weights=ge21_weight[2.0])),
        "ge21x3": ("baseline TF-IDF, GermEval 2021 weight 3",
                   lambda: out_of_fold(matrix("w12c25"), labels, [domains], folds, weights=ge21_weight[3.0])),
        "src": ("baseline TF-IDF, domain + source heads",
                lambda: out_of_fold(matrix("w12c25"), labels, [domains, sources], folds)),
        "enc_src": ("USE-v3, domain + source heads, C=4",
                    lambda: out_of_fold(embedded, labels, [domains, sources], folds, C=4.0)),
        "nb_C10": ("NB-LR w1-2+c2-5, heads, C=10",
                   lambda: out_of_fold(matrix("w12c25"), labels, [domains], folds, nb=True, C=10.0)),
        "nb_src_C3": ("NB-LR w1-2+c2-5, domain + source heads, C=3",
                      lambda: out_of_fold(matrix("w12c25"), labels, [domains, sources], folds, nb=True, C=3.0)),
        "nb_ge21x3_C3": ("NB-LR w1-2+c2-5, heads, C=3, GermEval 2021 weight 3",
                         lambda: out_of_fold(matrix("w12c25"), labels, [domains], folds, nb=True, C=3.0,
                                             weights=ge21_weight[3.0])),
        "nb_c16_C3": ("NB-LR w1-2+c1-6, heads, C=3",
                      lambda: out_of_fold(matrix("w12c16"), labels, [domains], folds, nb=True, C=3.0)),
        "nbbin_C1": ("NB-LR binary w1-2+c2-5 (l2), heads, C=1",
                     lambda: out_of_fold(matrix("w12c25"), labels, [domains], folds, nb=True, binary=True)),
        "nb_dr_C1": ("NB-LR w1-2+c2-5, heads, each head scaled by its domain's ratios, C=1",
                     lambda: out_of_fold(matrix("w12c25"), labels, [domains], folds, nb=True, group_ratios=True)),
        "nb_src_C1": ("NB-LR w1-2+c2-5, domain + source heads, C=1",
                      lambda: out_of_fold(matrix("w12c25"), labels, [domains, sources], folds, nb=True)),
        "nb_ge21x2_C1": ("NB-LR w1-2+c2-5, heads, C=1, GermEval 2021 weight 2",
                         lambda: out_of_fold(matrix("w12c25"), labels, [domains], folds, nb=True,
                                             weights=ge21_weight[2.0])),
        "enc_src_C1": ("USE-v3, domain + source heads, C=1",
                       lambda: out_of_fold(embedded, labels, [domains, sources], folds)),
        "svm": ("TF-IDF w1-2+c2-5, heads, LinearSVC C=0.1 (+Platt)",
                lambda: out_of_fold(matrix("w12c25"), labels, [domains], folds, kind="svm", C=0.1)),
        "sgd": ("TF-IDF w1-2+c2-5, heads, SGD modified_huber a=2e-5 (+Platt)",
                lambda: out_of_fold(matrix("w12c25"), labels, [domains], folds, kind="sgd", C=2e-5)),
    }
    oof: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    for name, (description, compute) in level1.items():
        path = args.cache_dir / f"oof-{key}-{name}.npz"
        if path.exists():
            saved = np.load(path)
            oof[name], seconds[name] = saved["oof"], float(saved["seconds"])
        elif args.only is None or name in args.only:
            began = time.monotonic()
            oof[name] = compute()
            seconds[name] = time.monotonic() - began
            np.savez(path, oof=oof[name], seconds=seconds[name])
            print(f"  computed {name}: {description} ({seconds[name]:.0f}s)", flush=True)

    nested = {
        # fully nested stacking (slow: 25 level-1 fits per model); probabilities, not logits
        "nested_lex_enc": ("NESTED STACK lex, enc",
                           lambda: nested_stack([(matrix("w12c25"), 1.0, False), (embedded, 1.0, False)], [],
                                                labels, domains, strata, folds)),
        "nested_lex_enc_len": ("NESTED STACK lex, enc, log length",
                               lambda: nested_stack([(matrix("w12c25"), 1.0, False), (embedded, 1.0, False)],
                                                    [lengths], labels, domains, strata, folds)),
    }
    nested["nested_nb3_enc"] = ("NESTED STACK nb_C3, enc",
                                lambda: nested_stack([(matrix("w12c25"), 3.0, True), (embedded, 1.0, False)], [],
                                                     labels, domains, strata, folds))
    nested_oof: dict[str, tuple[str, np.ndarray, float]] = {}
    for name, (description, compute) in nested.items():
        path = args.cache_dir / f"oof-{key}-{name}.npz"
        if path.exists():
            saved = np.load(path)
            nested_oof[name] = (description, saved["oof"], float(saved["seconds"]))
        elif args.only is not None and name in args.only:
            began = time.monotonic()
            values = compute()
            nested_oof[name] = (description, values, time.monotonic() - began)
            np.savez(path, oof=values, seconds=nested_oof[name][2])
            print(f"  computed {name}: {description} ({nested_oof[name][2]:.0f}s)", flush=True)

    def probability(name: str) -> np.ndarray:
        if name in ("svm", "sgd"):
            return platt(oof[name], labels, domains, folds)
        return sigmoid(oof[name])

    rows: list[tuple[str, np.ndarray, float]] = []
    low, high = 0.25, 0.75
    cascade_share: dict[str, float] = {}

    def add(description: str, needs: tuple[str, ...], combine) -> None:
        if all(n in oof for n in needs):
            rows.append((description, combine(), sum(seconds[n] for n in needs)))

    def average(*names_: str) -> np.ndarray:
        return np.mean([probability(n) for n in names_], axis=0)

    def stack(*names_: str, length: bool = False) -> np.ndarray:
        return stacked([oof[n] for n in names_] + ([lengths] if length else []), labels, domains, folds)

    def cascade(lexical: str, encoder: str) -> np.ndarray:
        """Stacked score where the calibrated lexical score is unsure, calibrated lexical elsewhere.

        Both are per-domain logistic fits cross-validated on the same folds; the band share is
        reported as the encoder's share of the traffic.
        """
        calibrated = platt(oof[lexical], labels, domains, folds)
        in_band = unsure(calibrated, (low, high))
        cascade_share[f"{lexical},{encoder}"] = float(in_band.mean())
        return np.where(in_band, stack(lexical, encoder), calibrated)

    def product_cascade(lexical: str, encoder: str) -> np.ndarray:
        """What ModerationModel does today: average calibrated probabilities inside the band."""
        calibrated = platt(oof[lexical], labels, domains, folds)
        cascade_share[f"product {lexical},{encoder}"] = float(unsure(calibrated, (low, high)).mean())
        return respect_cascade(calibrated, platt(oof[encoder], labels, domains, folds), (low, high))

    for name, (description, _) in level1.items():
        add(description, (name,), lambda name=name: probability(name))
    add("BASELINE: lex + enc, averaged", ("lex", "enc"), lambda: average("lex", "enc"))
    add("baseline cascade (enc only for lex 0.25..0.75)", ("lex", "enc"),
        lambda: np.where((probability("lex") >= low) & (probability("lex") <= high),
                         average("lex", "enc"), probability("lex")))
    for encoder in ("enc", "enc_src"):
        for lexical in ("lex", "nb_C1", "nb_C3", "w12c26", "w12c16", "df3", "ge21x2", "ge21x3", "src", "svm"):
            if (lexical, encoder) != ("lex", "enc"):
                add(f"{lexical} + {encoder}, averaged", (lexical, encoder),
                    lambda lexical=lexical, encoder=encoder: average(lexical, encoder))
    add("word + char, averaged", ("word", "char"), lambda: average("word", "char"))
    add("word + char26, averaged", ("word", "char26"), lambda: average("word", "char26"))
    add("word + char + enc, averaged", ("word", "char", "enc"), lambda: average("word", "char", "enc"))
    add("(word + char)/2 + enc, averaged", ("word", "char", "enc"),
        lambda: (average("word", "char") + probability("enc")) / 2)
    add("STACK lex, enc", ("lex", "enc"), lambda: stack("lex", "enc"))
    add("STACK lex, enc, log length", ("lex", "enc"), lambda: stack("lex", "enc", length=True))
    add("STACK word, char, enc", ("word", "char", "enc"), lambda: stack("word", "char", "enc"))
    add("STACK word, char, enc, log length", ("word", "char", "enc"),
        lambda: stack("word", "char", "enc", length=True))
    add("STACK lex, word, char, enc", ("lex", "word", "char", "enc"), lambda: stack("lex", "word", "char", "enc"))
    add("STACK nb_C1, enc", ("nb_C1", "enc"), lambda: stack("nb_C1", "enc"))
    add("STACK lex, nb_C1, enc", ("lex", "nb_C1", "enc"), lambda: stack("lex", "nb_C1", "enc"))
    add("STACK lex, enc_C4", ("lex", "enc_C4"), lambda: stack("lex", "enc_C4"))
    add("STACK lex, nb_C1, enc_C4", ("lex", "nb_C1", "enc_C4"), lambda: stack("lex", "nb_C1", "enc_C4"))

    for lexical in ("nb_C3", "nb_C10", "nb_src_C3", "nb_ge21x3_C3", "nb_c16_C3", "nbbin_C1"):
        add(f"STACK {lexical}, enc", (lexical, "enc"), lambda lexical=lexical: stack(lexical, "enc"))
        add(f"STACK {lexical}, enc_src", (lexical, "enc_src"), lambda lexical=lexical: stack(lexical, "enc_src"))
    add("STACK nb_C3, enc, log length", ("nb_C3", "enc"), lambda: stack("nb_C3", "enc", length=True))
    add("STACK lex, nb_C3, enc", ("lex", "nb_C3", "enc"), lambda: stack("lex", "nb_C3", "enc"))
    for lexical in ("nb_C1", "nb_C3"):
        for encoder in ("enc", "enc_src"):
            add(f"cascade: STACK {lexical}, {encoder} only where Platt({lexical}) in 0.25..0.75",
                (lexical, encoder), lambda lexical=lexical, encoder=encoder: cascade(lexical, encoder))
    for lexical in ("lex", "nb_C1", "nb_C3"):
        add(f"Platt({lexical}) + Platt(enc), averaged (as the product averages)", (lexical, "enc"),
            lambda lexical=lexical: (platt(oof[lexical], labels, domains, folds)
                                     + platt(oof["enc"], labels, domains, folds)) / 2)
        add(f"product cascade: Platt({lexical}) + Platt(enc) averaged where Platt({lexical}) in 0.25..0.75",
            (lexical, "enc"), lambda lexical=lexical: product_cascade(lexical, "enc"))
    for lexical, encoder in (("nb_C1", "enc_src"), ("nb_C1", "enc_src_C1"), ("nb_src_C1", "enc_src_C1"),
                             ("nb_src_C3", "enc_src"), ("nb_dr_C1", "enc"), ("nb_ge21x2_C1", "enc"),
                             ("nb_src_C1", "enc")):
        add(f"product cascade: Platt({lexical}) + Platt({encoder}) averaged where Platt({lexical}) in 0.25..0.75",
            (lexical, encoder), lambda lexical=lexical, encoder=encoder: product_cascade(lexical, encoder))
        add(f"cascade: STACK {lexical}, {encoder} only where Platt({lexical}) in 0.25..0.75",
            (lexical, encoder), lambda lexical=lexical, encoder=encoder: cascade(lexical, encoder))
    rows.extend(nested_oof.values())

    print("\n| variant | GE18 CV | GE21 CV | time (s) |\n|---|---:|---:|---:|")
    for description, probabilities, spent in rows:
        scores = " | ".join(f"{official_f1_at_best_threshold(labels[sources == s], probabilities[sources == s]):.4f}"
                            for s in REPORTED)
        print(f"| {description} | {scores} | {spent:.0f} |", flush=True)
    print(f"\nencoder share in the cascades: {cascade_share}")
    print(f"({time.monotonic() - started:.0f}s in all)")


if __name__ == "__main__":
    main()
