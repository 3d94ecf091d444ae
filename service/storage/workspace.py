"""What the moderators' workspace reads and undoes: queue pages with their context, counts.

Decisions themselves go through :func:`service.storage.comments.review_comment`, as the API's
do; only undoing one is the workspace's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from service.storage.database import writing
from service.storage.models import (
    SECOND_REVIEW,
    STATUS_BY_DECISION,
    STATUS_BY_REVIEW,
    Article,
    Comment,
    CommentView,
    Review,
    User,
    utcnow,
)
from service.storage.queue import filtered
from service.storage.reviews import Conflict, NotFound, undoable

#: How far back a card counts its author's rejected comments.
AUTHOR_WINDOW = timedelta(days=30)
#: How long the "being viewed by" marker lasts after the last sign of the viewer.
VIEWING = timedelta(seconds=60)
#: The spot-check queue: a share of the automatic approvals and rejections, for an audit.
SPOT_CHECK = "spot_check"
#: The queues, as the header lists them: the moderators' work first. All but second_review and
#: spot_check are statuses; second_review holds the held comments a moderator marked as possibly
#: illegal.
QUEUES = ("held", SECOND_REVIEW, SPOT_CHECK, "approved", "rejected")
#: Queue orders: how long the reader has waited, or the highest score.
ORDERS = {
    "oldest": (Comment.created_at, Comment.id),
    "urgent": (Comment.urgency.desc(), Comment.created_at, Comment.id),
}


@dataclass(frozen=True)
class Filters:
    """Which comments a queue page shows: a status, and optionally one article, reason, language."""

    status: str = "held"  # one of QUEUES
    article_id: str | None = None
    reason: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class QueueSummary:
    """The header's figures: comments per status, the oldest held, held comments per article."""

    counts: dict[str, int]  # by status, every status present
    oldest: datetime | None  # when the oldest held comment was posted (None: none held)
    held_by_article: list[tuple[str, str, int]]  # article id, title, held comments; most first


@dataclass(frozen=True)
class Cards:
    """A page of comments with what their cards show besides the comment."""

    comments: list[Comment]
    articles: dict[str, Article]
    parents: dict[str, Comment]  # the parents that are stored, by id
    rejected_by_author: dict[str, int]  # rejected within AUTHOR_WINDOW, for the page's authors


_later = aliased(Review)
#: Whether the latest review of the comment's current revision sent it to second review.
IN_SECOND_REVIEW = sa.exists().where(
    Review.comment_id == Comment.id, Review.revision == Comment.revision, Review.decision == SECOND_REVIEW,
    ~sa.exists().where(_later.comment_id == Review.comment_id, _later.revision == Review.revision,
                       _later.id > Review.id),
)
_REVIEWED = sa.exists().where(Review.comment_id == Comment.id, Review.revision == Comment.revision)


def in_spot_check(share: float) -> sa.ColumnElement[bool]:
    """Whether the comment is listed for a spot check: an automatic approval or rejection (no
    moderator decided its current revision) whose sample falls under ``share``."""
    return sa.and_(Comment.status.in_(("approved", "rejected")), Comment.spot_sample < share, ~_REVIEWED)


# The held figures are the first review's: comments in second review are counted apart.
# Only held comments can be in second review: the others (most of them) skip the probe.
_COUNTS = (sa.select(Comment.status, sa.func.count(), sa.func.min(Comment.created_at))
           .where(sa.or_(Comment.status != "held", ~IN_SECOND_REVIEW)).group_by(Comment.status))
_SECOND_REVIEW_COUNT = sa.select(sa.func.count()).where(Comment.status == "held", IN_SECOND_REVIEW)
_HELD_BY_ARTICLE = (
    sa.select(Article.id, Article.title, sa.func.count())
    .join(Comment, Comment.article_id == Article.id)
    .where(Comment.status == "held", ~IN_SECOND_REVIEW)
    .group_by(Article.id, Article.title)
    .order_by(sa.func.count().desc(), Article.id)
)


def summary(session: Session, *, spot_check_share: float) -> QueueSummary:
    """How many comments each queue holds, since when the oldest held waits, held per article."""
    with session.begin():
        rows = session.execute(_COUNTS).all()
        by_article = [tuple(row) for row in session.execute(_HELD_BY_ARTICLE)]
        second = session.scalar(_SECOND_REVIEW_COUNT)
        spot = session.scalar(sa.select(sa.func.count()).where(in_spot_check(spot_check_share)))
    counts = (dict.fromkeys(QUEUES, 0) | {status: count for status, count, _oldest in rows}
              | {SECOND_REVIEW: second, SPOT_CHECK: spot})
    # min() keeps the column's type: aware UTC.
    oldest = next((first for status, _count, first in rows if status == "held"), None)
    return QueueSummary(counts, oldest, by_article)


def new_held(session: Session, since: datetime) -> int:
    """How many held comments were posted after ``since``."""
    with session.begin():
        return session.scalar(sa.select(sa.func.count()).where(Comment.status == "held",
                                                               Comment.created_at > since))


def queue_cards(session: Session, filters: Filters, *, order: str, limit: int, spot_check_share: float) -> Cards:
    """The first ``limit`` comments of the queue in ``order`` (one of :data:`ORDERS`)."""
    query = _in_queue(sa.select(Comment), filters, spot_check_share)
    with session.begin():
        return _with_context(session, list(session.scalars(query.order_by(*ORDERS[order]).limit(limit))))


#: The most comments the article view shows.
ARTICLE_LIMIT = 500


def article_cards(session: Session, article_id: str) -> tuple[Article | None, Cards]:
    """An article and its comments (the first :data:`ARTICLE_LIMIT`, oldest first)."""
    query = (sa.select(Comment).where(Comment.article_id == article_id)
             .order_by(Comment.created_at, Comment.id).limit(ARTICLE_LIMIT))
    with session.begin():
        article = session.get(Article, article_id)
        return article, _with_context(session, [] if article is None else list(session.scalars(query)))


def comment_card(session: Session, comment_id: str) -> Cards:
    """One comment with its context (no comments if there is none with that id)."""
    with session.begin():
        comment = session.get(Comment, comment_id)
        return _with_context(session, [] if comment is None else [comment])


def _in_queue(query: sa.Select, filters: Filters, spot_check_share: float) -> sa.Select:
    """``query`` (of comments) kept to the queue and filters asked for."""
    if filters.status == SPOT_CHECK:
        return filtered(query.where(in_spot_check(spot_check_share)), status=None, article_id=filters.article_id,
                        reason=filters.reason, lang=filters.lang)
    status = "held" if filters.status == SECOND_REVIEW else filters.status
    query = filtered(query, status=status, article_id=filters.article_id, reason=filters.reason, lang=filters.lang)
    if status != "held":
        return query
    return query.where(IN_SECOND_REVIEW if filters.status == SECOND_REVIEW else ~IN_SECOND_REVIEW)


def _with_context(session: Session, comments: list[Comment]) -> Cards:
    """Load the comments' articles, parents and authors' rejections, one query each (in a transaction)."""
    article_ids = {comment.article_id for comment in comments}
    parent_ids = {comment.parent_id for comment in comments if comment.parent_id is not None}
    author_ids = {comment.author_id for comment in comments if comment.author_id is not None}
    articles = session.scalars(sa.select(Article).where(Article.id.in_(article_ids))) if article_ids else []
    parents = session.scalars(sa.select(Comment).where(Comment.id.in_(parent_ids))) if parent_ids else []
    rejected = session.execute(
        sa.select(Comment.author_id, sa.func.count())
        .where(Comment.author_id.in_(author_ids), Comment.status == "rejected",
               Comment.updated_at >= utcnow() - AUTHOR_WINDOW)
        .group_by(Comment.author_id)
    ) if author_ids else []
    return Cards(comments, {a.id: a for a in articles}, {p.id: p for p in parents}, dict(list(rejected)))


def mark_viewing(session: Session, user_id: int, comment_id: str) -> None:
    """Note that the user is looking at the comment now (replacing what they looked at before)."""
    with writing(session):
        if session.get(Comment, comment_id) is not None:
            session.merge(CommentView(user_id=user_id, comment_id=comment_id, seen_at=utcnow()))


def viewers(session: Session, comment_ids: list[str] | None, *, besides: int,
            within: timedelta) -> dict[str, list[str]]:
    """Who else looked at each of the comments (None: at any) within ``within``: usernames by
    comment id. Without ids the answer is still small: one comment per user at most."""
    if comment_ids == []:
        return {}
    query = (sa.select(CommentView.comment_id, User.username).join(User, User.id == CommentView.user_id)
             .where(CommentView.user_id != besides, CommentView.seen_at >= utcnow() - within)
             .order_by(User.username))
    if comment_ids is not None:
        query = query.where(CommentView.comment_id.in_(comment_ids))
    found: dict[str, list[str]] = {}
    with session.begin():
        for comment_id, username in session.execute(query):
            found.setdefault(comment_id, []).append(username)
    return found


class TooLate(Exception):
    """The undo window has passed: the decision stands (and has been released)."""


def undo_review(session: Session, comment_id: str, *, user_id: int, version: int,
                window: timedelta) -> Comment:
    """Take back the user's latest decision on the comment, within ``window`` of taking it.

    The review is deleted, not countermanded: within the window nothing has been released to
    the commenter, so to everyone else the decision never happened. The comment returns to the
    status of the decision that stands without it: an earlier moderator's on the same revision,
    else the automated one.

    :param version: the comment version the decision produced; any change since is a Conflict.
    :raise NotFound: there is no such comment.
    :raise Conflict: the comment changed since, or its latest decision is not this user's.
    :raise TooLate: the window has passed.
    """
    try:
        with writing(session):
            comment = session.get(Comment, comment_id)
            if comment is None:
                raise NotFound(comment_id)
            review = comment.review
            if review is None or review.user_id != user_id or comment.version != version:
                raise Conflict(comment)
            now = utcnow()
            if not undoable(review, window, now):
                raise TooLate(comment_id)
            comment.reviews.remove(review)
            # An earlier moderator decision on this revision stands again; else the automated one.
            earlier = comment.review
            comment.status = (STATUS_BY_REVIEW[earlier.decision] if earlier is not None
                              else STATUS_BY_DECISION[comment.current.decision])
            comment.updated_at = now
            # The UPDATE checks the version read above: a change in between matches no row.
            session.flush()
    except StaleDataError:
        with session.begin():  # the rollback expired the comment: read its current state
            comment = session.get(Comment, comment_id, populate_existing=True)
        raise Conflict(comment) from None
    return comment
