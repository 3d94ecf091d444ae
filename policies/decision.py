"""What the policy hands back: a :class:`Decision` with the :class:`Reason` for it."""

from __future__ import annotations

from dataclasses import dataclass

from classifier.types import Evidence

APPROVE = "approve"
HOLD = "hold"
REJECT = "reject"

#: Decisions from least to most severe; the most severe one any rule reaches wins.
DECISIONS = (APPROVE, HOLD, REJECT)


def severity(decision: str | None) -> int:
    """Rank a decision for comparison; no decision ranks below approve."""
    return -1 if decision is None else DECISIONS.index(decision)


@dataclass(frozen=True)
class Reason:
    """Why one rule fired: enough for a moderator to act on without rerunning the model."""

    rule: str  # a rule of the policy file, or "system" (policies.policy.SYSTEM)
    code: str  # a Coral Talk reason code, see classifier.scores.REASON_CODES
    score: float  # the rule's violation probability (0.0 for "system": there is none)
    threshold: float  # the threshold the score crossed (>=)
    message: dict[str, str]  # for moderators, {"de": ..., "en": ...}
    evidence: tuple[Evidence, ...]  # the classifier's evidence for the rule's score, passed through
    signals: dict[str, object]  # the classifier's signals for it, passed through


@dataclass(frozen=True)
class Decision:
    """The policy's verdict on one comment, stamped with the versions that produced it."""

    decision: str  # "approve" | "hold" | "reject"
    reasons: tuple[Reason, ...]  # every rule that fired, most severe first
    scores: dict[str, float]  # every score the rules read, by score name, also below any threshold
    statement_of_reasons: dict[str, str] | None  # {"de", "en"} for hold/reject, None for approve
    policy_version: str
    model_version: str
