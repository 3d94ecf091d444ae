"""Turn a comment's scores into a decision under a policy."""

from __future__ import annotations

import math
from numbers import Real

from classifier.types import CommentScores
from policies.decision import APPROVE, Decision
from policies.pipeline import Context, compose
from policies.policy import RULE_NAMES, Policy
from policies.rules import RULES
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
    if scores is not None:
        model_version = scores.model_version
        if (problem := _unusable(scores)) is not None:
            scores, failure = None, problem
    outcome = compose(RULES, Context(policy=policy, scores=scores, failure=failure))
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


def _unusable(scores: CommentScores) -> str | None:
    """Say what is wrong with scores that are not probabilities, or None if all are fine.

    A NaN compares false with every threshold and would be approved; a score above 1 would
    be rejected for a bug. Both are scorer failures.
    """
    for name in RULE_NAMES:
        score = getattr(scores, name).score
        if not (isinstance(score, Real) and math.isfinite(score) and 0 <= score <= 1):
            return f"the {name} score is not a probability: {score!r}"
    return None
