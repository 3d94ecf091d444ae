"""DomainAdaptedClassifier on synthetic data where the domains disagree about one feature."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from classifier.estimators.domain import DomainAdaptedClassifier, augment_by_domain, log_count_ratio


def synthetic(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feature 0 means "violation" in domain "news" and "fine" in domain "tweet"; feature 1
    means "violation" in both; the rest is noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    domains = np.array(["news", "tweet"] * (n // 2), dtype=object)
    sign = np.where(domains == "news", 1.0, -1.0)
    logit = 3.0 * sign * X[:, 0] + 2.0 * X[:, 1]
    y = (logit + rng.normal(scale=0.5, size=n) > 0).astype(int)
    return X, y, domains


@pytest.fixture(scope="module")
def data():
    return synthetic()


@pytest.fixture(scope="module")
def fitted(data) -> DomainAdaptedClassifier:
    X, y, domains = data
    return DomainAdaptedClassifier(cv=3).fit(X, y, sample_domains=domains)


def test_per_domain_heads_differ_where_the_domains_differ(fitted) -> None:
    assert fitted.domains_ == ["news", "tweet"]
    news, tweet = fitted.coef_["news"], fitted.coef_["tweet"]
    assert news[0] > 1.0 and tweet[0] < -1.0  # opposite signs for the feature they disagree on
    assert news[1] > 1.0 and tweet[1] > 1.0  # same sign where they agree
    assert set(fitted.calibration_) == set(fitted.intercept_) == {"news", "tweet"}
    assert fitted.n_features_in_ == 5


def test_each_head_fits_its_own_domain(fitted) -> None:
    X, y, domains = synthetic(seed=1)  # fresh data from the same distribution
    model = copy.deepcopy(fitted)
    for name, other in (("news", "tweet"), ("tweet", "news")):
        rows = domains == name
        model.set_params(domain=name)
        assert np.mean(model.predict(X[rows]) == y[rows]) > 0.85
        model.set_params(domain=other)
        assert np.mean(model.predict(X[rows]) == y[rows]) < 0.6  # the other domain's head is poor


def test_predict_proba_rows_sum_to_one(fitted, data) -> None:
    X, _, _ = data
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert ((proba >= 0) & (proba <= 1)).all()
    assert set(fitted.predict(X)) <= set(fitted.classes_)


def test_domain_parameter_switches_the_head(data) -> None:
    X, y, domains = data
    model = DomainAdaptedClassifier(cv=3).fit(X, y, sample_domains=domains)
    news = model.predict_proba(X)[:, 1]
    model.set_params(domain="tweet")
    tweet = model.predict_proba(X)[:, 1]
    assert np.corrcoef(news, tweet)[0, 1] < 0.5  # feature 0 flips the ranking
    a, b = model.calibration_["tweet"]
    expected = 1.0 / (1.0 + np.exp(a * (X @ model.coef_["tweet"] + model.intercept_["tweet"]) + b))
    np.testing.assert_allclose(tweet, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(model.decision_function(X), X @ model.coef_["tweet"] + model.intercept_["tweet"])


def test_clone_gives_an_unfitted_copy_with_the_same_parameters(fitted, data) -> None:
    X, y, domains = data
    twin = clone(fitted)
    assert twin.get_params() == fitted.get_params()
    assert not hasattr(twin, "coef_")
    with pytest.raises(NotFittedError):
        twin.decision_function(X)
    twin.fit(X, y, sample_domains=domains)
    np.testing.assert_allclose(twin.coef_["news"], fitted.coef_["news"])  # deterministic
    np.testing.assert_allclose(twin.oof_proba_, fitted.oof_proba_)
    assert clone(DomainAdaptedClassifier(C=0.5, domain="tweet")).get_params()["C"] == 0.5


def test_out_of_fold_probabilities(fitted, data) -> None:
    X, y, _ = data
    assert fitted.oof_proba_.shape == (len(y),)
    assert ((fitted.oof_proba_ >= 0) & (fitted.oof_proba_ <= 1)).all()
    # out-of-fold, so a little worse than in-sample, but clearly informative
    assert 0.75 < np.mean((fitted.oof_proba_ >= 0.5) == y) <= 1.0


def test_without_sample_domains_every_row_is_the_default_domain(data) -> None:
    X, y, _ = data
    model = DomainAdaptedClassifier(cv=2, domain="news").fit(X, y)
    assert model.domains_ == ["news"]
    assert model.oof_proba_.shape == (len(y),)


def test_a_domain_without_rows_predicts_with_the_shared_weights(data) -> None:
    X, y, domains = data
    model = DomainAdaptedClassifier(cv=2, domain="forum").fit(X, y, sample_domains=domains)
    assert model.domains_ == ["forum", "news", "tweet"]
    # no row activates the forum copy of the features: its head is the shared part alone
    shared = model.coef_["forum"]
    assert abs(shared[0]) < min(abs(model.coef_["news"][0]), abs(model.coef_["tweet"][0]))
    assert model.predict_proba(X).shape == (len(X), 2)


def test_sparse_input_gives_the_dense_result(data) -> None:
    X, y, domains = data
    dense = DomainAdaptedClassifier(cv=2).fit(X, y, sample_domains=domains)
    sparse = DomainAdaptedClassifier(cv=2).fit(sp.csr_matrix(X), y, sample_domains=domains)
    np.testing.assert_allclose(sparse.coef_["news"], dense.coef_["news"], atol=1e-4)
    np.testing.assert_allclose(sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), atol=1e-4)


def test_sample_weight_changes_the_fit(data) -> None:
    X, y, domains = data
    weights = np.where(domains == "news", 10.0, 0.1)
    model = DomainAdaptedClassifier(cv=2).fit(X, y, sample_domains=domains, sample_weight=weights)
    plain = DomainAdaptedClassifier(cv=2).fit(X, y, sample_domains=domains)
    assert not np.allclose(model.coef_["news"], plain.coef_["news"])


def test_pipeline_routes_sample_domains(data) -> None:
    X, y, domains = data
    pipeline = Pipeline([("scale", StandardScaler()), ("clf", DomainAdaptedClassifier(cv=2))])
    pipeline.fit(X, y, clf__sample_domains=domains)
    assert pipeline.named_steps["clf"].domains_ == ["news", "tweet"]
    assert pipeline.predict_proba(X).shape == (len(X), 2)


@pytest.mark.parametrize("names", [(1, 2), ("fine", "toxic")])
def test_labels_other_than_zero_and_one(data, names) -> None:
    X, y, domains = data
    labels = np.where(y == 1, names[1], names[0])
    plain = DomainAdaptedClassifier(cv=2).fit(X, y, sample_domains=domains)
    model = DomainAdaptedClassifier(cv=2).fit(X, labels, sample_domains=domains)
    assert list(model.classes_) == list(names)
    np.testing.assert_allclose(model.predict_proba(X), plain.predict_proba(X), atol=1e-9)
    np.testing.assert_array_equal(model.predict(X), np.where(plain.predict(X) == 1, names[1], names[0]))


def test_one_class_is_refused(data) -> None:
    X, _, _ = data
    with pytest.raises(ValueError, match="needs two classes, got one class"):
        DomainAdaptedClassifier(cv=2).fit(X, np.zeros(len(X), dtype=int))


def sparse_counts(n: int = 600, seed: int = 0) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Non-negative sparse features: column 0 fires mostly in positives, column 1 mostly in
    negatives, the other 30 at random."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    X = (rng.random((n, 32)) < 0.1).astype(np.float64)
    X[:, 0] = (rng.random(n) < np.where(y == 1, 0.6, 0.05))
    X[:, 1] = (rng.random(n) < np.where(y == 1, 0.05, 0.6))
    domains = np.array(["news", "tweet"] * (n // 2), dtype=object)
    return sp.csr_matrix(X), y, domains


def test_log_count_ratio_points_to_the_class_a_column_occurs_in() -> None:
    X, y, _ = sparse_counts()
    ratio = log_count_ratio(X, y)
    assert ratio[0] > 1.0 and ratio[1] < -1.0
    assert np.abs(ratio[2:]).max() < 0.7
    weighted = log_count_ratio(X, y, sample_weight=np.where(y == 1, 3.0, 1.0))
    np.testing.assert_allclose(weighted[0], ratio[0], atol=0.3)  # weights move p and q, not the sign


def test_nb_scaling_is_folded_into_the_heads() -> None:
    X, y, domains = sparse_counts()
    model = DomainAdaptedClassifier(cv=3, nb_scaling=True).fit(X, y, sample_domains=domains)
    np.testing.assert_allclose(model.feature_scale_, log_count_ratio(X, y))
    scaled = sp.csr_matrix(X @ sp.diags(model.feature_scale_))
    reference = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000, random_state=0)
    reference.fit(augment_by_domain(scaled, domains, ["news", "tweet"]), y)
    for name in ("news", "tweet"):
        model.set_params(domain=name)
        rows = domains == name
        expected = reference.decision_function(augment_by_domain(scaled[rows], domains[rows], ["news", "tweet"]))
        np.testing.assert_allclose(model.decision_function(X[rows]), expected, atol=1e-6)
    assert model.oof_proba_.shape == (len(y),)
    assert np.mean((model.oof_proba_ >= 0.5) == y) > 0.7
    plain = DomainAdaptedClassifier(cv=3).fit(X, y, sample_domains=domains)
    assert plain.feature_scale_ is None


def test_nb_scaling_is_recomputed_inside_each_calibration_fold() -> None:
    """The out-of-fold decisions must not see the held-out rows' labels through the ratios."""
    X, y, domains = sparse_counts()
    model = DomainAdaptedClassifier(cv=3, nb_scaling=True).fit(X, y, sample_domains=domains)
    strata = np.array([f"{d}:{label}" for d, label in zip(domains, y, strict=True)])
    folds = StratifiedKFold(3, shuffle=True, random_state=0).split(X, strata)
    honest, leaky = np.zeros(len(y)), np.zeros(len(y))
    for train, test in folds:
        for result, ratios in ((honest, log_count_ratio(X[train], y[train])), (leaky, log_count_ratio(X, y))):
            scaled = augment_by_domain(sp.csr_matrix(X @ sp.diags(ratios)), domains, ["news", "tweet"])
            fold_model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000, random_state=0)
            result[test] = fold_model.fit(scaled[train], y[train]).decision_function(scaled[test])
    np.testing.assert_allclose(model.oof_decision_, honest, atol=1e-6)
    assert not np.allclose(model.oof_decision_, leaky, atol=1e-3)  # the check can tell them apart
