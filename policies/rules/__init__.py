"""The site's moderation policy, readable as an ordered list of rules.

Every rule runs and the most severe decision wins (see :mod:`policies.pipeline`), so the order
does not change the decision; it is the order in which equally severe reasons are listed.
"""

from __future__ import annotations

from policies.pipeline import Rule
from policies.rules.on_topic import on_topic
from policies.rules.premoderation import premoderation
from policies.rules.respectful import respectful
from policies.rules.scorer_failure import scorer_failure
from policies.rules.spam import spam

RULES: tuple[Rule, ...] = (
    # Content checks: one per rule of the site, on the classifier's scores.
    respectful,
    on_topic,
    spam,
    # System: no scores, so a person decides.
    scorer_failure,
    # Fallbacks: in premoderation mode, hold whatever is not clearly fine.
    premoderation,
)
