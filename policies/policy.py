"""The parsed policy: the site's rules, their thresholds and the texts that explain them.

These are plain values; :mod:`policies.schema` builds them from the policy file and
:mod:`policies.loader` reads that file.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The rule name of reasons the system gives itself, e.g. when the scorer failed; no rule of a
#: policy file may have it.
SYSTEM = "system"

#: How a rule turns the scores it names into one: the highest, the lowest or their mean.
COMBINE = ("max", "min", "mean")

#: Every text a person reads comes in these languages.
LANGUAGES = ("de", "en")


class PolicyError(Exception):
    """A policy that cannot be used; the message lists every problem with its field path."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"Invalid policy {source}:", *(f"  - {problem}" for problem in problems)]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class RulePolicy:
    """How one rule turns its scores into a decision, and how the decision is explained.

    A score *crosses* a threshold when it is greater than or equal to it.
    """

    scores: tuple[str, ...]  # names from classifier.scores, at least one
    combine: str  # one of COMBINE; with one score it changes nothing
    code: str
    hold: float
    reject: float | None  # None: never reject automatically, a person decides
    clearly_fine_below: float  # premoderation approves only scores below this
    moderator_message: dict[str, str]
    commenter_message: dict[str, str]
    # False: a score at or above ``reject`` whose strongest evidence stands in quotation marks
    # (the classifier's ``evidence_quoted`` signal) is held for a person, not rejected.
    reject_when_quoted: bool = True


@dataclass(frozen=True)
class Notice:
    """The texts for a reason the system gives itself (no rule of the site involved)."""

    moderator_message: dict[str, str]
    commenter_message: dict[str, str]


@dataclass(frozen=True)
class ModeratorReason:
    """A reason the site's moderators give for a rejection, in the site's own words.

    ``rule`` is the clause of the site's rules it applies (a rule of the policy file, or None
    for "other"), ``code`` the platform code the API records.
    """

    code: str
    rule: str | None
    label: dict[str, str]
    needs_note: bool = False  # "other": the moderator writes a short text
    # "possibly illegal": not a decision; the comment stays held for a second moderator.
    second_review: bool = False


@dataclass(frozen=True)
class Policy:
    """The site's moderation policy, as loaded from a policy file."""

    version: str
    premoderation: bool  # hold everything that is not clearly fine
    rules: dict[str, RulePolicy]  # by rule name, in the order of the policy file
    system: Notice  # used when the comment could not be scored
    premoderation_message: dict[str, str]  # for moderators, put before the rule's message
    # The reasons the workspace offers for a rejection, in the order of its keys 1-9.
    moderator_reasons: tuple[ModeratorReason, ...] = ()

    def lowest_reason_threshold(self) -> float:
        """The lowest score at which any rule gives a reason: below it, no evidence is shown."""
        if self.premoderation:
            return min(rule.clearly_fine_below for rule in self.rules.values())
        return min(rule.hold for rule in self.rules.values())

    def commenter_message(self, rule: str) -> dict[str, str]:
        """The commenter-facing text for a reason given under ``rule``."""
        if rule == SYSTEM:
            return self.system.commenter_message
        return self.rules[rule].commenter_message
