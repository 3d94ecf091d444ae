"""The moderation queue, and the decisions moderators take on it."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import abort

from service import auth
from service.api import Blueprint
from service.deciding import Decider, decide
from service.problems import PROBLEM_JSON
from service.schemas import (
    CommentSchema,
    ConflictSchema,
    DecisionInputSchema,
    QueueArgsSchema,
    QueuePageSchema,
)
from service.storage import db
from service.storage.models import Comment
from service.storage.queue import queue_page
from service.storage.reviews import Conflict, NotFound

blp = Blueprint(
    "queue",
    __name__,
    url_prefix="/v1",
    description="The moderation queue and the moderators' decisions.",
)


@blp.route("/queue")
class Queue(MethodView):
    """The comments waiting for (or past) a moderator."""

    @blp.requires("moderator")
    @blp.arguments(QueueArgsSchema, location="query")
    @blp.response(200, QueuePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List comments to moderate, most urgent first

        Comments are ordered by their highest violation score, then oldest first. Pass the
        ``next_cursor`` of a page as ``cursor`` to get the next one.
        """
        comments, position = queue_page(db.session(), after=args.pop("cursor", None), **args)
        return {"items": comments, "next_cursor": position}


@blp.route("/comments/<id:comment_id>/decision")
class CommentDecision(MethodView):
    """A moderator's decision on a comment."""

    @blp.requires("moderator")
    @blp.arguments(DecisionInputSchema)
    @blp.response(200, CommentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(
        409,
        schema=ConflictSchema,
        content_type=PROBLEM_JSON,
        description="Another moderator decided, or the comment was edited, meanwhile; "
        "``comment`` is its current state.",
    )
    def post(self, data: dict[str, Any], comment_id: str) -> Comment:
        """Approve or reject a comment

        The decision is recorded with the moderator (the API key's name) and the time, and
        sets the comment's status; the statement of reasons now says a person decided (or is
        empty once the comment is published).
        """
        version = data.pop("version", None)
        caller = auth.current_caller()
        try:
            comment, _recorded = decide(
                comment_id, Decider(caller.name, api_key_id=caller.id), version=version, **data
            )
        except NotFound:
            abort(404, message=f"There is no comment with id '{comment_id}'.")
        except Conflict as conflict:
            current = conflict.comment
            message = (
                f"Comment '{comment_id}' changed meanwhile (now version {current.version}, "
                f"status {current.status}); check it and decide again."
                if version is None or version <= current.version
                else f"Comment '{comment_id}' is at version {current.version}; version "
                f"{version} was never handed out. Send the version you were shown."
            )
            abort(409, message=message, extra={"comment": CommentSchema().dump(current)})
        return comment
