"""Comments: moderated when posted, stored with the decision and the reasons for it."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import abort

from service import intake
from service.api import Blueprint
from service.domain import Outcome, Submission
from service.intake import Refused, Stored
from service.problems import flatten, problem, validation_detail
from service.schemas import (
    BatchInputSchema,
    BatchResultSchema,
    CommentDetailSchema,
    CommentInputSchema,
    CommentSchema,
    InvalidItem,
)
from service.storage import db
from service.storage.comments import get_comment
from service.storage.models import Comment

blp = Blueprint(
    "comments",
    __name__,
    url_prefix="/v1/comments",
    description="Comments: moderated when posted (approve, hold or reject, with reasons).",
)

_STATUS = {Outcome.CREATED: 201, Outcome.UNCHANGED: 200, Outcome.EDITED: 200}


@blp.route("")
class Comments(MethodView):
    """The collection of comments."""

    @blp.requires("backend")
    @blp.arguments(CommentInputSchema)
    @blp.response(201, CommentSchema)
    @blp.alt_response(
        200,
        schema=CommentSchema,
        description="The id was known: with the same text, the stored decision (nothing "
        "written); with another text, the edit's new decision (the history is kept).",
        success=True,
    )
    @blp.alt_response(409, response="CONFLICT")
    def post(self, submission: Submission) -> tuple[Comment, int]:
        """Moderate and store a comment

        The classifier scores the comment, the policy decides (approve, hold or reject) and
        gives its reasons, and the comment is stored with both. ``statement_of_reasons`` is
        what the commenter may be shown on a hold or reject.
        """
        result = intake.submit([submission])[0]
        if isinstance(result, Refused):
            abort(result.status, message=result.detail, errors=result.errors)
        return result.comment, _STATUS[result.outcome]


@blp.route("/batch")
class CommentBatch(MethodView):
    """Several comments at once."""

    @blp.requires("backend")
    @blp.arguments(BatchInputSchema)
    @blp.response(200, BatchResultSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Moderate and store up to 100 comments

        Each comment is validated, moderated and stored on its own: the results say, per
        comment and in the order sent, what a single POST /v1/comments would have answered.
        """
        items = data["comments"]
        repeats = _repeats(items)
        valid = [i for i, item in enumerate(items) if isinstance(item, Submission) and i not in repeats]
        outcomes: dict[int, Stored | Refused] = {i: intake.repeated_id(items[i].id) for i in repeats}
        outcomes.update(zip(valid, intake.submit([items[i] for i in valid]), strict=True))
        return {"results": [_result(i, items[i], outcomes.get(i)) for i in range(len(items))]}


@blp.route("/<id:comment_id>")
class CommentById(MethodView):
    """One comment."""

    @blp.requires("backend", "moderator")
    @blp.response(200, CommentDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, comment_id: str) -> Comment:
        """Get a comment with its history

        ``revisions`` lists every text the comment had, with the decision on each;
        ``reviews`` lists the moderators' decisions.
        """
        comment = get_comment(db.session(), comment_id)
        if comment is None:
            abort(404, message=f"There is no comment with id '{comment_id}'.")
        return comment


def _repeats(items: list[Submission | InvalidItem]) -> set[int]:
    """The indexes of valid items whose id an earlier item (valid or not) already had."""
    seen: set[str] = set()
    repeats = set()
    for index, item in enumerate(items):
        if item.id is None:
            continue
        if item.id in seen and isinstance(item, Submission):
            repeats.add(index)
        seen.add(item.id)
    return repeats


def _result(
    index: int, item: Submission | InvalidItem, outcome: Stored | Refused | None
) -> dict[str, Any]:
    """The batch result for one comment: the stored comment, or the problem with it."""
    instance = f"{request.path}#/comments/{index}"
    if isinstance(item, InvalidItem):
        errors = flatten(item.messages)
        return {
            "index": index,
            "id": item.id,
            "status": 422,
            "error": problem(422, validation_detail(errors), instance=instance, errors=errors),
        }
    if isinstance(outcome, Refused):
        error = problem(outcome.status, outcome.detail, instance=instance, errors=outcome.errors)
        return {"index": index, "id": item.id, "status": outcome.status, "error": error}
    return {
        "index": index,
        "id": item.id,
        "status": _STATUS[outcome.outcome],
        "comment": outcome.comment,
    }
