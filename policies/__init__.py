"""Moderation policy: turns the classifier's scores into approve / hold / reject, with reasons.

The site's rules are data (``default.json``, see :mod:`policies.schema`): each names the
classifier's scores it judges (:mod:`classifier.scores`), its thresholds and its texts. The rules
that apply them are listed in :mod:`policies.rules`. No HTTP and no training here.
"""

from policies.decision import Decision, Reason
from policies.engine import decide
from policies.loader import load_policy
from policies.policy import Policy, PolicyError
from policies.statement import review_statement

__all__ = ["Decision", "Policy", "PolicyError", "Reason", "decide", "load_policy", "review_statement"]
