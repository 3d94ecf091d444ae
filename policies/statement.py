"""The statement of reasons a commenter gets for a held or rejected comment (EU DSA art. 17).

The policy file says *which* rule a comment may break; the framing lives here, so that no
edit of the policy file can drop what the statement must contain: the grounds, that the
decision was made automatically, and how a person gets involved.
"""

from __future__ import annotations

from policies.decision import HOLD, REJECT, Reason
from policies.policy import LANGUAGES, Policy

_OPENING = {
    HOLD: {
        "de": "Ihr Kommentar wird noch nicht veröffentlicht.",
        "en": "Your comment has not been published yet.",
    },
    REJECT: {
        "de": "Ihr Kommentar wurde nicht veröffentlicht.",
        "en": "Your comment has not been published.",
    },
}

_AUTOMATED = {
    "de": "Diese Entscheidung wurde automatisch getroffen, auf Grundlage einer maschinellen "
    "Bewertung Ihres Kommentars.",
    "en": "This decision was made automatically, based on a machine assessment of your comment.",
}

_HUMAN = {
    HOLD: {
        "de": "Eine Person aus unserem Moderationsteam prüft Ihren Kommentar und entscheidet, "
        "ob er veröffentlicht wird.",
        "en": "A member of our moderation team will review your comment and decide whether "
        "to publish it.",
    },
    REJECT: {
        "de": "Wenn Sie die Entscheidung für falsch halten, können Sie verlangen, dass eine "
        "Person aus unserem Moderationsteam sie überprüft.",
        "en": "If you think this decision is wrong, you can ask for a member of our "
        "moderation team to review it.",
    },
}


def statement_of_reasons(
    policy: Policy, decision: str, reasons: tuple[Reason, ...]
) -> dict[str, str] | None:
    """The statement for the commenter in every language, or None for an approved comment.

    One line each: what happened, the grounds (the commenter message of every rule that
    fired, once each, most severe first), that it was automatic, and what a person does next.
    """
    if decision not in (HOLD, REJECT):
        return None
    # dict.fromkeys keeps the first occurrence: a rule may give several reasons.
    rules = dict.fromkeys(reason.rule for reason in reasons)
    grounds = [policy.commenter_message(rule) for rule in rules]
    return {
        lang: "\n".join(
            [
                _OPENING[decision][lang],
                *(ground[lang] for ground in grounds),
                _AUTOMATED[lang],
                _HUMAN[decision][lang],
            ]
        )
        for lang in LANGUAGES
    }


_REVIEWED = {
    "de": "Eine Person aus unserem Moderationsteam hat Ihren Kommentar geprüft und entschieden, "
    "ihn nicht zu veröffentlichen.",
    "en": "A member of our moderation team reviewed your comment and decided not to publish it.",
}

_GENERIC_GROUND = {
    "de": "Er verstößt gegen unsere Diskussionsregeln.",
    "en": "It breaks our discussion rules.",
}


def review_statement(policy: Policy, decision: str, reason_code: str | None) -> dict[str, str] | None:
    """The statement after a moderator decided: None when the comment is published.

    A moderator's rejection is no longer automatic, so the statement says a person decided; the
    grounds are the commenter message of the rule with the moderator's reason code, if any.
    """
    if decision != REJECT:
        return None
    grounds = [rule.commenter_message for rule in policy.rules.values() if rule.code == reason_code]
    ground = grounds[0] if grounds else _GENERIC_GROUND
    return {
        lang: "\n".join([_OPENING[REJECT][lang], ground[lang], _REVIEWED[lang]])
        for lang in LANGUAGES
    }
