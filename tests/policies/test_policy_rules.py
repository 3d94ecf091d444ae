"""Rules of a policy file that combine scores, and the scores every rule declares it reads."""

from __future__ import annotations

import dataclasses

import pytest

from classifier.types import CommentScores, Evidence, Score
from policies import Policy, decide, load_policy
from policies.rules import rules_for
from policies.rules.premoderation import premoderation
from policies.rules.scored import ScoredRule
from policies.rules.scorer_failure import scorer_failure

ON_TOPIC_EVIDENCE = (Evidence("Wetter", 8, 14, 1.0),)
SPAM_EVIDENCE = (Evidence("http", 20, 24, 3.0),)


def combining(how: str) -> Policy:
    """The default policy with one rule, "either", on the on-topic and spam scores combined ``how``."""
    default = load_policy()
    either = dataclasses.replace(default.rules["on_topic"], scores=("on_topic", "spam"), combine=how,
                                 hold=0.5, reject=0.8, clearly_fine_below=0.2)
    return dataclasses.replace(default, rules={"respectful": default.rules["respectful"], "either": either})


def scores(on_topic: float, spam: float, **others: Score) -> CommentScores:
    """Respect fine, on-topic and spam at the values given, each with evidence of its own."""
    return CommentScores(
        {"respectful": Score(0.0), "on_topic": Score(on_topic, ON_TOPIC_EVIDENCE, {"reply": True}),
         "spam": Score(spam, SPAM_EVIDENCE, {"spam_signals": {"links": 1}}), **others},
        model_version="m",
    )


@pytest.mark.parametrize(
    ("how", "on_topic", "spam", "decision", "score", "evidence"),
    [
        ("max", 0.1, 0.9, "reject", 0.9, SPAM_EVIDENCE),
        ("max", 0.6, 0.1, "hold", 0.6, ON_TOPIC_EVIDENCE),
        ("min", 0.6, 0.9, "hold", 0.6, ON_TOPIC_EVIDENCE),  # the lower decides
        ("mean", 0.6, 0.9, "hold", 0.75, SPAM_EVIDENCE),  # the higher's evidence
    ],
)
def test_a_rule_decides_on_its_scores_combined(how, on_topic, spam, decision, score, evidence):
    result = decide(combining(how), scores(on_topic, spam))
    assert result.decision == decision
    [reason] = result.reasons
    assert (reason.rule, reason.score, reason.evidence) == ("either", pytest.approx(score), evidence)
    assert reason.signals == ({"spam_signals": {"links": 1}} if evidence is SPAM_EVIDENCE else {"reply": True})
    # Each score the rules read is recorded under its own name, whatever the combination.
    assert result.scores == {"respectful": 0.0, "on_topic": on_topic, "spam": spam}


@pytest.mark.parametrize(("how", "decision"), [("max", "hold"), ("min", "approve"), ("mean", "approve")])
def test_one_score_above_hold_is_enough_only_for_max(how, decision):
    assert decide(combining(how), scores(0.55, 0.0)).decision == decision


def test_premoderation_judges_each_rule_on_its_combined_score():
    policy = dataclasses.replace(combining("max"), premoderation=True)
    held = decide(policy, scores(0.1, 0.3))
    assert held.decision == "hold"
    [reason] = held.reasons
    assert (reason.rule, reason.score, reason.threshold) == ("either", 0.3, 0.2)
    assert decide(policy, scores(0.1, 0.1)).decision == "approve"


def test_a_score_a_rule_reads_but_the_model_did_not_give_is_a_scorer_failure():
    given = scores(0.0, 0.0)
    without_spam = CommentScores({k: v for k, v in given.scores.items() if k != "spam"}, model_version="m")
    decision = decide(combining("max"), without_spam)
    assert decision.decision == "hold"
    [reason] = decision.reasons
    assert (reason.rule, reason.signals) == ("system", {"failure": "the model gave no spam score"})


def test_a_score_no_rule_reads_is_neither_checked_nor_recorded():
    default = load_policy()
    policy = dataclasses.replace(default, rules={"respectful": default.rules["respectful"]})
    decision = decide(policy, scores(float("nan"), 2.0))
    assert (decision.decision, decision.scores) == ("approve", {"respectful": 0.0})


def test_every_rule_declares_the_scores_it_reads():
    policy = combining("max")
    *content, failure, fallback = rules_for(policy)
    assert content == [ScoredRule("respectful"), ScoredRule("either")]
    assert [rule.reads(policy) for rule in content] == [("respectful",), ("on_topic", "spam")]
    assert failure is scorer_failure and failure.reads(policy) == ()
    assert fallback is premoderation and fallback.reads(policy) == ("respectful", "on_topic", "spam")

