"""Comments: stored with their automated decision, revised on edits, reviewed by moderators."""

from __future__ import annotations

import enum
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from policies import Decision
from service.storage.articles import put_article
from service.storage.database import atomic, writing
from service.storage.models import (
    STATUS_BY_DECISION,
    Article,
    Comment,
    Reason,
    Review,
    Revision,
    utcnow,
)


@dataclass(frozen=True)
class Submission:
    """A comment as the site's backend sends it, already validated."""

    id: str
    text: str
    article_id: str
    parent_id: str | None = None
    author_id: str | None = None
    lang: str | None = None
    article: Mapping[str, Any] | None = None  # an inline article, stored with the comment


class Outcome(enum.Enum):
    """What storing a submission did."""

    CREATED = "created"
    UNCHANGED = "unchanged"  # same id and text as stored: nothing written
    EDITED = "edited"  # same id, new text: a new revision


class NotFound(LookupError):
    """No comment has the id asked for."""


class Conflict(Exception):
    """The comment changed since the caller saw it; ``comment`` is its current state."""

    def __init__(self, comment: Comment) -> None:
        super().__init__(f"comment {comment.id!r} changed meanwhile")
        self.comment = comment


class QueuePosition(NamedTuple):
    """Where a page of the queue ends: the sort key of its last comment."""

    urgency: float
    created_at: datetime
    id: str


def get_comment(session: Session, comment_id: str) -> Comment | None:
    """The comment with its revisions and reviews, or None."""
    with session.begin():
        return session.get(Comment, comment_id)


class ArticleRow(Protocol):
    """What moderating a comment reads of its stored article."""

    id: str
    title: str
    body: str


@dataclass(frozen=True)
class Context:
    """What moderating a set of submissions needs to know from the database."""

    articles: dict[str, ArticleRow]  # the stored articles asked for, by id
    texts: dict[str, str]  # the current text of the stored comments asked for, by id


# Built once: building a statement costs about as much as running it.
_ARTICLES = sa.select(Article.id, Article.title, Article.body).where(
    Article.id.in_(sa.bindparam("ids", expanding=True))
)
_TEXTS = (
    sa.select(Revision.comment_id, Revision.text)
    .join(Comment, Comment.id == Revision.comment_id)
    .where(Comment.id.in_(sa.bindparam("ids", expanding=True)), Revision.number == Comment.revision)
)


def load_context(
    session: Session, *, article_ids: Collection[str], comment_ids: Collection[str]
) -> Context:
    """Read the articles and current comment texts among the ids, in one transaction.

    Plain column queries: the articles are context for the classifier, not objects to change.
    """
    with session.begin():
        connection = session.connection()
        articles = connection.execute(_ARTICLES, {"ids": list(article_ids)})
        texts = connection.execute(_TEXTS, {"ids": list(comment_ids)})
        return Context(
            articles={article.id: article for article in articles},
            texts={comment_id: text for comment_id, text in texts},
        )


def save_comment(
    session: Session, submission: Submission, decision: Decision, *, new: bool = False
) -> tuple[Comment, Outcome]:
    """Store a new comment, or a new revision of an edited one, with the decision on it.

    Posting the same id and text again changes nothing and returns the stored comment. An edit
    keeps the earlier revisions and resets the status to the new decision's; an inline article
    is created or replaced in the same transaction.

    :param new: the caller found no comment with this id, so the first attempt inserts without
        looking again; if one was inserted meanwhile, the retry takes the usual path.
    """
    # Built before the transaction begins: on SQLite every other writer waits while it is open.
    created = _new_comment(submission, decision)
    return atomic(
        session,
        lambda attempt: _save(session, submission, decision, created, new=new and attempt == 0),
    )


def _save(
    session: Session, submission: Submission, decision: Decision, created: Comment, *, new: bool
) -> tuple[Comment, Outcome]:
    """The unit of work of :func:`save_comment`; ``created`` is stored if the id is new."""
    if submission.article is not None:
        put_article(session, submission.article)
    comment = None if new else session.get(Comment, submission.id)
    if comment is None:
        _insert(session, created)
        return created, Outcome.CREATED
    if comment.current.text == submission.text:
        return comment, Outcome.UNCHANGED
    comment.revision += 1
    revision = _revision(comment.revision, submission.text, decision)
    # One moment for both rows: the comment changed when its new revision was made.
    revision.created_at = comment.updated_at = utcnow()
    comment.revisions.append(revision)
    for name, value in _verdict(decision).items():
        setattr(comment, name, value)
    session.flush()
    return comment, Outcome.EDITED


def _new_comment(submission: Submission, decision: Decision) -> Comment:
    """The submission as a new comment with its first revision; not added to any session."""
    now = utcnow()
    revision = _revision(1, submission.text, decision)
    revision.comment_id, revision.created_at = submission.id, now
    return Comment(
        id=submission.id,
        article_id=submission.article_id,
        parent_id=submission.parent_id,
        author_id=submission.author_id,
        lang=submission.lang,
        revision=1,
        version=1,  # what the unit of work would set: the first value of version_id_col
        created_at=now,
        updated_at=now,
        revisions=[revision],
        reviews=[],
        **_verdict(decision),
    )


_INSERT = {model: sa.insert(model.__table__) for model in (Comment, Revision, Reason)}


def _insert(session: Session, comment: Comment) -> None:
    """Insert a new comment, its first revision and that revision's reasons: one INSERT each.

    Inserting through the unit of work (``session.add`` and ``flush``) costs about three times
    as much for the same rows, on the path every new comment takes; the comment stays out of
    the session. A concurrent insert of the same id fails here with an IntegrityError, see
    atomic().
    """
    revision = comment.current
    connection = session.connection()
    connection.execute(_INSERT[Comment], _columns(comment))
    revision.id = connection.execute(_INSERT[Revision], _columns(revision)).inserted_primary_key[0]
    for reason in revision.reasons:
        reason.revision_id = revision.id
    if revision.reasons:
        connection.execute(_INSERT[Reason], [_columns(reason) for reason in revision.reasons])


def _columns(row: Comment | Revision | Reason) -> dict[str, Any]:
    """The column values set on a new mapped object (the database fills in the others)."""
    values = sa.inspect(row).dict
    return {column.key: values[column.key] for column in row.__table__.columns if column.key in values}


def _verdict(decision: Decision) -> dict[str, Any]:
    """The comment columns that follow from the automated decision."""
    # A comment that could not be scored has no scores: it is as urgent as it gets.
    return {
        "status": STATUS_BY_DECISION[decision.decision],
        "urgency": max(decision.scores.values(), default=1.0),
    }


def _revision(number: int, text: str, decision: Decision) -> Revision:
    """A revision row for ``text`` with the decision and its reasons."""
    return Revision(
        number=number,
        text=text,
        decision=decision.decision,
        scores=plain(decision.scores),
        statement_of_reasons=decision.statement_of_reasons,
        model_version=decision.model_version,
        policy_version=decision.policy_version,
        reasons=[
            Reason(
                position=position,
                rule=reason.rule,
                code=reason.code,
                score=float(reason.score),
                threshold=float(reason.threshold),
                message=dict(reason.message),
                evidence=plain(
                    [
                        {"text": e.text, "start": e.start, "end": e.end, "weight": e.weight}
                        for e in reason.evidence
                    ]
                ),
                signals=plain(reason.signals),
            )
            for position, reason in enumerate(decision.reasons)
        ],
    )


def plain(value: Any) -> Any:
    """Turn classifier output into values every database stores as JSON.

    Tuples and sets become lists, numpy numbers Python numbers, NaN and infinities None
    (PostgreSQL refuses them in JSON), anything else its string form.
    """
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


def review_comment(
    session: Session,
    comment_id: str,
    *,
    decision: str,
    api_key_id: int,
    moderator: str,
    reason_code: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    statement_of_reasons: dict[str, str] | None = None,
) -> tuple[Comment, bool]:
    """Record a moderator's decision on the comment's current revision.

    A retry of the decision the same key last made on this revision (same decision, reason
    code and note) records nothing more and succeeds: the comment and False are returned.

    :param api_key_id: the moderator's API key.
    :param moderator: the key's name, kept with the decision.
    :param statement_of_reasons: what the commenter is now told (None once published).
    :param expected_version: the comment version the moderator saw. If given, the decision
        applies only to that version; if not, only if nobody has decided the current revision.
    :raise NotFound: there is no such comment.
    :raise Conflict: the comment changed or was decided meanwhile; carries its current state.
    """
    try:
        with writing(session):
            comment = session.get(Comment, comment_id)
            if comment is None:
                raise NotFound(comment_id)
            if _repeats_latest_review(comment, api_key_id, decision, reason_code, note,
                                      expected_version):
                return comment, False
            changed = _changed(comment, expected_version)
            if not changed:
                now = utcnow()  # the comment changed when the review was made
                comment.reviews.append(
                    Review(
                        revision=comment.revision,
                        decision=decision,
                        reason_code=reason_code,
                        note=note,
                        api_key_id=api_key_id,
                        moderator=moderator,
                        statement_of_reasons=statement_of_reasons,
                        decided_at=now,
                    )
                )
                comment.status = STATUS_BY_DECISION[decision]
                comment.updated_at = now
                # The UPDATE checks the version read above (version_id_col): if another
                # transaction changed the comment in between, it matches no row.
                session.flush()
    except StaleDataError:
        changed = True
        # The rollback expired the comment and its collections; a plain get would reload its
        # columns only, and the collections could not be read once the transaction is over.
        with session.begin():
            comment = session.get(Comment, comment_id, populate_existing=True)
    # Raised after the transaction: a rollback would expire the comment the caller needs.
    if changed:
        raise Conflict(comment)
    return comment, True


def _repeats_latest_review(comment: Comment, api_key_id: int, decision: str,
                           reason_code: str | None, note: str | None,
                           expected_version: int | None) -> bool:
    """Whether this decision is what the same key last decided on the current revision, sent
    again with the version seen before that decision or after it (or none)."""
    review = comment.review
    return (
        review is not None
        and expected_version in (None, comment.version - 1, comment.version)
        and (review.api_key_id, review.decision, review.reason_code, review.note)
        == (api_key_id, decision, reason_code, note)
    )


def _changed(comment: Comment, expected_version: int | None) -> bool:
    """Whether the comment changed since the moderator saw it.

    Without the version they saw, a decision on the current revision counts as a change.
    """
    if expected_version is None:
        return comment.review is not None
    return comment.version != expected_version


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
    :param reason: only comments whose current revision has a reason with this code.
    :return: the comments and the position to continue from, None on the last page.
    """
    query = sa.select(Comment).where(Comment.status == status)
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
