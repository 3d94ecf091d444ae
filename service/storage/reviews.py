"""Moderators' reviews: a decision on a comment's current revision, refused if it changed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from service.storage.database import writing
from service.storage.models import STATUS_BY_REVIEW, Comment, Review, utcnow


class NotFound(LookupError):
    """No comment has the id asked for."""


class Conflict(Exception):
    """The comment changed since the caller saw it; ``comment`` is its current state."""

    def __init__(self, comment: Comment) -> None:
        super().__init__(f"comment {comment.id!r} changed meanwhile")
        self.comment = comment


def review_comment(
    session: Session,
    comment_id: str,
    *,
    decision: str,
    moderator: str,
    api_key_id: int | None = None,
    user_id: int | None = None,
    reason_code: str | None = None,
    note: str | None = None,
    overrule_reason: str | None = None,
    expected_version: int | None = None,
    statement_of_reasons: dict[str, str] | None = None,
) -> tuple[Comment, bool]:
    """Record a moderator's decision on the comment's current revision.

    A retry of the decision the same key or user last made on this revision (same decision,
    reason code and note) records nothing more and succeeds: the comment and False are returned.

    :param moderator: the key's or the user's name, kept with the decision.
    :param api_key_id: the moderator's API key, or ``user_id``: the workspace user who decided.
    :param overrule_reason: why the moderator contradicted the model, if they did.
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
            if _repeats_latest_review(comment, (api_key_id, user_id), decision, reason_code, note,
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
                        user_id=user_id,
                        moderator=moderator,
                        overrule_reason=overrule_reason,
                        statement_of_reasons=statement_of_reasons,
                        decided_at=now,
                    )
                )
                comment.status = STATUS_BY_REVIEW[decision]
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


def undoable(review: Review, window: timedelta, now: datetime) -> bool:
    """Whether the review may still be undone at ``now``; until then its statement of reasons is
    withheld from the commenter. Only a workspace user's decision can be undone: an API key's
    stands at once."""
    return review.user_id is not None and now - review.decided_at <= window


def _repeats_latest_review(comment: Comment, decider: tuple[int | None, int | None], decision: str,
                           reason_code: str | None, note: str | None,
                           expected_version: int | None) -> bool:
    """Whether this decision is what the same key or user (``decider``: key id, user id) last
    decided on the current revision, sent again with the version seen before that decision or
    after it (or none)."""
    review = comment.review
    return (
        review is not None
        and expected_version in (None, comment.version - 1, comment.version)
        and (review.api_key_id, review.user_id, review.decision, review.reason_code, review.note)
        == (*decider, decision, reason_code, note)
    )


def _changed(comment: Comment, expected_version: int | None) -> bool:
    """Whether the comment changed since the moderator saw it.

    Without the version they saw, a decision on the current revision counts as a change.
    """
    if expected_version is None:
        return comment.review is not None
    return comment.version != expected_version
