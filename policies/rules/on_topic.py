"""Rule: stay on the topic of the article."""

from __future__ import annotations

from policies.pipeline import Context, RuleResult
from policies.rules._scored import judge


def on_topic(ctx: Context) -> RuleResult | None:
    """Hold comments that are probably unrelated to the article.

    The score is p(off-topic). The default policy never rejects on this rule (``reject: null``):
    whether a comment still belongs to the discussion is for a person to judge.
    """
    return judge(ctx, "on_topic")
