"""The service with its classifier's answer fixed: what ``POST /v1/comments`` costs without scoring.

``api_load.py --unscored`` serves this beside the real service. Everything else is the service's
own code (authentication, validation, the policy, the database, the response schema, metrics):
only ``ModerationModel.score`` is replaced, by the scores of the first comment it sees, returned
for every later one. The difference to the service is the classifier's share of the cost; the
difference to the bare app is the rest of the service's. For measurement only.
"""

from __future__ import annotations

from flask import Flask

from classifier.serving.model import ModerationModel
from classifier.types import CommentInput, CommentScores
from service import create_app


def create_unscored_app() -> Flask:
    """The service's app, with every comment given the first comment's scores."""
    score = ModerationModel.score
    first: list[CommentScores] = []

    def fixed(self: ModerationModel, comment: CommentInput, **options: object) -> CommentScores:
        if not first:
            first.append(score(self, comment, **options))
        return first[0]

    ModerationModel.score = fixed  # type: ignore[method-assign]
    return create_app()
