"""Rule: no spam or advertising."""

from __future__ import annotations

from policies.pipeline import Context, RuleResult
from policies.rules._scored import judge


def spam(ctx: Context) -> RuleResult | None:
    """Hold or reject comments that are probably spam or advertising.

    The score is p(spam); thresholds and code come from the policy's ``spam``.
    """
    return judge(ctx, "spam")
