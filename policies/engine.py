"""Turn a comment's scores into a decision under a policy."""

from __future__ import annotations

import math
from numbers import Real

from classifier.types import CommentScores
from policies.decision import APPROVE, Decision
from policies.pipeline import Context, Rule, compose
from policies.policy import Policy
from policies.rules import rules_for
from policies.statement import statement_of_reasons


def decide(
    policy: Policy,
    scores: CommentScores | None,
    *,
    model_version: str = "unknown",
    failure: str | None = None,
) -> Decision:
    """Decide on one comment: approve, hold or reject, with every reason.

    :param policy: the site's policy.
    :param scores: the classifier's scores, or None when the scorer failed or timed out.
    :param model_version: the model that was asked; used only when ``scores`` is None, since
        scores carry the version of the model that produced them.
    :param failure: why there are no scores, for the moderators.
    :return: the decision. Without usable scores it is always a hold with a "system" reason
        (code OTHER): failing towards a human, never approving silently.
    """
    rules = rules_for(policy)
    if scores is not None:
        model_version = scores.model_version
        if (problem := _unusable(scores, _read(rules, policy))) is not None:
            scores, failure = None, problem
    outcome = compose(rules, Context(policy=policy, scores=scores, failure=failure))
    decision = outcome.decision or APPROVE
    reasons = tuple(outcome.reasons)
    return Decision(
        decision=decision,
        reasons=reasons,
        scores=dict(outcome.metadata),
        statement_of_reasons=statement_of_reasons(policy, decision, reasons),
        policy_version=policy.version,
        model_version=model_version,
    )


def _read(rules: tuple[Rule, ...], policy: Policy) -> tuple[str, ...]:
    """The scores the rules read, each once, in the order of the rules."""
    return tuple(dict.fromkeys(name for rule in rules for name in rule.reads(policy)))


def _unusable(scores: CommentScores, read: tuple[str, ...]) -> str | None:
    """Say what is wrong with the scores the rules read, or None if all are fine.

    A missing score cannot be judged; a NaN compares false with every threshold and would be
    approved; a score above 1 would be rejected for a bug. All are scorer failures.
    """
    for name in read:
        if name not in scores.scores:
            return f"the model gave no {name} score"
        score = scores[name].score
        if not (isinstance(score, Real) and math.isfinite(score) and 0 <= score <= 1):
            return f"the {name} score is not a probability: {score!r}"
    return None
