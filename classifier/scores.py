"""The registry of scores: every score the classifier gives, declared once.

A score is a probability that a comment breaks one thing the site cares about. Everything that
lists the scores is built from :data:`SCORES`: what :meth:`ModerationModel.score
<classifier.serving.model.ModerationModel.score>` returns, the names a policy's rules may use
(checked when the policy is loaded), the API's ``scores`` object and its OpenAPI descriptions,
``moderation score``'s output, the evaluation's per-score metrics on the team's data and what a
moderator's decision teaches each model. ``docs/extending.md`` says how to add one.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The pipelines of :class:`~classifier.serving.model.ModerationModel` (its attribute names).
RESPECT_MODEL = "respect"
SPAM_MODEL = "spam"
TOPIC_MODEL = "topic"

#: The reason codes of moderators and policy rules: Coral Talk's ``RejectionReasonCode`` enum.
REASON_CODES = ("ABUSIVE", "OFFENSIVE", "HATE_SPEECH", "ILLEGAL_CONTENT", "IRRELEVANT_CONTENT", "SPAM", "OTHER")


@dataclass(frozen=True)
class TeamLabel:
    """The field of the team's comments (``training_data/``) that labels a score.

    The team's fields say whether a comment *keeps* a rule (``respectful: true``), a score is the
    probability that it *breaks* one, so the label names the value that means "broken".
    """

    field: str  # a field of classifier.data.teamdata.TeamComment
    broken_when: bool

    def broken(self, comment: object) -> bool:
        """Whether the team labelled ``comment`` as breaking the score's rule."""
        return getattr(comment, self.field) == self.broken_when


@dataclass(frozen=True)
class ScoreSpec:
    """One score: what it measures, which model gives it, and what labels it."""

    name: str  # the key in CommentScores, the API's scores object and a policy's rule "scores"
    measures: str  # one plain sentence; the API's documentation of the score
    model: str  # the ModerationModel pipeline that gives it: RESPECT_MODEL, SPAM_MODEL, ...
    languages: tuple[str, ...]  # the languages it is trained and measured on
    team_label: TeamLabel | None = None  # None: the team's data has no field for it
    # A moderator's reject with one of these codes says the comment breaks the score's rule; an
    # approval says it breaks none. Training learns from such decisions (see
    # classifier.data.moderator_decisions).
    reason_codes: tuple[str, ...] = ()


RESPECTFUL = ScoreSpec(
    name="respectful",
    measures="Probability that the comment is disrespectful: insults, degrading remarks or "
    "hostility towards others.",
    model=RESPECT_MODEL,
    languages=("de", "en"),
    team_label=TeamLabel("respectful", broken_when=False),
    reason_codes=("ABUSIVE", "OFFENSIVE", "HATE_SPEECH"),
)
ON_TOPIC = ScoreSpec(
    name="on_topic",
    measures="Probability that the comment is off topic: not about its article (spam, ads, "
    "unrelated chatter, a comment meant for another article).",
    model=TOPIC_MODEL,
    languages=("de", "en"),
    team_label=TeamLabel("on_topic", broken_when=False),
    reason_codes=("IRRELEVANT_CONTENT", "SPAM"),
)
SPAM = ScoreSpec(
    name="spam",
    measures="Probability that the comment is spam or advertising.",
    model=SPAM_MODEL,
    languages=("de", "en"),
    reason_codes=("SPAM",),
)

#: Every score, in the order in which they are listed everywhere.
SCORES: tuple[ScoreSpec, ...] = (RESPECTFUL, ON_TOPIC, SPAM)
SCORE_NAMES: tuple[str, ...] = tuple(spec.name for spec in SCORES)
