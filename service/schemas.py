"""The shape of every request and response, and so of the OpenAPI document.

Input schemas validate (types, lengths, allowed values, storable characters) and load into
the objects the views hand on; output schemas dump the stored objects. Component names in the
OpenAPI document are the class names without ``Schema``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from classifier.scores import REASON_CODES, SCORES
from common import settings
from policies import load_policy
from policies.policy import SYSTEM
from service.domain import QueuePosition, Submission
from service.storage.models import (
    ID_LENGTH,
    REVIEW_DECISIONS,
    REVIEW_OUTCOMES,
    SECOND_REVIEW,
    STATUSES,
    Review,
    utcnow,
)
from service.storage.reviews import undoable

MAX_BATCH = 100
QUEUE_LIMIT = 50
MAX_QUEUE_LIMIT = 200

#: What an id chosen by the site's backend may look like (also in URL paths).
ID_PATTERN = rf"[A-Za-z0-9][A-Za-z0-9._:-]{{0,{ID_LENGTH - 1}}}"
# validate.Regexp only anchors at the start: \Z anchors the end (unlike $, not before a \n).
ID = re.compile(ID_PATTERN + r"\Z")
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")
# Neither PostgreSQL nor UTF-8 can store these; JSON can carry them ("\u0000", "\ud800").
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class Text(fields.String):
    """A string every database can store: no NUL character, no unpaired surrogate."""

    default_error_messages = {
        "unstorable": "Contains a NUL character or an unpaired surrogate, which cannot be stored."
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if _UNSTORABLE.search(text):
            raise self.make_error("unstorable")
        return text


class Url(Text, fields.Url):
    """A URL every database can store: the URL check lets both through in a path, query or
    fragment (``https://example.org/?q=\\u0000``)."""


def _not_blank(value: str) -> None:
    """Refuse text with nothing to read: empty, whitespace or invisible characters only."""
    if not any(not char.isspace() and unicodedata.category(char) != "Cf" for char in value):
        raise ValidationError("Must not be empty or only whitespace or invisible characters.")


def _within_comment_limit(value: str) -> None:
    """Refuse comments longer than the configured MAX_COMMENT_CHARS."""
    limit = current_app.config["MAX_COMMENT_CHARS"]
    if len(value) > limit:
        raise ValidationError(f"Longer than the limit of {limit} characters ({len(value)}).")


class UtcDateTime(fields.AwareDateTime):
    """A time with a zone (none given: UTC), loaded as UTC: the answer to a POST shows it as
    every later GET does, and a time with no UTC equivalent (year 1, +02:00) is refused."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("default_timezone", UTC)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        loaded = super()._deserialize(value, attr, data, **kwargs)
        try:
            return loaded.astimezone(UTC)
        except OverflowError as error:
            raise ValidationError("Out of the range of dates.") from error


def _id(**kwargs: Any) -> Text:
    """A field for an id chosen by the site's backend (articles, comments, authors)."""
    return Text(
        validate=validate.Regexp(
            ID,
            error=f"Must be 1 to {ID_LENGTH} characters: letters, digits and . _ : - "
            "(starting with a letter or digit).",
        ),
        **kwargs,
    )


def _lang(**kwargs: Any) -> Text:
    """A field for a language tag such as ``de`` or ``de-AT``."""
    return Text(
        validate=[validate.Length(max=16), validate.Regexp(_LANG, error="Not a language tag.")],
        **kwargs,
    )


def _code(**kwargs: Any) -> fields.String:
    """A field for a reason code (Coral Talk's codes)."""
    return fields.String(validate=validate.OneOf(REASON_CODES), **kwargs)


# --- Input ---------------------------------------------------------------------------------


class InputSchema(Schema):
    """A JSON object sent by a client; anything else is refused in these words."""

    error_messages = {"type": "Must be a JSON object."}


class ArticleInputSchema(InputSchema):
    """An article of the site; posting it again replaces it."""

    id = _id(required=True)
    title = Text(required=True, validate=[_not_blank, validate.Length(max=1000)])
    body = Text(load_default="", validate=validate.Length(max=200_000))
    url = Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=2048))
    lang = _lang(allow_none=True)
    published_at = UtcDateTime(allow_none=True)


class CommentInputSchema(InputSchema):
    """A comment to moderate, with either ``article_id`` or an inline ``article``."""

    id = _id(required=True)
    article_id = _id(metadata={"description": "An article stored with POST /v1/articles."})
    article = fields.Nested(
        ArticleInputSchema,
        metadata={"description": "The article, stored or replaced along with the comment."},
    )
    text = Text(
        required=True,
        validate=[_not_blank, _within_comment_limit],
        metadata={"description": f"At most {settings.MAX_COMMENT_CHARS.variable} characters "
                                 f"({settings.MAX_COMMENT_CHARS.default})."},
    )
    parent_id = _id(allow_none=True, metadata={"description": "The comment this one answers."})
    author_id = _id(allow_none=True)
    lang = _lang(allow_none=True)

    @validates_schema
    def _one_article(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Require exactly one way of naming the article."""
        if ("article_id" in data) == ("article" in data):
            raise ValidationError(
                "Give either 'article_id' or an inline 'article', not both or neither.",
                "article_id",
            )

    @validates_schema
    def _not_own_parent(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """A comment cannot answer itself."""
        if data.get("parent_id") is not None and data.get("parent_id") == data.get("id"):
            raise ValidationError("A comment cannot answer itself.", "parent_id")

    @post_load
    def _submission(self, data: dict[str, Any], **_kwargs: Any) -> Submission:
        """Load into the object the intake works with."""
        article = data.pop("article", None)
        article_id = data.pop("article_id", None) or article["id"]
        return Submission(article_id=article_id, article=article, **data)


class InvalidItem:
    """A batch item that did not validate; ``messages`` are marshmallow's errors."""

    def __init__(self, value: Any, messages: Any) -> None:
        self.messages = messages
        #: The item's id if it has a usable one, so that the caller can match the result.
        self.id = value.get("id") if isinstance(value, dict) else None
        if not isinstance(self.id, str):
            self.id = None


class EachItem(fields.Nested):
    """A nested object whose validation errors stay with the item instead of failing its list.

    A batch reports errors per comment, so one bad comment (``null`` included) must not reject
    the others.
    """

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None,
                    **kwargs: Any) -> Any:
        try:
            return super().deserialize(value, attr, data, **kwargs)
        except ValidationError as error:
            return InvalidItem(value, error.messages)


class BatchInputSchema(InputSchema):
    """Up to 100 comments, moderated and stored one by one."""

    comments = fields.List(
        EachItem(CommentInputSchema), required=True, validate=validate.Length(1, MAX_BATCH)
    )


class DecisionInputSchema(InputSchema):
    """A moderator's decision on a comment."""

    decision = fields.String(required=True, validate=validate.OneOf(REVIEW_DECISIONS))
    reason_code = _code(allow_none=True)
    note = Text(allow_none=True, validate=validate.Length(max=2000))
    version = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1),
        metadata={
            "description": "The comment version the moderator saw: if the comment changed "
            "since, the decision is refused with 409. Without it, a comment whose current "
            "revision was already decided is refused."
        },
    )


class Cursor(fields.String):
    """An opaque position in the queue, as handed out in ``next_cursor``."""

    default_error_messages = {"invalid": "Not a cursor this API handed out."}

    def _serialize(self, value: QueuePosition | None, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        raw = json.dumps([value.urgency, value.created_at.isoformat(), value.id])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> QueuePosition:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            urgency, created_at, comment_id = json.loads(
                base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            )
            if not (isinstance(urgency, int | float) and not isinstance(urgency, bool)
                    and isinstance(created_at, str) and isinstance(comment_id, str)):
                raise TypeError("not the types of a cursor")
            position = QueuePosition(
                float(urgency), datetime.fromisoformat(created_at), comment_id
            )
            # Compared with stored UTC times: a time without UTC equivalent cannot be.
            position.created_at.astimezone(UTC)
        except (ValueError, TypeError, OverflowError, RecursionError, binascii.Error) as error:
            raise self.make_error("invalid") from error
        if (not math.isfinite(position.urgency) or position.created_at.tzinfo is None
                or not ID.match(position.id)):
            raise self.make_error("invalid")
        return position


class QueueArgsSchema(Schema):
    """Filters and paging of the moderation queue."""

    status = fields.String(load_default="held", validate=validate.OneOf(STATUSES))
    article_id = _id()
    reason = _code(metadata={"description": "Only comments with a reason of this code."})
    lang = _lang()
    limit = fields.Integer(
        load_default=QUEUE_LIMIT,
        validate=validate.Range(min=1),
        metadata={"description": f"Comments per page; more than {MAX_QUEUE_LIMIT} is capped."},
    )
    cursor = Cursor(metadata={"description": "The next_cursor of the previous page."})

    @post_load
    def _cap(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """Cap the page size, so that one request cannot ask for the whole table."""
        data["limit"] = min(data["limit"], MAX_QUEUE_LIMIT)
        return data


# --- Output --------------------------------------------------------------------------------


class LocalizedSchema(Schema):
    """A text in German and English."""

    de = fields.String()
    en = fields.String()


class EvidenceSchema(Schema):
    """A span of the comment that drove a score; ``text`` is ``comment[start:end]``."""

    text = fields.String()
    start = fields.Integer()
    end = fields.Integer()
    weight = fields.Float(metadata={"description": "Contribution to the rule's log-odds."})


class ReasonSchema(Schema):
    """A rule that fired, with what a moderator needs to act on it."""

    rule = fields.String(
        metadata={
            "description": "A rule of the policy (the default policy's: "
            f"{', '.join(load_policy().rules)}) or {SYSTEM}: the comment could not be scored."
        }
    )
    code = fields.String(metadata={"enum": list(REASON_CODES)})
    score = fields.Float(metadata={"description": "Probability that the rule is broken."})
    threshold = fields.Float(metadata={"description": "The threshold the score reached."})
    message = fields.Nested(LocalizedSchema, metadata={"description": "For moderators."})
    evidence = fields.List(fields.Nested(EvidenceSchema))
    signals = fields.Dict(metadata={"description": "Further facts behind the score."})


#: The scores the policy's rules read, one field per score of :data:`classifier.scores.SCORES`
#: (absent when the comment could not be scored).
ScoresSchema = Schema.from_dict(
    {
        spec.name: fields.Float(
            metadata={"description": f"{spec.measures} Languages: {', '.join(spec.languages)}."}
        )
        for spec in SCORES
    },
    name="ScoresSchema",
)


class VerdictSchema(Schema):
    """A text and the automated decision on it."""

    text = fields.String()
    decision = fields.String(metadata={"enum": ["approve", "hold", "reject"]})
    reasons = fields.List(fields.Nested(ReasonSchema))
    scores = fields.Nested(ScoresSchema)
    statement_of_reasons = fields.Nested(
        LocalizedSchema,
        allow_none=True,
        metadata={"description": "What the commenter may be shown on a hold or reject."},
    )
    model_version = fields.String()
    policy_version = fields.String()


class RevisionSchema(VerdictSchema):
    """One version of a comment's text, with the decision on it."""

    number = fields.Integer()
    created_at = fields.DateTime()


def withheld_until(review: Review | None) -> datetime | None:
    """When the statement of reasons of a workspace decision still in its undo window
    (MODERATION_UNDO_SECONDS) reaches the commenter; None when it is not withheld."""
    if review is None or review.statement_of_reasons is None:
        return None
    window = timedelta(seconds=current_app.config["UNDO_SECONDS"])
    return review.decided_at + window if undoable(review, window, utcnow()) else None


class ReviewSchema(Schema):
    """A moderator's decision: what, on which revision, who and when."""

    decision = fields.String(metadata={
        "enum": list(REVIEW_OUTCOMES),
        "description": "second_review: not a decision; a workspace moderator marked the comment as "
                       "possibly illegal and it stays held for a second one.",
    })
    reason_code = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    revision = fields.Integer()
    moderator = fields.String(metadata={"description": "The name of the moderator's API key or workspace user."})
    decided_at = fields.DateTime()
    statement_of_reasons = fields.Nested(
        LocalizedSchema,
        allow_none=True,
        metadata={"description": "What the commenter may be shown after this decision; null while "
                                 "it is withheld (see the comment's statement_withheld_until)."},
    )

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """Withhold the statement while the decision may still be undone."""
        if attr == "statement_of_reasons" and withheld_until(obj) is not None:
            return None
        return super().get_attribute(obj, attr, default)


class CommentSchema(VerdictSchema):
    """A stored comment: its current text, the automated decision and its status."""

    id = fields.String()
    article_id = fields.String()
    parent_id = fields.String(allow_none=True)
    author_id = fields.String(allow_none=True)
    lang = fields.String(allow_none=True)
    status = fields.String(
        metadata={
            "enum": list(STATUSES),
            "description": "The automated decision's, until a moderator decides.",
        }
    )
    revision = fields.Integer(metadata={"description": "Number of the current revision."})
    version = fields.Integer(metadata={"description": "Changes with every update."})
    review = fields.Nested(ReviewSchema, allow_none=True)
    statement_withheld_until = fields.DateTime(
        allow_none=True,
        metadata={"description": "While a workspace moderator's decision may still be undone: when its "
                                 "statement of reasons is released (statement_of_reasons is null until "
                                 "then). Else null."},
    )
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """Read the verdict fields from the comment's current revision.

        The statement of reasons is the moderator's once a person decided: the commenter must
        no longer read that the decision was automatic; it is withheld while the decision may
        still be undone. A second review decides nothing yet.
        """
        if attr == "statement_withheld_until":
            return withheld_until(obj.review)
        if attr == "statement_of_reasons" and obj.review is not None and obj.review.decision != SECOND_REVIEW:
            return None if withheld_until(obj.review) is not None else obj.review.statement_of_reasons
        source = obj.current if attr in VerdictSchema._declared_fields else obj
        return super().get_attribute(source, attr, default)


class CommentDetailSchema(CommentSchema):
    """A stored comment with its whole history."""

    revisions = fields.List(fields.Nested(RevisionSchema))
    reviews = fields.List(fields.Nested(ReviewSchema))


class ArticleSchema(ArticleInputSchema):
    """A stored article."""

    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProblemSchema(Schema):
    """An error, as RFC 9457 problem details."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"description": "The HTTP status phrase."})
    status = fields.Integer()
    detail = fields.String(metadata={"description": "What was wrong, in plain words."})
    instance = fields.String(metadata={"description": "The path of the request."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages by field (dotted paths for nested fields)."},
    )


class ConflictSchema(ProblemSchema):
    """The comment changed meanwhile; ``comment`` is its current state."""

    comment = fields.Nested(CommentSchema)


class BatchItemSchema(Schema):
    """The result for one comment of a batch: the stored comment or the problem with it."""

    index = fields.Integer(metadata={"description": "Position of the comment in the request."})
    id = fields.String(allow_none=True)
    status = fields.Integer(metadata={"description": "201, 200, 409 or 422, as for one comment."})
    comment = fields.Nested(CommentSchema)
    error = fields.Nested(ProblemSchema)


class BatchResultSchema(Schema):
    """One result per comment of the batch, in the order of the request."""

    results = fields.List(fields.Nested(BatchItemSchema))


class QueuePageSchema(Schema):
    """A page of the moderation queue, most urgent first."""

    items = fields.List(fields.Nested(CommentSchema))
    next_cursor = Cursor(allow_none=True, metadata={"description": "None on the last page."})


class HealthSchema(Schema):
    """The process is up."""

    status = fields.String(metadata={"example": "ok"})


class ReadinessSchema(Schema):
    """The service can moderate: a model is loaded and the database answers."""

    status = fields.String(metadata={"example": "ready"})
    model_version = fields.String()
    policy_version = fields.String()


class NotReadySchema(ProblemSchema):
    """What the service is waiting for."""

    checks = fields.Dict(keys=fields.String(), values=fields.String())
