"""Rule: fail towards a human when the comment could not be scored."""

from __future__ import annotations

from policies.decision import HOLD, Reason
from policies.pipeline import Context, RuleResult, no_scores, reading
from policies.policy import SYSTEM


@reading(no_scores)
def scorer_failure(ctx: Context) -> RuleResult | None:
    """Hold a comment the classifier failed to score, so that a person decides; never approve it.

    Like Coral's word-list timeout, a failure is not the comment's fault: hold, do not reject.
    """
    if ctx.scores is not None:
        return None
    notice = ctx.policy.system
    reason = Reason(
        rule=SYSTEM,
        code="OTHER",
        score=0.0,  # there is no score to report
        threshold=0.0,
        message=notice.moderator_message,
        evidence=(),
        signals={"failure": ctx.failure or "no scores"},
    )
    return RuleResult(decision=HOLD, reasons=[reason])
