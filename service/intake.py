"""From validated comments to stored decisions: score, decide, store.

Data flows one way: the views hand in :class:`Submission` objects, the classifier scores them,
the policy decides, storage keeps the result. Without a model, or when scoring fails, the
policy is asked without scores and holds the comment for a person: never an error, never a
silent approve.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from classifier.types import ArticleText, CommentInput, CommentScores
from policies import Decision, Policy, decide, load_policy
from service import metrics
from service.domain import Outcome, Submission
from service.model_registry import Model, models
from service.storage import db
from service.storage.comments import Context, get_comment, load_context, save_comment
from service.storage.models import Comment

log = logging.getLogger(__name__)

_POLICY = "moderation.policy"


@dataclass(frozen=True)
class Stored:
    """A submission that is stored, and what storing it did."""

    comment: Comment
    outcome: Outcome


@dataclass(frozen=True)
class Refused:
    """A submission that was not stored, and why, as the parts of a problem."""

    status: int
    detail: str
    errors: Mapping[str, list[str]] | None = None


def init_app(app: Flask) -> None:
    """Load the policy once; an invalid policy file stops the start (PolicyError)."""
    policy = load_policy(app.config["POLICY"])
    app.extensions[_POLICY] = policy
    metrics.policy_loaded(policy.version)


def current_policy() -> Policy:
    """The current app's policy."""
    return current_app.extensions[_POLICY]


def submit(submissions: Sequence[Submission]) -> list[Stored | Refused]:
    """Moderate and store each submission, in order; one result per submission.

    The ids must be distinct (the batch view refuses repeats first). A submission whose id and
    text are already stored is not scored again. An article sent inline counts as known for
    the submissions after it, as if they had come in separate requests.
    """
    session = db.session()
    context = load_context(
        session,
        article_ids={s.article_id for s in submissions if s.article is None},
        comment_ids={s.id for s in submissions} | {s.parent_id for s in submissions if s.parent_id},
    )
    results: list[Stored | Refused | None] = []
    inputs: list[CommentInput] = []  # of the submissions to score, in order
    inline: dict[str, Mapping[str, Any]] = {}  # articles sent inline by earlier submissions
    for submission in submissions:
        if (submission.article is None and submission.article_id not in context.articles
                and submission.article_id not in inline):
            results.append(_unknown_article(submission.article_id))
        elif submission.id in context.texts and (
            (stored := get_comment(session, submission.id)).article_id != submission.article_id
        ):
            results.append(_moved(submission, stored.article_id))
        elif context.texts.get(submission.id) == submission.text:
            results.append(Stored(_kept(stored), Outcome.UNCHANGED))  # read just above
        else:
            inputs.append(_input(submission, context, inline))
            results.append(None)  # to score
            if submission.article is not None:
                inline[submission.article_id] = submission.article
    todo = [i for i, result in enumerate(results) if result is None]
    for i, decision in zip(todo, decide_all(inputs), strict=True):
        results[i] = _store(submissions[i], decision, new=submissions[i].id not in context.texts)
    return results


def prepare_article(title: str, body: str) -> None:
    """Let the model do its per-article work now, so the article's first comment does not wait.

    It runs in the article's request (about 50 ms for a news article; bounded by the model's cap
    on sentences) and helps the worker that serves it: the others, and a newly loaded model, do
    it on the article's first comment. Best effort: a model that fails here still scores (and
    holds) the comments as usual.
    """
    model = models.slot().get()
    if model is None:
        return
    try:
        model.prepare_article(ArticleText(title, body or ""))
    except Exception:  # a model failure must not fail the article's request
        log.exception("model %s failed to prepare an article", model.version)


def repeated_id(comment_id: str) -> Refused:
    """Two comments of one batch with the same id: which text would win is not obvious."""
    return Refused(
        422,
        f"Comment id '{comment_id}' occurs more than once in this batch; send each comment once.",
        {"id": [f"'{comment_id}' occurs more than once in this batch."]},
    )


def _moved(submission: Submission, stored_article_id: str) -> Refused:
    """A known comment id sent under another article: an edit cannot move a comment."""
    return Refused(
        409,
        f"Comment '{submission.id}' belongs to article '{stored_article_id}', not "
        f"'{submission.article_id}'; a comment cannot move to another article. Use a new id.",
        {"article_id": [f"Comment '{submission.id}' belongs to article '{stored_article_id}'."]},
    )


def decide_all(inputs: Sequence[CommentInput]) -> list[Decision]:
    """The policy's decision on each comment, with the scores of the current model."""
    policy = current_policy()
    slot = models.slot()
    model = slot.get()
    if model is None:
        failure = f"No model is loaded: {slot.problem}."
        return [decide(policy, None, model_version="none", failure=failure) for _ in inputs]
    # Evidence is shown only with reasons: none is computed for rules below every threshold.
    evidence_above = policy.lowest_reason_threshold()
    return [
        decide(policy, scores, model_version=model.version)
        if isinstance(scores, CommentScores)
        else decide(policy, None, model_version=model.version, failure=scores)
        for scores in _score(model, inputs, evidence_above)
    ]


def _score(model: Model, inputs: Sequence[CommentInput],
           evidence_above: float) -> list[CommentScores | str]:
    """Each comment's scores, or why scoring it failed.

    A batch is scored at once; if that fails, comment by comment, so that one comment that
    breaks the model does not take the others with it.
    """
    if not inputs:
        return []
    try:
        scores = model.score_many(list(inputs), evidence_above=evidence_above)
        if len(scores) != len(inputs):
            raise ValueError(f"the model gave {len(scores)} scores for {len(inputs)} comments")
        return list(scores)
    except Exception as error:  # a model failure must hold the comments, not fail the request
        log.exception("model %s failed to score %d comment(s)", model.version, len(inputs))
        if len(inputs) == 1:
            return [_failure(error)]
    return [_score_one(model, comment, evidence_above) for comment in inputs]


def _score_one(model: Model, comment: CommentInput, evidence_above: float) -> CommentScores | str:
    """The comment's scores, or why scoring failed."""
    try:
        return model.score(comment, evidence_above=evidence_above)
    except Exception as error:  # see _score
        log.exception("model %s failed to score a comment", model.version)
        return _failure(error)


def _failure(error: Exception) -> str:
    """Why there are no scores, for the moderators."""
    return f"The classifier failed on this comment ({type(error).__name__}: {error})."


def _input(submission: Submission, context: Context,
           inline: Mapping[str, Mapping[str, Any]]) -> CommentInput:
    """What the classifier gets: the text, its article and the text it answers.

    :param inline: articles sent inline by earlier submissions of the same request, by id.
    """
    article = submission.article or inline.get(submission.article_id)
    if article is not None:
        title, body = article["title"], article.get("body") or ""
    else:
        stored = context.articles[submission.article_id]
        title, body = stored.title, stored.body
    parent = context.texts.get(submission.parent_id) if submission.parent_id else None
    return CommentInput(text=submission.text, article=ArticleText(title, body), parent_text=parent)


def _store(submission: Submission, decision: Decision, *, new: bool) -> Stored | Refused:
    """Store the submission with its decision and count the decision.

    :param new: no comment with this id was stored when the request began.
    """
    try:
        comment, outcome = save_comment(db.session(), submission, decision, new=new)
    except (IntegrityError, StaleDataError):
        log.warning("comment %r kept changing while it was stored", submission.id)
        return Refused(
            409,
            f"Comment '{submission.id}' was changed by other requests at the same time; "
            "send it again.",
        )
    if outcome is not Outcome.UNCHANGED:
        metrics.decided(decision.decision, [reason.code for reason in decision.reasons])
    return Stored(_kept(comment), outcome)


def _kept(comment: Comment) -> Comment:
    """Detach the comment from the request's session, so that it stays readable for the answer.

    A batch stores its comments one transaction after the other: if a later one is rolled back
    (a race, see ``atomic``), the session expires every object it holds, and the answer could no
    longer read them outside a transaction.
    """
    session = db.session()
    if comment in session:  # a new comment was inserted without it
        session.expunge(comment)
    return comment


def _unknown_article(article_id: str) -> Refused:
    """The refusal of a comment on an article the service does not know."""
    return Refused(
        422,
        f"There is no article with id '{article_id}': create it with POST /v1/articles "
        "first, or send it inline as 'article' instead of 'article_id'.",
        {"article_id": [f"Unknown article '{article_id}'."]},
    )
