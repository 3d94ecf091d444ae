"""The policy: thresholds, premoderation, failing towards a human, reasons and statements."""

from __future__ import annotations

import dataclasses
import math

import pytest

from classifier.scores import REASON_CODES, SCORE_NAMES
from classifier.types import CommentScores, Evidence, Score
from policies import Decision, Policy, decide, load_policy, review_statement
from policies.pipeline import Context, RuleResult, compose, merge
from policies.rules.scored import ScoredRule
from policies.rules.scorer_failure import scorer_failure

#: The default policy's rules; each judges the score of its own name.
DEFAULT_RULES = ("respectful", "on_topic", "spam")


@pytest.fixture(scope="module")
def policy() -> Policy:
    """The site's default policy."""
    return load_policy()


def make_scores(model_version: str = "model-test", **scores: float) -> CommentScores:
    """Scores of 0.0 for every registered score except those given."""
    return CommentScores(
        {name: Score(score=scores.get(name, 0.0)) for name in SCORE_NAMES},
        model_version=model_version,
    )


def below(threshold: float) -> float:
    """The largest score that does not cross ``threshold``."""
    return math.nextafter(threshold, 0.0)


def with_premoderation(policy: Policy) -> Policy:
    """The same policy in premoderation mode."""
    return dataclasses.replace(policy, premoderation=True)


# --- the default policy file ---------------------------------------------------------------


def test_default_policy_is_valid_and_complete(policy):
    assert policy.version
    assert tuple(policy.rules) == DEFAULT_RULES
    for name, rule in policy.rules.items():
        assert rule.scores == (name,)
        assert rule.code in REASON_CODES
        assert rule.clearly_fine_below <= rule.hold
        assert rule.reject is None or rule.reject >= rule.hold


def test_default_policy_holds_off_topic_comments_for_a_human(policy):
    assert policy.rules["on_topic"].reject is None
    assert policy.rules["on_topic"].code == "IRRELEVANT_CONTENT"
    assert policy.rules["respectful"].code == "ABUSIVE"
    assert policy.rules["spam"].code == "SPAM"


# --- thresholds ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", DEFAULT_RULES)
def test_score_below_hold_is_approved_and_recorded(policy, name):
    score = below(policy.rules[name].hold)
    decision = decide(policy, make_scores(**{name: score}))
    assert decision.decision == "approve"
    assert decision.reasons == ()
    assert decision.scores[name] == score


@pytest.mark.parametrize("name", DEFAULT_RULES)
def test_score_at_hold_is_held(policy, name):
    rule = policy.rules[name]
    decision = decide(policy, make_scores(**{name: rule.hold}))
    assert decision.decision == "hold"
    [reason] = decision.reasons
    assert (reason.rule, reason.code, reason.score, reason.threshold) == (
        name,
        rule.code,
        rule.hold,
        rule.hold,
    )
    assert reason.message == rule.moderator_message


@pytest.mark.parametrize("name", [n for n in DEFAULT_RULES if n != "on_topic"])
def test_score_just_below_reject_is_held_and_at_reject_is_rejected(policy, name):
    rule = policy.rules[name]
    assert decide(policy, make_scores(**{name: below(rule.reject)})).decision == "hold"
    decision = decide(policy, make_scores(**{name: rule.reject}))
    assert decision.decision == "reject"
    [reason] = decision.reasons
    assert (reason.rule, reason.threshold) == (name, rule.reject)


def quoted_scores(score: float, quoted: bool) -> CommentScores:
    """A respect score at ``score`` whose strongest evidence is (or is not) in quotation marks."""
    evidence = (Evidence("Schmarotzer", 14, 25, 2.0),)
    respect = Score(score, evidence, {"evidence_quoted": quoted})
    return CommentScores({**make_scores().scores, "respectful": respect}, model_version="model-test")


def test_quoted_evidence_is_held_not_rejected_when_the_policy_says_so(policy):
    rule = policy.rules["respectful"]
    assert rule.reject_when_quoted is False  # the site's choice: a person tells use from mention
    held = decide(policy, quoted_scores(1.0, quoted=True))
    assert held.decision == "hold"
    [reason] = held.reasons
    assert (reason.threshold, reason.signals["evidence_quoted"]) == (rule.hold, True)
    assert decide(policy, quoted_scores(1.0, quoted=False)).decision == "reject"
    assert decide(policy, make_scores(respectful=1.0)).decision == "reject"  # no signal: as before


def test_quoted_evidence_is_rejected_like_any_other_by_default(policy):
    rules = dict(policy.rules)
    rules["respectful"] = dataclasses.replace(rules["respectful"], reject_when_quoted=True)
    strict = dataclasses.replace(policy, rules=rules)
    assert decide(strict, quoted_scores(1.0, quoted=True)).decision == "reject"


def test_rule_without_reject_threshold_never_rejects(policy):
    decision = decide(policy, make_scores(on_topic=1.0))
    assert decision.decision == "hold"
    assert decision.reasons[0].threshold == policy.rules["on_topic"].hold


def test_every_score_is_recorded_even_below_thresholds(policy):
    scores = make_scores(respectful=0.01, on_topic=0.02, spam=0.03)
    assert decide(policy, scores).scores == scores.as_dict()


def test_decision_is_stamped_with_policy_and_model_versions(policy):
    decision = decide(policy, make_scores(model_version="m-42"), model_version="ignored")
    assert (decision.policy_version, decision.model_version) == (policy.version, "m-42")


def test_evidence_and_signals_are_passed_through(policy):
    evidence = (Evidence(text="Idiot", start=4, end=9, weight=2.5),)
    signals = {"shared_article_words": []}
    scores = CommentScores(
        {**make_scores().scores, "respectful": Score(score=1.0, evidence=evidence, signals=signals)},
        model_version="model-test",
    )
    [reason] = decide(policy, scores).reasons
    assert reason.evidence == evidence
    assert reason.signals == signals


# --- several rules at once -----------------------------------------------------------------


def test_all_reasons_are_kept_most_severe_first(policy):
    scores = make_scores(spam=1.0, respectful=policy.rules["respectful"].hold, on_topic=1.0)
    decision = decide(policy, scores)
    assert decision.decision == "reject"
    # spam rejects, so it comes first although it is listed last; the holds keep rule order.
    assert [reason.rule for reason in decision.reasons] == ["spam", "respectful", "on_topic"]


def test_most_severe_decision_wins_whatever_the_rule_order():
    calls = []

    def rule(name: str, decision: str | None):
        def fake(ctx: Context) -> RuleResult:
            calls.append(name)
            return RuleResult(decision=decision, reasons=[name], metadata={name: 0.5})

        return fake

    rules = [rule("a", "hold"), rule("b", "reject"), rule("c", None), rule("d", "reject")]
    outcome = compose(rules, Context(policy=None, scores=None))
    assert calls == ["a", "b", "c", "d"]  # a decision does not stop the run
    assert outcome.decision == "reject"
    assert outcome.reasons == ["b", "d", "a", "c"]
    assert outcome.metadata == {"a": 0.5, "b": 0.5, "c": 0.5, "d": 0.5}


def test_merge_is_pure():
    acc = RuleResult(decision="reject", reasons=["r"], metadata={"x": 1.0})
    result = RuleResult(decision="hold", reasons=["h"], metadata={"x": 2.0, "y": 3.0})
    merged = merge(result, acc)
    assert merged == RuleResult(
        decision="reject", reasons=["r", "h"], metadata={"x": 2.0, "y": 3.0}
    )
    assert acc == RuleResult(decision="reject", reasons=["r"], metadata={"x": 1.0})
    assert result.reasons == ["h"]


def test_content_rule_records_its_score_without_deciding_below_hold(policy):
    ctx = Context(policy=policy, scores=make_scores(respectful=0.1))
    assert ScoredRule("respectful")(ctx) == RuleResult(metadata={"respectful": 0.1})


def test_scorer_failure_rule_is_silent_when_there_are_scores(policy):
    assert scorer_failure(Context(policy=policy, scores=make_scores())) is None


# --- premoderation -------------------------------------------------------------------------


def test_premoderation_approves_only_clearly_fine_comments(policy):
    premoderated = with_premoderation(policy)
    clearly_fine = {name: below(rule.clearly_fine_below) for name, rule in policy.rules.items()}
    assert decide(premoderated, make_scores(**clearly_fine)).decision == "approve"


@pytest.mark.parametrize("name", DEFAULT_RULES)
def test_premoderation_holds_what_is_not_clearly_fine(policy, name):
    rule = policy.rules[name]
    scores = make_scores(**{name: rule.clearly_fine_below})
    assert decide(policy, scores).decision == "approve"  # not premoderated: below hold
    decision = decide(with_premoderation(policy), scores)
    assert decision.decision == "hold"
    [reason] = decision.reasons
    assert (reason.rule, reason.code, reason.threshold) == (
        name,
        rule.code,
        rule.clearly_fine_below,
    )
    for lang, text in reason.message.items():
        assert text.startswith(policy.premoderation_message[lang])
        assert text.endswith(rule.moderator_message[lang])


def test_premoderation_adds_no_second_reason_for_a_rule_that_fired(policy):
    scores = make_scores(spam=1.0, respectful=policy.rules["respectful"].clearly_fine_below)
    decision = decide(with_premoderation(policy), scores)
    assert decision.decision == "reject"
    assert [(r.rule, r.threshold) for r in decision.reasons] == [
        ("spam", policy.rules["spam"].reject),
        ("respectful", policy.rules["respectful"].clearly_fine_below),
    ]


# --- failing towards a human ---------------------------------------------------------------


@pytest.mark.parametrize("premoderation", [False, True])
def test_scorer_failure_holds_with_a_system_reason(policy, premoderation):
    policy = dataclasses.replace(policy, premoderation=premoderation)
    decision = decide(policy, None, model_version="m-7", failure="timed out after 2 s")
    assert decision.decision == "hold"
    [reason] = decision.reasons
    assert (reason.rule, reason.code) == ("system", "OTHER")
    assert reason.signals == {"failure": "timed out after 2 s"}
    assert reason.message == policy.system.moderator_message
    assert decision.scores == {}
    assert decision.model_version == "m-7"
    assert decision.statement_of_reasons is not None


def test_scorer_failure_without_a_stated_cause_still_holds(policy):
    decision = decide(policy, None)
    assert decision.decision == "hold"
    assert decision.reasons[0].signals["failure"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -0.1, 1.5])
def test_a_score_that_is_not_a_probability_is_a_scorer_failure(policy, bad):
    decision = decide(policy, make_scores(spam=bad))
    assert decision.decision == "hold"
    [reason] = decision.reasons
    assert reason.rule == "system"
    assert "spam" in reason.signals["failure"]


# --- statement of reasons ------------------------------------------------------------------


def test_approve_has_no_statement_of_reasons(policy):
    assert decide(policy, make_scores()).statement_of_reasons is None


def statement(decision: Decision, lang: str) -> str:
    """The statement in one language; fails the test if there is none."""
    assert decision.statement_of_reasons is not None
    assert set(decision.statement_of_reasons) == {"de", "en"}
    return decision.statement_of_reasons[lang]


def test_hold_statement_names_the_rule_says_automatic_and_that_a_person_reviews(policy):
    decision = decide(policy, make_scores(on_topic=1.0))
    for lang, automatic, person in [
        ("de", "automatisch", "Person aus unserem Moderationsteam prüft"),
        ("en", "automatically", "member of our moderation team will review"),
    ]:
        text = statement(decision, lang)
        assert policy.rules["on_topic"].commenter_message[lang] in text
        assert automatic in text
        assert person in text


def test_reject_statement_names_every_rule_and_offers_a_human_review(policy):
    decision = decide(policy, make_scores(respectful=1.0, spam=1.0))
    for lang, automatic, review in [
        ("de", "automatisch", "können Sie verlangen"),
        ("en", "automatically", "you can ask for"),
    ]:
        text = statement(decision, lang)
        for name in ("respectful", "spam"):
            assert policy.rules[name].commenter_message[lang] in text
        assert policy.rules["on_topic"].commenter_message[lang] not in text
        assert automatic in text
        assert review in text


def test_scorer_failure_statement_explains_the_failure(policy):
    text = statement(decide(policy, None, failure="boom"), "en")
    assert policy.system.commenter_message["en"] in text
    assert "boom" not in text  # internal detail, for moderators only


def test_review_statement_after_a_moderator_rejects() -> None:
    policy = load_policy()
    statement = review_statement(policy, "reject", "ABUSIVE")
    assert set(statement) == {"de", "en"}
    assert policy.rules["respectful"].commenter_message["en"] in statement["en"]
    assert "moderation team reviewed" in statement["en"]
    assert "automatically" not in statement["en"]
    assert "It breaks our discussion rules." in review_statement(policy, "reject", None)["en"]
    assert review_statement(policy, "approve", None) is None
