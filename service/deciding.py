"""A moderator's decision, the same whether it comes through the API or the workspace.

One code path for both, so that the 409 rules, the statement of reasons and the metrics cannot
differ between them.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies import review_statement
from service import metrics
from service.intake import current_policy
from service.storage import db
from service.storage.models import Comment
from service.storage.reviews import review_comment


@dataclass(frozen=True)
class Decider:
    """Who decides: an API key or a workspace user, and the name kept with the decision."""

    name: str
    api_key_id: int | None = None
    user_id: int | None = None


def decide(
    comment_id: str,
    decider: Decider,
    *,
    decision: str,
    reason_code: str | None = None,
    note: str | None = None,
    overrule_reason: str | None = None,
    version: int | None = None,
) -> tuple[Comment, bool]:
    """Record the decision with the statement of reasons the commenter now gets.

    :return: the comment and whether anything was recorded (False: a retry of the same).
    :raise service.storage.comments.NotFound: there is no such comment.
    :raise service.storage.comments.Conflict: the comment changed meanwhile.
    """
    statement = review_statement(current_policy(), decision, reason_code)
    comment, recorded = review_comment(
        db.session(),
        comment_id,
        decision=decision,
        moderator=decider.name,
        api_key_id=decider.api_key_id,
        user_id=decider.user_id,
        reason_code=reason_code,
        note=note,
        overrule_reason=overrule_reason,
        expected_version=version,
        statement_of_reasons=statement,
    )
    if recorded:
        metrics.reviewed(decision)
    return comment, recorded
