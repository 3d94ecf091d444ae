"""The format of a policy file, as marshmallow schemas; loading one yields a :class:`Policy`.

A policy file is a JSON object (``default.json`` is the site's)::

    version                 non-empty string, stamped on every decision
    premoderation           true: approve only comments that are clearly fine on every rule
    rules                   exactly "respectful", "on_topic" and "spam", each with
        code                ABUSIVE | OFFENSIVE | HATE_SPEECH | IRRELEVANT_CONTENT | SPAM | OTHER
        hold                0..1: hold the comment when the score is >= hold
        reject              0..1 and >= hold: reject when the score is >= reject;
                            null: never reject automatically
        clearly_fine_below  0..1 and <= hold: premoderation approves only scores below it
        reject_when_quoted  optional, default true; false: hold instead of rejecting when the
                            words that drove the score stand in quotation marks (quoted to be
                            criticised, perhaps: a person decides)
        moderator_message   {"de", "en"}: for the moderation queue
        commenter_message   {"de", "en"}: the grounds in the commenter's statement of reasons
    system                  moderator_message and commenter_message for a comment the
                            classifier failed to score (held, code OTHER)
    premoderation_message   {"de", "en"}: put before the rule's moderator message when
                            premoderation holds a comment

Strict on purpose: a policy decides what gets published, so a typo must be an error, not a
silently ignored or coerced value. Unknown fields are rejected (marshmallow's default), numbers
and booleans must be JSON numbers and booleans, not strings.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from policies.policy import CODES, LANGUAGES, RULE_NAMES, Notice, Policy, RulePolicy


def _not_blank(value: str) -> None:
    """Reject an empty or whitespace-only text."""
    if not value.strip():
        raise ValidationError("Must not be empty.")


class Probability(fields.Float):
    """A threshold from 0 to 1, written as a JSON number."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            validate=validate.Range(min=0, max=1, error="Must be between 0 and 1, got {input}."),
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        # marshmallow's Float would accept "0.5"; a quoted threshold is most likely a mistake.
        if isinstance(value, str):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBoolean(fields.Boolean):
    """``true`` or ``false``, nothing that merely looks like one ("no", 0)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class _ObjectSchema(Schema):
    """A part of the policy file that must be a JSON object; anything else is told so."""

    error_messages = {"type": "must be a JSON object"}


#: A text in every language of :data:`LANGUAGES`, e.g. ``{"de": "...", "en": "..."}``.
TextSchema = _ObjectSchema.from_dict(
    {language: fields.String(required=True, validate=_not_blank) for language in LANGUAGES},
    name="TextSchema",
)


class _MessagesSchema(_ObjectSchema):
    """The two texts every reason has: one for moderators, one for the commenter."""

    moderator_message = fields.Nested(TextSchema, required=True)
    commenter_message = fields.Nested(TextSchema, required=True)


class NoticeSchema(_MessagesSchema):
    """The texts of a reason the system gives itself."""

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Notice:
        return Notice(**data)


class RuleSchema(_MessagesSchema):
    """One rule of the site: reason code, thresholds and messages."""

    code = fields.String(required=True, validate=validate.OneOf(CODES))
    hold = Probability(required=True)
    # Required even though it may be null: never auto-rejecting must be a visible choice.
    reject = Probability(required=True, allow_none=True)
    clearly_fine_below = Probability(required=True)
    reject_when_quoted = StrictBoolean(load_default=True)

    # Also run when other fields of the rule are wrong, so that every problem is reported.
    @validates_schema(skip_on_field_errors=False)
    def _check_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Require clearly_fine_below <= hold <= reject."""
        hold = data.get("hold")
        if hold is None:
            return
        errors = {}
        if data.get("reject") is not None and data["reject"] < hold:
            errors["reject"] = [f"Must not be below hold ({hold}), got {data['reject']}."]
        if data.get("clearly_fine_below", 0) > hold:
            errors["clearly_fine_below"] = [
                f"Must not be above hold ({hold}), got {data['clearly_fine_below']}."
            ]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> RulePolicy:
        return RulePolicy(**data)


#: One entry per rule of the site, all required.
RulesSchema = _ObjectSchema.from_dict(
    {name: fields.Nested(RuleSchema, required=True) for name in RULE_NAMES}, name="RulesSchema"
)


class PolicySchema(_ObjectSchema):
    """A whole policy file."""

    version = fields.String(required=True, validate=_not_blank)
    premoderation = StrictBoolean(required=True)
    rules = fields.Nested(RulesSchema, required=True)
    system = fields.Nested(NoticeSchema, required=True)
    premoderation_message = fields.Nested(TextSchema, required=True)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Policy:
        return Policy(**data)
