"""The site's moderation policy, readable as an ordered list of rules.

Every rule runs and the most severe decision wins (see :mod:`policies.pipeline`), so the order
does not change the decision; it is the order in which equally severe reasons are listed.
"""

from __future__ import annotations

from policies.pipeline import Rule
from policies.policy import Policy
from policies.rules.premoderation import premoderation
from policies.rules.scored import ScoredRule
from policies.rules.scorer_failure import scorer_failure


def rules_for(policy: Policy) -> tuple[Rule, ...]:
    """The rules that decide under ``policy``."""
    return (
        # Content checks: the policy file's rules, in its order, each on the scores it names.
        *(ScoredRule(name) for name in policy.rules),
        # System: no scores, so a person decides.
        scorer_failure,
        # Fallbacks: in premoderation mode, hold whatever is not clearly fine.
        premoderation,
    )
