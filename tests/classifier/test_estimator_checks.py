"""scikit-learn's own estimator checks on the estimators the models are built from.

``DomainAdaptedClassifier`` takes numeric 2-D input and runs the whole suite; the checks it fails
on purpose are listed with the reason. The on-topic transformers and the sentence encoder take
texts or ``CommentInput`` objects (tag ``two_d_array=False``), so scikit-learn skips every check
that feeds them numeric arrays; they run the checks of the estimator API that need no data.
"""

from __future__ import annotations

import pytest
from sklearn.base import clone
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from classifier.estimators.domain import DomainAdaptedClassifier
from classifier.estimators.encoder import SentenceEmbedder
from classifier.ontopic.lexical import TopicFeatures
from classifier.ontopic.semantic import SemanticTopicFeatures
from classifier.types import ArticleText, CommentInput

_NOT_WEIGHT_EQUIVALENT = (
    "the calibrators are fitted on out-of-fold decisions of an int number of stratified folds: a row "
    "of weight 2 is one row in one fold, not two rows that may fall into two folds (and the check "
    "passes cv as a list of splits, which cv=int does not take)"
)
EXPECTED_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": _NOT_WEIGHT_EQUIVALENT,
    "check_sample_weight_equivalence_on_sparse_data": _NOT_WEIGHT_EQUIVALENT,
    "check_class_weight_classifiers": (
        "predict thresholds the Platt-calibrated probability, and calibration on unweighted "
        "out-of-fold decisions undoes an extreme class_weight by design: the service needs "
        "probabilities, not weighted decisions"
    ),
}


_UNCALIBRATED_DECISION = (
    "decision_function is the uncalibrated log-odds that the second stages stack on, predict "
    "follows the calibrated probability: near the boundary the two disagree (2 of the check's 200 "
    "rows with NB scaling; none without it on the check's data)"
)


def _expected_failures(estimator: DomainAdaptedClassifier) -> dict[str, str]:
    if not estimator.nb_scaling:
        return EXPECTED_FAILURES
    return {**EXPECTED_FAILURES, "check_classifiers_train": _UNCALIBRATED_DECISION,
            "check_decision_proba_consistency": "the check feeds negative features whatever the "
            "positive_only tag says, and NB scaling refuses them (log-count ratios need X >= 0)"}


@parametrize_with_checks(
    [DomainAdaptedClassifier(cv=3), DomainAdaptedClassifier(cv=3, nb_scaling=True)],
    expected_failed_checks=_expected_failures,
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the checks' degenerate data (all-zero columns)
def test_domain_adapted_classifier_passes_sklearn_checks(estimator, check):
    check(estimator)


_DATA_FREE_CHECKS = (
    "check_estimator_cloneable",
    "check_estimator_tags_renamed",
    "check_valid_tag_types",
    "check_estimator_repr",
    "check_no_attributes_set_in_init",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order",
    "check_get_params_invariance",
    "check_set_params",
)
_TEXT_ESTIMATORS = (SentenceEmbedder(), TopicFeatures(), SemanticTopicFeatures())


@pytest.mark.parametrize("check_name", _DATA_FREE_CHECKS)
@pytest.mark.parametrize("estimator", _TEXT_ESTIMATORS, ids=lambda e: type(e).__name__)
def test_text_estimators_pass_the_api_checks(estimator, check_name):
    getattr(estimator_checks, check_name)(type(estimator).__name__, clone(estimator))


@pytest.mark.parametrize("estimator", _TEXT_ESTIMATORS, ids=lambda e: type(e).__name__)
def test_text_estimators_have_default_parameters(estimator):
    estimator_checks.check_parameters_default_constructible(type(estimator).__name__, clone(estimator))


def test_topic_features_fit_returns_self_learns_only_trailing_underscore_state_and_is_idempotent():
    article = ArticleText("Ladesäulen an Autobahnen", "Der Bund fördert Schnellladesäulen an Raststätten.")
    comments = [CommentInput("Mehr Ladesäulen an der A7 wären gut.", article),
                CommentInput("Schönes Wetter heute.", article)]
    features = TopicFeatures()
    params = features.get_params()
    assert features.fit(comments) is features
    assert features.get_params() == params
    first = features.transform(comments)
    assert (clone(features).fit(comments).transform(comments) == first).all()
    assert (features.fit(comments).transform(comments) == first).all()
