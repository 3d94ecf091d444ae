"""Rule: in premoderation mode, publish only what is clearly fine."""

from __future__ import annotations

from policies.decision import HOLD
from policies.pipeline import Context, RuleResult
from policies.policy import LANGUAGES, RULE_NAMES
from policies.rules._scored import reason_for


def premoderation(ctx: Context) -> RuleResult | None:
    """Hold the comment unless every score is below its rule's ``clearly_fine_below``.

    Rules whose score crossed their ``hold`` threshold have given their reason already; this
    adds one for each rule whose score lies between ``clearly_fine_below`` and ``hold``.
    """
    if not ctx.policy.premoderation or ctx.scores is None:
        return None
    prefix = ctx.policy.premoderation_message
    reasons = []
    for name in RULE_NAMES:
        rule = ctx.policy.rules[name]
        rule_score = getattr(ctx.scores, name)
        if rule.clearly_fine_below <= rule_score.score < rule.hold:
            message = {lang: f"{prefix[lang]} {rule.moderator_message[lang]}" for lang in LANGUAGES}
            reasons.append(reason_for(name, rule, rule_score, rule.clearly_fine_below, message))
    return RuleResult(decision=HOLD, reasons=reasons) if reasons else None
