"""Articles: the site's backend creates or replaces them; comments are moderated against them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import abort

from service import intake
from service.api import Blueprint
from service.schemas import ArticleInputSchema, ArticleSchema
from service.storage import db
from service.storage.articles import get_article, save_article
from service.storage.models import Article

blp = Blueprint(
    "articles",
    __name__,
    url_prefix="/v1/articles",
    description="Articles: the context the on-topic rule compares comments with.",
)


@blp.route("")
class Articles(MethodView):
    """The collection of articles."""

    @blp.requires("backend")
    @blp.arguments(ArticleInputSchema)
    @blp.response(201, ArticleSchema)
    @blp.alt_response(
        200, schema=ArticleSchema, description="An article with this id was replaced.", success=True
    )
    def post(self, data: dict[str, Any]) -> tuple[Article, int]:
        """Create or replace an article

        Answers 201 for a new article and 200 when an article with this id existed; its
        fields are then replaced by the ones sent (absent optional fields are cleared).
        """
        article, created = save_article(db.session(), data)
        intake.prepare_article(article.title, article.body)
        return article, 201 if created else 200


@blp.route("/<id:article_id>")
class ArticleById(MethodView):
    """One article."""

    @blp.requires("backend", "moderator")
    @blp.response(200, ArticleSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, article_id: str) -> Article:
        """Get an article"""
        article = get_article(db.session(), article_id)
        if article is None:
            abort(404, message=f"There is no article with id '{article_id}'.")
        return article
