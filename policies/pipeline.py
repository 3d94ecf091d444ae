"""Rules, their results and how the results combine: Coral Talk's moderation pipeline.

Each rule is a function from a read-only :class:`Context` to a :class:`RuleResult`, or ``None``
when it has nothing to say, and declares the scores it reads (see :class:`Rule`).
:func:`compose` runs the rules and :func:`merge` combines what they return.

Deviation from Coral, on purpose: Coral stops at the first phase that sets a status. Here every
rule runs, the most severe decision wins (reject > hold > approve) and every reason is kept,
most severe first, because a moderator needs all of them to review a comment, and the
decision must not depend on the order in which the rules happen to be listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from typing import Protocol

from classifier.types import CommentScores
from policies.decision import Reason, severity
from policies.policy import Policy


@dataclass(frozen=True)
class Context:
    """Everything a rule may look at; built once per comment."""

    policy: Policy
    scores: CommentScores | None  # None: the scorer failed, see failure
    failure: str | None = None  # why there are no scores


@dataclass(frozen=True)
class RuleResult:
    """What one rule says about a comment, and how it combines with what the others said."""

    # Set to decide; the most severe decision of all the rules wins.
    decision: str | None = None
    # Why the rule decided; the reasons of all rules are kept.
    reasons: list[Reason] = field(default_factory=list)
    # Recorded on the decision whatever it is: each score a rule read, under the score's name.
    metadata: dict[str, float] = field(default_factory=dict)


class Rule(Protocol):
    """A rule: what it says about a comment, and which scores it reads to say it."""

    def __call__(self, ctx: Context, /) -> RuleResult | None:
        """The rule's result, or None when it has nothing to say."""

    def reads(self, policy: Policy, /) -> tuple[str, ...]:
        """The names of the scores the rule reads under ``policy``.

        The engine checks that the classifier gave each of them as a probability before any rule
        runs; if not, there are no usable scores and the comment goes to a person.
        """


Check = Callable[[Context], RuleResult | None]


def reading(scores: Callable[[Policy], tuple[str, ...]]) -> Callable[[Check], Rule]:
    """Declare the scores a rule written as a plain function reads, e.g. ``@reading(no_scores)``."""

    def declare(check: Check) -> Rule:
        check.reads = scores  # type: ignore[attr-defined]
        return check  # type: ignore[return-value]

    return declare


def no_scores(policy: Policy) -> tuple[str, ...]:
    """What a rule that reads no score reads."""
    return ()


def merge(result: RuleResult, acc: RuleResult) -> RuleResult:
    """Combine a rule's result into the accumulated one, without changing either.

    The more severe decision wins, reasons are appended, metadata is merged shallowly (the
    result's keys override the accumulated ones).
    """
    return RuleResult(
        # max() keeps the first of equals: the accumulated decision unless the result's is worse.
        decision=max(acc.decision, result.decision, key=severity),
        reasons=[*acc.reasons, *result.reasons],
        metadata={**acc.metadata, **result.metadata},
    )


def compose(rules: Iterable[Rule], ctx: Context) -> RuleResult:
    """Run every rule on the context and merge their results, most severe first."""
    results = [result for rule in rules if (result := rule(ctx)) is not None]
    # Merging appends reasons, so merge in order of severity to list the most severe reasons
    # first; the sort is stable, so equally severe results keep the order of the rules.
    results.sort(key=lambda result: severity(result.decision), reverse=True)
    return reduce(lambda acc, result: merge(result, acc), results, RuleResult())
