"""The moderation queue: comments of one status, most urgent first, a page at a time."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.domain import QueuePosition
from service.storage.models import Comment, Reason, Revision


def filtered(
    query: sa.Select,
    *,
    status: str | None,
    article_id: str | None = None,
    reason: str | None = None,
    lang: str | None = None,
) -> sa.Select:
    """``query`` (of comments) kept to one status (None: any) and the filters given.

    :param reason: only comments whose current revision has a reason with this code.
    """
    if status is not None:
        query = query.where(Comment.status == status)
    if article_id is not None:
        query = query.where(Comment.article_id == article_id)
    if lang is not None:
        query = query.where(Comment.lang == lang)
    if reason is not None:
        query = query.where(
            sa.exists()
            .where(Revision.comment_id == Comment.id, Revision.number == Comment.revision)
            .where(Reason.revision_id == Revision.id, Reason.code == reason)
        )
    return query


def queue_page(
    session: Session,
    *,
    status: str,
    limit: int,
    after: QueuePosition | None = None,
    article_id: str | None = None,
    reason: str | None = None,
    lang: str | None = None,
) -> tuple[list[Comment], QueuePosition | None]:
    """One page of the moderation queue, most urgent first, then oldest first.

    :param after: where the previous page ended; None for the first page.
    :param reason: see :func:`filtered`.
    :return: the comments and the position to continue from, None on the last page.
    """
    query = filtered(sa.select(Comment), status=status, article_id=article_id, reason=reason, lang=lang)
    if after is not None:
        query = query.where(
            sa.or_(
                Comment.urgency < after.urgency,
                sa.and_(Comment.urgency == after.urgency, Comment.created_at > after.created_at),
                sa.and_(
                    Comment.urgency == after.urgency,
                    Comment.created_at == after.created_at,
                    Comment.id > after.id,
                ),
            )
        )
    query = query.order_by(Comment.urgency.desc(), Comment.created_at, Comment.id)
    with session.begin():
        comments = list(session.scalars(query.limit(limit + 1)))
    if len(comments) <= limit:
        return comments, None
    last = comments[limit - 1]
    return comments[:limit], QueuePosition(last.urgency, last.created_at, last.id)
