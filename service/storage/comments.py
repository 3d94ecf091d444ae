"""Comments: stored with their automated decision, and revised on edits."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from policies import Decision
from service.domain import Outcome, Submission
from service.storage.articles import put_article
from service.storage.database import atomic
from service.storage.jsonvalues import plain
from service.storage.models import (
    STATUS_BY_DECISION,
    Article,
    Comment,
    Reason,
    Revision,
    spot_sample,
    utcnow,
)


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
        spot_sample=spot_sample(submission.id),
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
