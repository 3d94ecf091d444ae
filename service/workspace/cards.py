"""A comment as its card shows it: highlighted evidence, reasons in words, waiting time.

The highlights are cut here into plain segments; the template writes each segment's text
through Jinja's escaping, so no text a reader wrote ever reaches the page as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policies import Policy
from policies.policy import SYSTEM
from service.storage.models import STATUS_BY_DECISION, Article, Comment, Reason, utcnow
from service.storage.workspace import Cards
from service.workspace.reasons import overrules
from service.workspace.texts import duration, language, number, text

#: The stylesheet's colours for rules (rule-0 ...), and the one kept for the system's reasons.
RULE_COLOURS = 3
SYSTEM_SLOT = RULE_COLOURS
#: Rules the workspace has words for (texts "rule.<name>"); others are shown by name.
NAMED_RULES = ("respectful", "on_topic", "spam", SYSTEM)


def rule_slots(policy: Policy) -> dict[str, int]:
    """The colour slot of each rule of the policy, by its position in the file."""
    return {rule: index % RULE_COLOURS for index, rule in enumerate(policy.rules)} | {SYSTEM: SYSTEM_SLOT}


@dataclass(frozen=True)
class Segment:
    """A piece of the comment: plain, or evidence for ``rule`` with its weight."""

    text: str
    rule: str | None = None
    weight: float | None = None

    @property
    def title(self) -> str:
        """The hover text of a highlight."""
        return text("card.weight", rule=rule_label(self.rule), weight=number(self.weight or 0.0))


@dataclass(frozen=True)
class Card:
    """What a card shows."""

    comment: Comment
    segments: list[Segment]
    reasons: list[str]  # e.g. "Zurückgehalten: kein Bezug zum Artikel (0,81 ≥ 0,70)"
    messages: list[str]  # the policy's words for moderators, one per reason
    rules: list[str]  # the rules with highlights, for the legend
    article: Article | None
    parent: Comment | None
    waiting: str
    author_rejected: int  # the author's comments rejected within AUTHOR_WINDOW

    def overrules(self, decision: str) -> bool:
        """Whether deciding ``decision`` contradicts the model's decision on this comment."""
        return overrules(self.comment.current.decision, decision)


def rule_label(rule: str | None) -> str:
    """A rule in words, e.g. "kein Bezug zum Artikel"; a rule without words by its name."""
    return text(f"rule.{rule}") if rule in NAMED_RULES else str(rule)


def cards(found: Cards, now: datetime | None = None) -> list[Card]:
    """The cards of the comments found, in their order."""
    now = now or utcnow()
    return [_card(comment, found, now) for comment in found.comments]


def _card(comment: Comment, found: Cards, now: datetime) -> Card:
    revision = comment.current
    decision = text(f"decision.{revision.decision}")
    return Card(
        comment=comment,
        segments=segments(revision.text, revision.reasons),
        reasons=[", ".join([f"{decision}: {rule_label(r.rule)} ({number(r.score)} ≥ {number(r.threshold)})",
                            *signal_words(r.signals)]) for r in revision.reasons],
        messages=[_in_language(r.message) for r in revision.reasons],
        rules=list(dict.fromkeys(r.rule for r in revision.reasons if r.evidence)),
        article=found.articles.get(comment.article_id),
        parent=found.parents.get(comment.parent_id) if comment.parent_id else None,
        waiting=waiting_since(comment.created_at, now),
        author_rejected=found.rejected_by_author.get(comment.author_id, 0) if comment.author_id else 0,
    )


def waiting_since(since: datetime, now: datetime | None = None) -> str:
    """How long something has waited, in words."""
    return duration((now or utcnow()) - since)


def signal_words(signals: dict[str, Any]) -> list[str]:
    """What the classifier's signals say about the comment and its article, in words."""
    words = []
    if signals.get("shares_no_article_words"):
        words.append(text("signal.no_shared_words"))
    elif signals.get("shared_article_words"):
        words.append(text("signal.shared_words", words=", ".join(map(str, signals["shared_article_words"][:5]))))
    pieces = signals.get("word_piece_matches")
    if isinstance(pieces, dict) and pieces:
        words.append(text("signal.word_pieces", words=", ".join(map(str, list(pieces)[:5]))))
    sentence = signals.get("closest_article_sentence")
    if isinstance(sentence, str) and sentence:
        similarity = signals.get("closest_sentence_similarity")
        shown = number(similarity) if isinstance(similarity, int | float) else "–"
        words.append(text("signal.closest_sentence", sentence=sentence, similarity=shown))
    approved = signals.get("like_approved_comment")
    if isinstance(approved, dict) and isinstance(approved.get("text"), str):
        similarity = approved.get("similarity")
        shown = number(similarity) if isinstance(similarity, int | float) else "–"
        words.append(text("signal.like_approved", comment=approved["text"], similarity=shown))
    return words


def _in_language(message: dict[str, Any]) -> str:
    """A stored {language: text} message in the request's language (else any it has)."""
    return str(message.get(language()) or next(iter(message.values()), ""))


def segments(comment_text: str, reasons: list[Reason]) -> list[Segment]:
    """Cut the text at every evidence boundary; each piece takes its strongest evidence.

    Spans may overlap (two rules, or one rule's word and phrase); where they do, the span
    with the largest weight colours the piece. Spans outside the text are ignored.
    """
    spans = [
        (int(e["start"]), int(e["end"]), reason.rule, float(e["weight"]))
        for reason in reasons
        for e in reason.evidence
        if 0 <= int(e["start"]) < int(e["end"]) <= len(comment_text)
    ]
    cuts = sorted({0, len(comment_text), *(s for s, *_ in spans), *(e for _, e, *_ in spans)})
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [(weight, rule) for s, e, rule, weight in spans if s <= start and end <= e]
        if covering:
            weight, rule = max(covering, key=lambda pair: abs(pair[0]))
            pieces.append(Segment(comment_text[start:end], rule, weight))
        else:
            pieces.append(Segment(comment_text[start:end]))
    return pieces


@dataclass(frozen=True)
class Event:
    """One line of a comment's history."""

    at: datetime
    text: str


def history(comment: Comment, reason_labels: dict[str, str]) -> list[Event]:
    """The comment's automated decision on every revision and every moderator decision, oldest first.

    Undone decisions are not here: within the undo window nothing was released, so they never
    happened for anyone else either.
    """
    events = [
        Event(revision.created_at, text(
            "history.revision" if revision.number == 1 else "history.edit", number=revision.number,
            decision=text(f"status.{STATUS_BY_DECISION[revision.decision]}"), model=revision.model_version,
            reasons=", ".join(reason.code for reason in revision.reasons) or "–"))
        for revision in comment.revisions
    ]
    for review in comment.reviews:
        words = [text(f"decision.{review.decision}")]
        if review.reason_code:
            words.append(reason_labels.get(review.reason_code, review.reason_code))
        if review.overrule_reason:
            words.append(text(f"overrule.{review.overrule_reason}"))
        if review.note:
            words.append(f"„{review.note}“" if language() == "de" else f"“{review.note}”")
        events.append(Event(review.decided_at, text("history.review", number=review.revision,
                                                     name=review.moderator, what=" · ".join(words))))
    return sorted(events, key=lambda event: event.at)


def clock(moment: datetime) -> str:
    """A moment as the history shows it, in UTC."""
    return moment.strftime("%d.%m.%Y %H:%M" if language() == "de" else "%Y-%m-%d %H:%M")


def thread_order(shown: list[Card]) -> list[tuple[Card, int]]:
    """The cards in thread order with their depth: each reply after its parent, siblings by age.

    A reply whose parent is not among the cards counts as a thread of its own.
    """
    ids = {card.comment.id for card in shown}
    replies: dict[str | None, list[Card]] = {}
    for card in shown:  # already oldest first
        parent = card.comment.parent_id if card.comment.parent_id in ids else None
        replies.setdefault(parent, []).append(card)
    ordered: list[tuple[Card, int]] = []
    stack = [(card, 0) for card in reversed(replies.get(None, []))]
    while stack:  # depth first, without recursion: threads can be deep
        card, depth = stack.pop()
        ordered.append((card, depth))
        stack.extend((reply, depth + 1) for reply in reversed(replies.get(card.comment.id, [])))
    return ordered
