"""What the rules that judge a classifier score share: thresholds and the reasons they give."""

from __future__ import annotations

from classifier.types import RuleScore
from policies.decision import HOLD, REJECT, Reason
from policies.pipeline import Context, RuleResult
from policies.policy import RulePolicy


def judge(ctx: Context, name: str) -> RuleResult | None:
    """Hold or reject on the score of rule ``name``, and record the score whatever it is.

    Like Coral's toxic phase, the score is recorded even below every threshold, so that
    thresholds can be tuned later on real decisions.
    """
    if ctx.scores is None:
        return None  # nothing to judge: the scorer_failure rule holds the comment
    rule_score: RuleScore = getattr(ctx.scores, name)
    rule = ctx.policy.rules[name]
    # float(): a numpy score would not serialise to JSON downstream.
    recorded = {name: float(rule_score.score)}
    if rule.reject is not None and rule_score.score >= rule.reject and not _quoted(rule, rule_score):
        decision, threshold = REJECT, rule.reject
    elif rule_score.score >= rule.hold:
        decision, threshold = HOLD, rule.hold
    else:
        return RuleResult(metadata=recorded)
    reason = reason_for(name, rule, rule_score, threshold, rule.moderator_message)
    return RuleResult(decision=decision, reasons=[reason], metadata=recorded)


def _quoted(rule: RulePolicy, rule_score: RuleScore) -> bool:
    """The policy holds rather than rejects when the driving words are quoted (maybe mentioned)."""
    return not rule.reject_when_quoted and bool(rule_score.signals.get("evidence_quoted"))


def reason_for(
    name: str, rule: RulePolicy, rule_score: RuleScore, threshold: float, message: dict[str, str]
) -> Reason:
    """The reason rule ``name`` gives when its score crossed ``threshold``."""
    return Reason(
        rule=name,
        code=rule.code,
        score=float(rule_score.score),
        threshold=threshold,
        message=message,
        evidence=rule_score.evidence,
        signals=dict(rule_score.signals),
    )
