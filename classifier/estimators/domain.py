"""A logistic regression with one head per text domain, calibrated by cross-validation.

The public corpora are tweets (GermEval 2018/2019, HASOC) and news-site comments (GermEval 2021,
One Million Posts, our own data). A model trained on all of them learns what offends in general
but blurs what a news forum considers toxic; one trained on news comments alone has too little
data. Feature augmentation (Daumé III, "Frustratingly Easy Domain Adaptation", 2007) fits both at
once: every feature gets a shared copy and one copy per domain, so each domain's head is
``shared + own`` weights. A head is still a single linear model, so the fast path costs nothing
extra, and :attr:`DomainAdaptedClassifier.domain` picks the head used for prediction.

With ``nb_scaling`` (for non-negative sparse features such as TF-IDF), every column is first
multiplied by its log-count ratio, as in NB-SVM (Wang & Manning, "Baselines and Bigrams", 2012):
columns that are much more frequent in one class get a head start against the regularisation.
The scaling is folded into :attr:`DomainAdaptedClassifier.coef_`, so prediction (and the fast
path) still take the raw features and cost nothing more.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import _SigmoidCalibration
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data


def log_count_ratio(X, y: np.ndarray, sample_weight=None, alpha: float = 1.0) -> np.ndarray:
    """Per column, ``log((p / |p|_1) / (q / |q|_1))`` with p, q the (weighted) number of positive /
    negative rows in which the column is non-zero, plus ``alpha``."""
    weight = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    present = (X != 0).astype(np.float64) if sp.issparse(X) else (np.asarray(X) != 0).astype(np.float64)
    positive = alpha + np.asarray(present.T @ (weight * (y == 1))).ravel()
    negative = alpha + np.asarray(present.T @ (weight * (y != 1))).ravel()
    return np.log((positive / positive.sum()) / (negative / negative.sum()))


def _scale_columns(X, scale: np.ndarray):
    return sp.csr_matrix(X @ sp.diags(scale)) if sp.issparse(X) else np.asarray(X) * scale


def augment_by_domain(X, domains: np.ndarray, names: list[str]):
    """``[X, X*in_domain_1, X*in_domain_2, ...]`` for sparse or dense X."""
    blocks = [X]
    for name in names:
        mask = (domains == name).astype(np.float64)
        blocks.append(sp.diags(mask) @ X if sp.issparse(X) else X * mask[:, None])
    return sp.hstack(blocks).tocsr() if sp.issparse(X) else np.hstack(blocks)


class DomainAdaptedClassifier(ClassifierMixin, BaseEstimator):
    """Binary logistic regression with per-domain heads and Platt scaling per head.

    Parameters
    ----------
    domain : str, default="news"
        The head used by ``decision_function`` and ``predict_proba``.
    C : float, default=1.0
        Inverse regularisation strength of the logistic regression.
    cv : int, default=5
        Folds for the out-of-fold decision values the calibrators are fitted on.
    class_weight : str or None, default="balanced"
    nb_scaling : bool, default=False
        Scale each column by its log-count ratio before fitting (NB-LR). Computed on the rows
        each fit sees, so the out-of-fold decisions stay honest.
    max_iter : int, default=3000
    random_state : int, default=0

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    domains_ : list of str
        The domains seen in ``fit``.
    coef_ : dict of str to ndarray
        Per domain, the head's weights (shared + own copy), times the NB scaling if any.
    feature_scale_ : ndarray of shape (n_features,) or None
        The log-count ratios the features were scaled by (``nb_scaling``), already in ``coef_``.
    intercept_ : dict of str to float
    n_iter_ : ndarray of shape (1,)
        Iterations the solver ran for the full fit.
    calibration_ : dict of str to tuple of float
        Per domain, the sigmoid calibrator's ``(a, b)``: ``p = 1 / (1 + exp(a * f + b))``.
    oof_decision_ : ndarray of shape (n_samples,)
        Cross-validated decision value (log-odds before calibration) of each training row.
    oof_proba_ : ndarray of shape (n_samples,)
        Cross-validated probability of each training row (each row calibrated with its own
        domain's head): the honest basis for CV metrics and thresholds.
    """

    nb_scaling = False  # bundles pickled before the parameter existed read as without it

    def __init__(
        self,
        *,
        domain: str = "news",
        C: float = 1.0,
        cv: int = 5,
        class_weight: str | None = "balanced",
        nb_scaling: bool = False,
        max_iter: int = 3000,
        random_state: int = 0,
    ) -> None:
        self.domain = domain
        self.C = C
        self.cv = cv
        self.class_weight = class_weight
        self.nb_scaling = nb_scaling
        self.max_iter = max_iter
        self.random_state = random_state

    def _linear(self) -> LogisticRegression:
        return LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=self.max_iter,
            random_state=self.random_state,
        )

    def fit(self, X, y, sample_domains=None, sample_weight=None) -> DomainAdaptedClassifier:
        """Fit the shared and per-domain weights, then one calibrator per domain.

        :param sample_domains: the domain of each row; all rows are ``self.domain`` if omitted.
        :param sample_weight: per-row weight of the logistic loss (e.g. to stress our own data).
        """
        X, y = validate_data(self, X, y, accept_sparse="csr")
        check_classification_targets(y)
        domains = (np.full(len(y), self.domain) if sample_domains is None
                   else np.asarray(sample_domains, dtype=object))
        self.domains_ = sorted(set(domains.tolist()) | {self.domain})
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError("Only binary classification is supported. y needs two classes, got "
                             f"{'one class' if len(self.classes_) == 1 else f'{len(self.classes_)} classes'}")
        if self.nb_scaling and (X.min() if X.size else 0) < 0:
            raise ValueError("Negative values in data passed to DomainAdaptedClassifier: nb_scaling "
                             "needs counts or TF-IDF weights (X >= 0)")
        # Work on 0/1 throughout: the calibrator reads labels <= 0 as the negative class.
        y = (y == self.classes_[1]).astype(int)
        self.feature_scale_ = log_count_ratio(X, y, sample_weight) if self.nb_scaling else None
        scaled = X if self.feature_scale_ is None else _scale_columns(X, self.feature_scale_)
        augmented = augment_by_domain(scaled, domains, self.domains_)
        linear = self._linear().fit(augmented, y, sample_weight=sample_weight)
        self._set_heads(linear.coef_[0], float(linear.intercept_[0]), X.shape[1])
        self.n_iter_ = linear.n_iter_
        out_of_fold = self._out_of_fold_decisions(X, augmented, y, domains, sample_weight)
        self.oof_decision_ = out_of_fold
        self.calibration_ = {}
        self.oof_proba_ = np.zeros(len(y))
        for name in self.domains_:
            mask = domains == name
            fit_mask = mask
            if mask.sum() < 20 or len(np.unique(y[mask])) < 2:
                fit_mask = np.ones(len(y), dtype=bool)  # too few to calibrate alone: use all
            calibrator = _SigmoidCalibration().fit(out_of_fold[fit_mask], y[fit_mask])
            self.calibration_[name] = (float(calibrator.a_), float(calibrator.b_))
            self.oof_proba_[mask] = calibrator.predict(out_of_fold[mask])
        return self

    def _set_heads(self, weights: np.ndarray, intercept: float, n_features: int) -> None:
        shared = weights[:n_features]
        scale = 1.0 if self.feature_scale_ is None else self.feature_scale_
        self.coef_ = {
            name: (shared + weights[(i + 1) * n_features : (i + 2) * n_features]) * scale
            for i, name in enumerate(self.domains_)
        }
        self.intercept_ = {name: intercept for name in self.domains_}

    def _out_of_fold_decisions(self, X, augmented, y: np.ndarray, domains: np.ndarray,
                               sample_weight) -> np.ndarray:
        """Decision values of models that did not see the row, for honest calibration.

        ``augmented`` is the full fit's matrix; with NB scaling it is not used, because the
        scaling is recomputed on each fold's training rows (from the raw ``X``).
        """
        strata = np.array([f"{d}:{label}" for d, label in zip(domains, y, strict=True)])
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        decisions = np.zeros(len(y))
        for train, test in folds.split(X, strata):
            weight = None if sample_weight is None else np.asarray(sample_weight)[train]
            fold_matrix = augmented
            if self.nb_scaling:
                scale = log_count_ratio(X[train], y[train], weight)
                fold_matrix = augment_by_domain(_scale_columns(X, scale), domains, self.domains_)
            model = self._linear().fit(fold_matrix[train], y[train], sample_weight=weight)
            decisions[test] = model.decision_function(fold_matrix[test])
        return decisions

    def decision_function(self, X) -> np.ndarray:
        """Log-odds of a violation under the ``domain`` head."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        return np.asarray(X @ self.coef_[self.domain]).ravel() + self.intercept_[self.domain]

    def predict_proba(self, X) -> np.ndarray:
        """Calibrated probabilities, columns ordered as ``classes_``."""
        check_is_fitted(self)
        a, b = self.calibration_[self.domain]
        positive = 1.0 / (1.0 + np.exp(a * self.decision_function(X) + b))
        return np.column_stack([1.0 - positive, positive])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = self.nb_scaling  # log-count ratios of counts or TF-IDF
        tags.classifier_tags.multi_class = False
        return tags

    def predict(self, X) -> np.ndarray:
        """The more probable class."""
        positive = self.predict_proba(X)[:, 1] >= 0.5
        return self.classes_[positive.astype(int)]
