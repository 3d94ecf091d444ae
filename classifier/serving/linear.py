"""A lean inference path for fitted TF-IDF + calibrated linear pipelines.

``Pipeline.predict_proba`` on one comment spends most of its time in input validation and sparse
matrix bookkeeping (about 1.5 ms here). For a single text the same arithmetic is a dictionary
lookup per n-gram and a few small numpy operations. :class:`FastTfidf` and :class:`FastLinearHead`
are built *from* the fitted estimators (``vocabulary_``, ``idf_``, a head's ``coef_`` and its
sigmoid calibration), never trained on their own, and the tests check that they
return the pipeline's probabilities to 1e-9.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.caching import word_cache
from classifier.estimators.domain import DomainAdaptedClassifier
from classifier.text.ngrams import NgramAnalyzer


@dataclass(frozen=True)
class SparseVector:
    """One document's l2-normalised TF-IDF vector: column indices and their values.

    ``occurrences`` and ``owners`` list every in-vocabulary n-gram occurrence (as a position in
    ``indices``) with the word it came from, so a weight can be traced back to words.
    """

    indices: np.ndarray
    values: np.ndarray
    occurrences: np.ndarray
    owners: np.ndarray
    counts: np.ndarray


@dataclass(frozen=True)
class FastTfidf:
    """The arithmetic of a fitted ``TfidfVectorizer(analyzer=NgramAnalyzer, sublinear_tf=True)``.

    A word's character n-grams depend on the word alone, and comments reuse a small vocabulary,
    so their column indices are cached per word: a comment costs one lookup per word plus one per
    word n-gram instead of one per character n-gram (about ten times fewer).
    """

    analyzer: NgramAnalyzer
    vocabulary: dict[str, int]
    idf: np.ndarray
    _word_columns: Callable[[str], np.ndarray] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Cached per object, not per class: a word's columns depend on this vocabulary. The
        # function closes over the vocabulary and analyzer, not over self: a cache holding a
        # bound method would make a reference cycle, and gunicorn freezes the preloaded objects
        # (gc.freeze), so a replaced model's cache would never be freed.
        lookup, char_ngrams_of = self.vocabulary.get, self.analyzer.char_ngrams_of

        def columns_of(word: str) -> np.ndarray:
            """The columns of the word's character n-grams that are in the vocabulary."""
            return np.array([c for c in map(lookup, char_ngrams_of(word)) if c is not None], dtype=np.intp)

        object.__setattr__(self, "_word_columns", word_cache(WORD_CACHE_SIZE)(columns_of))

    @classmethod
    def from_vectorizer(cls, vectorizer: TfidfVectorizer) -> FastTfidf:
        """Copy what inference needs out of a fitted vectorizer."""
        if not (vectorizer.sublinear_tf and vectorizer.norm == "l2" and vectorizer.use_idf):
            raise ValueError("FastTfidf supports sublinear_tf=True, norm='l2', use_idf=True only")
        return cls(
            analyzer=vectorizer.analyzer,
            vocabulary=dict(vectorizer.vocabulary_),
            idf=np.asarray(vectorizer.idf_, dtype=np.float64),
        )

    def transform_normalized(self, normalized: str) -> SparseVector:
        """TF-IDF of an already normalised text (the same n-grams as ``analyzer.ngrams_by_word``)."""
        words = normalized.split()
        # Character n-grams: cached column arrays per word, joined once (no per-n-gram Python work).
        per_word = [self._word_columns(word) for word in words]
        lengths = [len(columns) for columns in per_word]
        found = [np.concatenate(per_word)] if per_word else []
        owners = [np.repeat(np.arange(len(words), dtype=np.intp), lengths)] if per_word else []
        grams, gram_owners = self.analyzer.word_ngrams_of(words)
        lookup = self.vocabulary.get
        hits = [(column, owner) for column, owner in zip(map(lookup, grams), gram_owners, strict=True)
                if column is not None]
        if hits:
            columns, column_owners = zip(*hits, strict=True)
            found.append(np.array(columns, dtype=np.intp))
            owners.append(np.array(column_owners, dtype=np.intp))
        all_found = np.concatenate(found) if found else np.empty(0, dtype=np.intp)
        if not all_found.size:
            empty = np.empty(0, dtype=np.intp)
            return SparseVector(empty, np.empty(0), empty, empty, empty)
        indices, occurrences, counts = np.unique(all_found, return_inverse=True, return_counts=True)
        values = (np.log(counts) + 1.0) * self.idf[indices]
        values /= np.sqrt(values @ values)
        return SparseVector(indices, values, occurrences, np.concatenate(owners), counts)


WORD_CACHE_SIZE = 200_000


@dataclass(frozen=True)
class FastLinearHead:
    """One head of a fitted :class:`~classifier.estimators.domain.DomainAdaptedClassifier`."""

    coef: np.ndarray
    intercept: float
    calibration_a: float
    calibration_b: float

    @classmethod
    def from_classifier(cls, model: DomainAdaptedClassifier, domain: str | None = None) -> FastLinearHead:
        """Copy the weights and the calibrator of the ``domain`` head (default: the model's)."""
        name = domain or model.domain
        a, b = model.calibration_[name]
        return cls(np.asarray(model.coef_[name], dtype=np.float64), float(model.intercept_[name]), a, b)

    def decision(self, values: np.ndarray, indices: np.ndarray | None = None) -> float:
        """Log-odds before calibration of a sparse (``indices`` given) or dense feature row."""
        coef = self.coef if indices is None else self.coef[indices]
        return float(values @ coef) + self.intercept

    def probability(self, values: np.ndarray, indices: np.ndarray | None = None) -> float:
        """Calibrated probability of the positive class (a rule violation)."""
        return float(1.0 / (1.0 + np.exp(self.calibration_a * self.decision(values, indices)
                                          + self.calibration_b)))

    def contributions(self, vector: SparseVector) -> np.ndarray:
        """Each present feature's share of the log-odds, aligned with ``vector.indices``."""
        return vector.values * self.coef[vector.indices]
