"""The tables: articles, comments with their revisions and reasons, moderator reviews, API keys,
the workspace's users and their failed log-ins.

A comment keeps every version of its text as a :class:`Revision` (the first one included), each
with the automated decision on it; the comment row holds what the queue sorts and filters on.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: Stable constraint names, so that later migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID_LENGTH = 128  # external ids (articles, comments, authors), see service.schemas

#: Comment statuses, from the automated decision or a moderator's.
STATUS_BY_DECISION = {"approve": "approved", "hold": "held", "reject": "rejected"}
STATUSES = tuple(STATUS_BY_DECISION.values())
#: What a moderator can decide.
REVIEW_DECISIONS = ("approve", "reject")
#: Not a decision: "possibly illegal", the comment is held for a second moderator (workspace only).
SECOND_REVIEW = "second_review"
#: What a moderator's review can record, and the comment's status after it.
STATUS_BY_REVIEW = {"approve": "approved", "reject": "rejected", SECOND_REVIEW: "held"}
REVIEW_OUTCOMES = tuple(STATUS_BY_REVIEW)
#: API key roles; admin may do everything.
ROLES = ("backend", "moderator", "admin")
#: Roles of the workspace's users (people, not programs: no backend).
USER_ROLES = ("moderator", "admin")


def spot_sample(comment_id: str) -> float:
    """A number in [0, 1) fixed by the comment id: the comment is spot-checked when it is below
    the share (MODERATION_SPOT_CHECK_SHARE), so every worker picks the same comments."""
    return int.from_bytes(hashlib.sha256(comment_id.encode()).digest()[:4], "big") / 2**32


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp that goes in and comes out timezone-aware in UTC on every database.

    SQLite has no time zones: it stores the naive UTC time, and the zone is put back on read.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Normalise to UTC before storing."""
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Return an aware UTC timestamp."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    """A check constraint that keeps ``column`` to ``values``."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=column)


class Base(DeclarativeBase):
    """Declarative base with the naming convention and the project's column types."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: sa.JSON()}


class Article(Base):
    """An article of the site, the context the on-topic rule compares comments with."""

    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True)
    title: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)
    url: Mapped[str | None] = mapped_column(sa.Text)
    lang: Mapped[str | None] = mapped_column(sa.String(16))
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Comment(Base):
    """A comment, its current status and what the queue needs to order it.

    ``version`` is bumped on every change and checked on every update (optimistic locking):
    two moderators deciding at once, or a decision racing an edit, cannot both win.
    """

    __tablename__ = "comments"
    __table_args__ = (
        _one_of("status", STATUSES),
        sa.Index("ix_comments_queue", "status", "urgency", "created_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True)
    article_id: Mapped[str] = mapped_column(sa.ForeignKey("articles.id"), index=True)
    # Not a foreign key: a reply may arrive for a parent the service has never seen.
    parent_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    author_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    lang: Mapped[str | None] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16))
    revision: Mapped[int]  # number of the current revision
    # The highest violation score of the current revision: the queue shows the worst first.
    urgency: Mapped[float]
    # spot_sample(id): whether an automatic decision on the comment is listed for a spot check.
    spot_sample: Mapped[float] = mapped_column(index=True)
    version: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    revisions: Mapped[list[Revision]] = relationship(
        order_by="Revision.number", lazy="selectin", cascade="all, delete-orphan"
    )
    reviews: Mapped[list[Review]] = relationship(
        order_by="Review.id", lazy="selectin", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def current(self) -> Revision:
        """The revision the comment shows now."""
        return self.revisions[-1]

    @property
    def review(self) -> Review | None:
        """The latest moderator decision on the current revision, if any."""
        return next((r for r in reversed(self.reviews) if r.revision == self.revision), None)


class Revision(Base):
    """One version of a comment's text and the automated decision on it."""

    __tablename__ = "comment_revisions"
    __table_args__ = (
        sa.UniqueConstraint("comment_id", "number"),
        _one_of("decision", tuple(STATUS_BY_DECISION)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[str] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    decision: Mapped[str] = mapped_column(sa.String(16))
    scores: Mapped[dict[str, Any]]
    statement_of_reasons: Mapped[dict[str, Any] | None]
    model_version: Mapped[str] = mapped_column(sa.String(128))
    policy_version: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reasons: Mapped[list[Reason]] = relationship(
        order_by="Reason.position", lazy="selectin", cascade="all, delete-orphan"
    )


class Reason(Base):
    """A rule that fired on a revision: its reason code, score, message and evidence."""

    __tablename__ = "revision_reasons"

    revision_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comment_revisions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)  # most severe first
    rule: Mapped[str] = mapped_column(sa.String(32))
    code: Mapped[str] = mapped_column(sa.String(32), index=True)
    score: Mapped[float]
    threshold: Mapped[float]
    message: Mapped[dict[str, Any]]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    signals: Mapped[dict[str, Any]]


class Review(Base):
    """A moderator's decision on one revision of a comment: what, who and when."""

    __tablename__ = "reviews"
    __table_args__ = (_one_of("decision", REVIEW_OUTCOMES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[str] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int]
    decision: Mapped[str] = mapped_column(sa.String(16))
    reason_code: Mapped[str | None] = mapped_column(sa.String(32))
    note: Mapped[str | None] = mapped_column(sa.Text)
    # Who decided: an API key, or a user of the workspace (one of the two).
    api_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_keys.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    moderator: Mapped[str] = mapped_column(sa.String(200))  # the key's or user's name at the time
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the commenter is told now that a person decided (None: published).
    statement_of_reasons: Mapped[dict[str, Any] | None]
    # Why the moderator contradicted the model (see service.workspace.reasons), for retraining.
    overrule_reason: Mapped[str | None] = mapped_column(sa.String(32))


class ApiKey(Base):
    """An API key: only its SHA-256 hash is stored, never the key."""

    __tablename__ = "api_keys"
    __table_args__ = (_one_of("role", ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(16))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """A person who logs in to the workspace; only a salted scrypt hash of the password is kept."""

    __tablename__ = "users"
    __table_args__ = (_one_of("role", USER_ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # None: the browser's Accept-Language decides.
    language: Mapped[str | None] = mapped_column(sa.String(8))
    disabled: Mapped[bool] = mapped_column(default=False)
    # False: single-letter keys are off for this user (WCAG 2.1.4); the buttons still work.
    shortcuts: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginFailure(Base):
    """One failed log-in, counted per username and per address to throttle guessing.

    In the database rather than in memory, so that every gunicorn worker counts the same.
    """

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    address: Mapped[str] = mapped_column(sa.String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CommentView(Base):
    """Which comment a workspace user has selected, and when: the "being viewed by" marker.

    One row per user (a moderator looks at one comment at a time); it expires by age.
    """

    __tablename__ = "comment_views"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    comment_id: Mapped[str] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    seen_at: Mapped[datetime]
