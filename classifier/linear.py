"""A lean inference path for fitted TF-IDF + calibrated linear pipelines.

``Pipeline.predict_proba`` on one comment spends most of its time in input validation and sparse
matrix bookkeeping (about 1.5 ms here). For a single text the same arithmetic is a dictionary
lookup per n-gram and a few small numpy operations. :class:`FastTfidf` and :class:`FastLinearHead`
are built *from* the fitted estimators (``vocabulary_``, ``idf_``, a head's ``coef_`` and its
sigmoid calibration), never trained on their own, and the tests check that they
return the pipeline's probabilities to 1e-9.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.domain import DomainAdaptedClassifier
from classifier.features import NgramAnalyzer


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
    """The arithmetic of a fitted ``TfidfVectorizer(analyzer=NgramAnalyzer, sublinear_tf=True)``."""

    analyzer: NgramAnalyzer
    vocabulary: dict[str, int]
    idf: np.ndarray

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
        """TF-IDF of an already normalised text."""
        features, owners = self.analyzer.ngrams_by_word(normalized)
        hits = list(map(self.vocabulary.get, features))
        kept = [i for i, index in enumerate(hits) if index is not None]
        if not kept:
            empty = np.empty(0, dtype=np.intp)
            return SparseVector(empty, np.empty(0), empty, empty, empty)
        columns = np.fromiter((hits[i] for i in kept), dtype=np.intp, count=len(kept))
        indices, occurrences, counts = np.unique(columns, return_inverse=True, return_counts=True)
        values = (np.log(counts) + 1.0) * self.idf[indices]
        values /= np.sqrt(values @ values)
        word_of = np.fromiter((owners[i] for i in kept), dtype=np.intp, count=len(kept))
        return SparseVector(indices, values, occurrences, word_of, counts)


@dataclass(frozen=True)
class FastLinearHead:
    """One head of a fitted :class:`~classifier.domain.DomainAdaptedClassifier`."""

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
