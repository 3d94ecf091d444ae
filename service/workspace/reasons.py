"""Why a moderator contradicts the model: asked on every overrule, stored for retraining.

Fixed here rather than in the policy file: they describe the model's mistakes, not the site's
rules, and training reads the codes.
"""

from __future__ import annotations

OVERRULE_REASONS = ("QUOTE_OR_IRONY", "REPORTING", "WRONGLY_OFF_TOPIC", "MODEL_MISSED", "OTHER")


def overrules(automated: str, decision: str) -> bool:
    """Whether a moderator's ``decision`` contradicts the model's ``automated`` one.

    Approving what the model held or rejected, or rejecting what it approved.
    """
    return (decision == "approve") != (automated == "approve")
