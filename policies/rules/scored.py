"""The rules of the policy file: each holds or rejects on the scores its entry names.

One class serves them all: what a rule judges, its thresholds, code and messages are its entry
in the policy file (see :mod:`policies.schema`), so a new rule is a new entry, not new code.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

from classifier.types import CommentScores, Score
from policies.decision import HOLD, REJECT, Reason
from policies.pipeline import Context, RuleResult
from policies.policy import Policy, RulePolicy

_COMBINE = {"max": max, "min": min, "mean": fmean}


@dataclass(frozen=True)
class ScoredRule:
    """The policy file's rule ``name``."""

    name: str

    def reads(self, policy: Policy) -> tuple[str, ...]:
        """The scores the rule's entry names."""
        return policy.rules[self.name].scores

    def __call__(self, ctx: Context) -> RuleResult | None:
        """Hold or reject on the rule's score, and record the scores it read whatever they are.

        Like Coral's toxic phase, the scores are recorded even below every threshold, so that
        thresholds can be tuned later on real decisions.
        """
        if ctx.scores is None:
            return None  # nothing to judge: the scorer_failure rule holds the comment
        rule = ctx.policy.rules[self.name]
        score = rule_score(rule, ctx.scores)
        # float(): a numpy score would not serialise to JSON downstream.
        recorded = {name: float(ctx.scores[name].score) for name in rule.scores}
        if rule.reject is not None and score.score >= rule.reject and not _quoted(rule, score):
            decision, threshold = REJECT, rule.reject
        elif score.score >= rule.hold:
            decision, threshold = HOLD, rule.hold
        else:
            return RuleResult(metadata=recorded)
        reason = reason_for(self.name, rule, score, threshold, rule.moderator_message)
        return RuleResult(decision=decision, reasons=[reason], metadata=recorded)


def rule_score(rule: RulePolicy, scores: CommentScores) -> Score:
    """The rule's one score: the score it names, or the combination of those it names.

    A combination carries the evidence and signals of the score that decides it: the highest
    for max, the lowest for min; a mean has no single one and carries the highest's, the
    strongest reason to look at the comment.
    """
    named = [scores[name] for name in rule.scores]
    if len(named) == 1:
        return named[0]
    value = _COMBINE[rule.combine]([score.score for score in named])
    deciding = (min if rule.combine == "min" else max)(named, key=lambda score: score.score)
    return Score(value, deciding.evidence, deciding.signals)


def _quoted(rule: RulePolicy, score: Score) -> bool:
    """The policy holds rather than rejects when the driving words are quoted (maybe mentioned)."""
    return not rule.reject_when_quoted and bool(score.signals.get("evidence_quoted"))


def reason_for(name: str, rule: RulePolicy, score: Score, threshold: float, message: dict[str, str]) -> Reason:
    """The reason rule ``name`` gives when its score crossed ``threshold``."""
    return Reason(
        rule=name,
        code=rule.code,
        score=float(score.score),
        threshold=threshold,
        message=message,
        evidence=score.evidence,
        signals=dict(score.signals),
    )
