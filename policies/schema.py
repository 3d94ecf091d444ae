"""The format of a policy file, as marshmallow schemas; loading one yields a :class:`Policy`.

A policy file is a JSON object (``default.json`` is the site's)::

    version                 non-empty string, stamped on every decision
    premoderation           true: approve only comments that are clearly fine on every rule
    rules                   the site's rules, at least one, by name (1 to 32 lower-case letters,
                            digits and _, a letter first; not "system"), each with
        scores              the scores the rule judges, names from classifier.scores (e.g.
                            ["respectful"]), at least one, each once; a rule named after a
                            score may leave it out and judges that score (so policy files
                            written before rules named their scores still load)
        combine             max | min | mean: how several scores become the rule's one score;
                            required with more than one score, optional with one
        code                ABUSIVE | OFFENSIVE | HATE_SPEECH | ILLEGAL_CONTENT | IRRELEVANT_CONTENT |
                            SPAM | OTHER
        hold                0..1: hold the comment when the rule's score is >= hold
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
    moderator_reasons       the workspace's reasons for a reject (1 to 9: code, rule or null,
                            label {"de", "en"}, needs_note, second_review: true sends the
                            comment to the second-review queue instead of rejecting it);
                            left out, the shipped policy's

Strict on purpose: a policy decides what gets published, so a typo must be an error, not a
silently ignored or coerced value. Unknown fields are rejected (marshmallow's default), numbers
and booleans must be JSON numbers and booleans, not strings.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from classifier.scores import REASON_CODES, SCORE_NAMES
from common.jsontext import parse_json
from policies.policy import COMBINE, LANGUAGES, SYSTEM, ModeratorReason, Notice, Policy, RulePolicy


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


def _known_scores(names: list[str]) -> None:
    """Require at least one score, each registered and named once."""
    if not names:
        raise ValidationError("Must name at least one score.")
    unknown = [name for name in names if name not in SCORE_NAMES]
    if unknown:
        raise ValidationError(
            f"Unknown score{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"the registered scores are: {', '.join(SCORE_NAMES)}."
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValidationError(f"Names the score {repeated[0]!r} more than once.")


class RuleSchema(_MessagesSchema):
    """One rule of the site: the scores it judges, reason code, thresholds and messages."""

    scores = fields.List(fields.String(), required=True, validate=_known_scores)
    combine = fields.String(validate=validate.OneOf(COMBINE))
    code = fields.String(required=True, validate=validate.OneOf(REASON_CODES))
    hold = Probability(required=True)
    # Required even though it may be null: never auto-rejecting must be a visible choice.
    reject = Probability(required=True, allow_none=True)
    clearly_fine_below = Probability(required=True)
    reject_when_quoted = StrictBoolean(load_default=True)

    # The checks of the whole rule also run when some of its fields are wrong, so that every
    # problem is reported.
    @validates_schema(skip_on_field_errors=False)
    def _check_combine(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Require ``combine`` when several scores must become one: the choice must be visible."""
        if len(data.get("scores", ())) > 1 and "combine" not in data:
            raise ValidationError(
                f"Required when the rule names several scores: one of {', '.join(COMBINE)}.", "combine"
            )

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
        scores = tuple(data.pop("scores"))
        return RulePolicy(scores=scores, combine=data.pop("combine", "max"), **data)


# At most 32 characters: the service stores a reason's rule name in a column of that size.
_RULE_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}\Z")


class Rules(fields.Field):
    """The rules by name, in the file's order: the policy file's rules are the site's rules.

    Not a ``fields.Dict``, whose errors would read ``rules.spam.value.hold``: here they read
    ``rules.spam.hold``, as the rule is written in the file.
    """

    default_error_messages = {
        "type": "must be a JSON object",
        "empty": "Must have at least one rule.",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, RulePolicy]:
        if not isinstance(value, dict):
            raise self.make_error("type")
        if not value:
            raise self.make_error("empty")
        rules, errors = {}, {}
        for name, entry in value.items():
            problems: dict[str, Any] = {}
            if isinstance(entry, dict) and "scores" not in entry and name in SCORE_NAMES:
                entry = {**entry, "scores": [name]}
            try:
                rules[name] = RuleSchema().load(entry)
            except ValidationError as error:
                problems = dict(error.messages)
            # "_schema": the problems of the rule itself, which the loader reports at its path.
            own = _name_problems(name) + problems.pop("_schema", [])
            if own:
                problems["_schema"] = own
            if problems:
                errors[name] = problems
        if errors:
            raise ValidationError(errors)
        return rules


def _name_problems(name: str) -> list[str]:
    """What is wrong with a rule's name, if anything."""
    if name == SYSTEM:
        return [f"{SYSTEM!r} names the reasons the system gives itself; a rule cannot have it."]
    if not _RULE_NAME.match(name):
        return ["A rule's name is 1 to 32 lower-case letters, digits and _, starting with a letter."]
    return []


class ModeratorReasonSchema(_ObjectSchema):
    """One reason the workspace offers for a rejection."""

    code = fields.String(required=True, validate=validate.OneOf(REASON_CODES))
    rule = fields.String(required=True, allow_none=True)  # a rule of the file: PolicySchema checks
    label = fields.Nested(TextSchema, required=True)
    needs_note = StrictBoolean(load_default=False)
    second_review = StrictBoolean(load_default=False)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> ModeratorReason:
        return ModeratorReason(**data)


class PolicySchema(_ObjectSchema):
    """A whole policy file."""

    version = fields.String(required=True, validate=_not_blank)
    premoderation = StrictBoolean(required=True)
    rules = Rules(required=True)
    system = fields.Nested(NoticeSchema, required=True)
    premoderation_message = fields.Nested(TextSchema, required=True)
    # Nine at most: the workspace picks them with the keys 1-9.
    moderator_reasons = fields.List(fields.Nested(ModeratorReasonSchema), required=True,
                                    validate=validate.Length(min=1, max=9))

    @pre_load
    def _shipped_reasons_by_default(self, data: Any, **kwargs: Any) -> Any:
        """A policy file written before the workspace has no moderator reasons: it gets the
        shipped policy's, each pointing at its rule only where the file has a rule of that name."""
        if not isinstance(data, dict) or "moderator_reasons" in data:
            return data
        rules = data.get("rules") if isinstance(data.get("rules"), dict) else {}
        reasons = [{**reason, "rule": reason["rule"] if reason["rule"] in rules else None}
                   for reason in _shipped_moderator_reasons()]
        return {**data, "moderator_reasons": reasons}

    @validates_schema(skip_on_field_errors=True)
    def _check_reason_rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Require every moderator reason's rule to be one of the file's rules (or null)."""
        errors = {
            index: {"rule": [f"Must be one of the rules ({', '.join(data['rules'])}) or null, got {reason.rule!r}."]}
            for index, reason in enumerate(data["moderator_reasons"])
            if reason.rule is not None and reason.rule not in data["rules"]
        }
        if errors:
            raise ValidationError({"moderator_reasons": errors})

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Policy:
        return Policy(**{**data, "moderator_reasons": tuple(data["moderator_reasons"])})


@lru_cache(maxsize=1)
def _shipped_moderator_reasons() -> tuple[dict[str, Any], ...]:
    """The ``moderator_reasons`` of the package's ``default.json``, as written there."""
    shipped = parse_json(resources.files(__package__).joinpath("default.json").read_bytes())
    return tuple(shipped["moderator_reasons"])
