"""experiments/policy_thresholds.py: out-of-fold scores of the training split, and the decision rates on them."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.data.teamdata import load_team_data
from classifier.serving.bundle import load_model
from classifier.training.train import topic_examples
from experiments.policy_thresholds import DEFAULT_POLICY, out_of_fold_scores, rates, with_thresholds
from policies import load_policy


@pytest.fixture(scope="module")
def rows(trained_bundle):
    return out_of_fold_scores(trained_bundle.model_dir, trained_bundle.team_dir,
                              trained_bundle.corpora.data_dir)


def test_every_training_comment_gets_the_scores_it_had_while_held_out(rows, trained_bundle, trained_model) -> None:
    team = load_team_data(trained_bundle.team_dir)
    train = team.split("train")
    assert [row.comment.id for row in rows] == [c.id for c in train]  # no team text is in a test split
    respect = trained_model.respect.named_steps["clf"].oof_proba_[: len(rows)]
    np.testing.assert_allclose([row.respectful for row in rows], respect)  # no encoder in this bundle
    spam = trained_model.spam.named_steps["clf"].oof_proba_
    np.testing.assert_allclose([row.spam for row in rows], spam)
    for row in rows:
        assert 0.0 <= row.on_topic <= 1.0
    # out-of-fold, not in-sample: the fitted model is surer of the texts it was trained on
    in_sample = trained_model.respect.predict_proba([row.comment.text for row in rows])[:, 1]
    labels = np.array([not row.comment.respectful for row in rows])
    assert np.abs(in_sample - labels).mean() < np.abs(respect - labels).mean()


def test_rates_follow_the_thresholds(rows) -> None:
    policy = load_policy(DEFAULT_POLICY)
    everything_held = with_thresholds(policy, respectful_hold=0.0, on_topic_hold=0.0, spam_hold=0.0)
    held = rates(everything_held, rows)
    assert held["approved"] == 0.0 and held["insults_caught"] == 1.0 and held["off_topic_caught"] == 1.0
    never = with_thresholds(policy, respectful_hold=1.01, respectful_reject=None, on_topic_hold=1.01,
                            spam_hold=1.01, spam_reject=None)
    free = rates(never, rows)
    assert free["approved"] == 1.0 and free["insults_caught"] == 0.0 and free["rejected"] == 0
    default = rates(policy, rows)
    assert 0.5 < default["approved"] < 1.0 and 0.5 < default["insults_caught"] <= 1.0


def test_with_thresholds_changes_only_what_it_names() -> None:
    policy = load_policy(DEFAULT_POLICY)
    changed = with_thresholds(policy, on_topic_hold=0.42)
    assert changed.rules["on_topic"].hold == 0.42
    assert changed.rules["respectful"] == policy.rules["respectful"]
    assert changed.rules["on_topic"].code == policy.rules["on_topic"].code
    assert policy.rules["on_topic"].hold != 0.42  # the loaded policy is left alone


def test_with_encoders_each_score_is_its_cascades(encoder_model_dir, clf_cli_team_dir) -> None:
    rows = out_of_fold_scores(encoder_model_dir, clf_cli_team_dir, None)
    model = load_model(encoder_model_dir)
    team = load_team_data(clf_cli_team_dir)
    train = team.split("train")
    assert [row.comment.id for row in rows] == [c.id for c in train]
    lexical = model.respect.named_steps["clf"].oof_proba_
    second = model.encoder.named_steps["clf"].oof_proba_
    low, high = model.cascade_band
    averaged = 0
    for i, row in enumerate(rows):
        if low <= lexical[i] <= high:
            averaged += 1
            assert row.respectful == pytest.approx((lexical[i] + second[i]) / 2.0)
        else:
            assert row.respectful == pytest.approx(lexical[i])
    # each comment's on-topic score is that of its first pair: the comment under its own article
    inputs, _, _ = topic_examples(team, train)
    own_pair: dict[str, int] = {}
    for index, comment in enumerate(inputs):
        own_pair.setdefault(comment.text, index)
    topic_lexical = model.topic.named_steps["clf"].oof_proba_
    topic_second = model.topic_encoder.named_steps["clf"].oof_proba_
    topic_low, topic_high = model.topic_cascade_band
    replaced = 0
    for row in rows:
        index = own_pair[row.comment.text]
        if topic_low <= topic_lexical[index] <= topic_high:
            replaced += 1
            assert row.on_topic == pytest.approx(topic_second[index])
        else:
            assert row.on_topic == pytest.approx(topic_lexical[index])
    assert 0 < averaged < len(rows) and 0 < replaced < len(rows)  # both branches are exercised
