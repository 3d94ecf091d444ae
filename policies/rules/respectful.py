"""Rule: treat others with respect."""

from __future__ import annotations

from policies.pipeline import Context, RuleResult
from policies.rules._scored import judge


def respectful(ctx: Context) -> RuleResult | None:
    """Hold or reject comments that are probably insulting, degrading or hateful.

    The score is p(not respectful); thresholds and code come from the policy's ``respectful``.
    """
    return judge(ctx, "respectful")
