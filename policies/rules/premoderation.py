"""Rule: in premoderation mode, publish only what is clearly fine."""

from __future__ import annotations

from policies.decision import HOLD
from policies.pipeline import Context, RuleResult, reading
from policies.policy import LANGUAGES, Policy
from policies.rules.scored import reason_for, rule_score


def _every_rules_scores(policy: Policy) -> tuple[str, ...]:
    """The scores that any rule of the policy names, each once."""
    return tuple(dict.fromkeys(name for rule in policy.rules.values() for name in rule.scores))


@reading(_every_rules_scores)
def premoderation(ctx: Context) -> RuleResult | None:
    """Hold the comment unless every rule's score is below the rule's ``clearly_fine_below``.

    Rules whose score crossed their ``hold`` threshold have given their reason already; this
    adds one for each rule whose score lies between ``clearly_fine_below`` and ``hold``.
    """
    if not ctx.policy.premoderation or ctx.scores is None:
        return None
    prefix = ctx.policy.premoderation_message
    reasons = []
    for name, rule in ctx.policy.rules.items():
        score = rule_score(rule, ctx.scores)
        if rule.clearly_fine_below <= score.score < rule.hold:
            message = {lang: f"{prefix[lang]} {rule.moderator_message[lang]}" for lang in LANGUAGES}
            reasons.append(reason_for(name, rule, score, rule.clearly_fine_below, message))
    return RuleResult(decision=HOLD, reasons=reasons) if reasons else None
