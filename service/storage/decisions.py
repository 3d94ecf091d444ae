"""Moderators' decisions as JSON lines, for retraining the classifier on them.

One line per reviewed comment revision, from its latest review: the text the moderator judged
(that revision's, not the comment's current one), the article and the parent's current text as
the classifier would see them, and the decision with its reason code and, when the moderator
contradicted the model, why. The file is the only
contract with training (``classifier.data.moderator_decisions`` reads it), so neither side imports
the other.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from service.storage.models import SECOND_REVIEW, Article, Comment, Reason, Review, Revision

_parent = aliased(Comment)
_parent_text = aliased(Revision)
# The latest review of each reviewed revision: a later decision overrides an earlier one.
_latest = sa.select(sa.func.max(Review.id).label("id")).group_by(Review.comment_id, Review.revision).subquery()

# One query for everything: a join per table, no lookups per row.
_DECISIONS = (
    sa.select(
        Review.comment_id,
        Review.revision,
        Review.decision,
        Review.reason_code,
        Review.overrule_reason,
        Review.decided_at,
        Comment.article_id,
        # The comment's language as posted, else its article's: training pairs by language.
        sa.func.coalesce(Comment.lang, Article.lang).label("lang"),
        Revision.text,
        _parent_text.text.label("parent_text"),
        Article.title,
        Article.body,
        Article.lang.label("article_lang"),
        Reason.code.label("automated_code"),
    )
    .join(_latest, _latest.c.id == Review.id)
    .join(Comment, Comment.id == Review.comment_id)
    .join(Article, Article.id == Comment.article_id)
    .join(Revision, sa.and_(Revision.comment_id == Review.comment_id, Revision.number == Review.revision))
    .outerjoin(_parent, _parent.id == Comment.parent_id)
    .outerjoin(_parent_text, sa.and_(_parent_text.comment_id == _parent.id, _parent_text.number == _parent.revision))
    .outerjoin(Reason, sa.and_(Reason.revision_id == Revision.id, Reason.position == 0))
    # Sent to second review: not decided yet, so nothing to learn from (an earlier decision on
    # the revision was contradicted by it).
    .where(Review.decision != SECOND_REVIEW)
    .order_by(Review.decided_at, Review.id)
)


def write_decisions(session: Session, out: TextIO) -> int:
    """Write the latest decision on every reviewed revision to ``out``, oldest first.

    :return: the number of decisions written.
    """
    count = 0
    with session.begin():
        # Streamed in batches: an export may hold every decision ever taken.
        for row in session.execute(_DECISIONS.execution_options(yield_per=1000)):
            out.write(json.dumps(_record(row), ensure_ascii=False) + "\n")
            count += 1
    return count


def _record(row: sa.Row) -> dict[str, Any]:
    """One decision as training reads it."""
    reason_code = row.reason_code
    if reason_code is None and row.decision == "reject":
        # A reject without a code is taken to be for the most severe reason the machine gave.
        reason_code = row.automated_code
    return {
        "id": row.comment_id,
        "revision": row.revision,
        "article_id": row.article_id,
        "lang": row.lang,
        "text": row.text,
        "parent_text": row.parent_text,
        "article": {"title": row.title, "body": row.body, "lang": row.article_lang},
        "decision": row.decision,
        "reason_code": reason_code,
        # Why the moderator contradicted the model (workspace decisions), e.g. QUOTE_OR_IRONY.
        "overrule_reason": row.overrule_reason,
        "decided_at": row.decided_at.isoformat(),
    }
