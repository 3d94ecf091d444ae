"""Articles: created or replaced by the site's backend, read as context for comments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from service.storage.database import atomic
from service.storage.models import Article, utcnow

#: The fields an article request sets; absent optional ones are cleared (replace semantics).
FIELDS = ("title", "body", "url", "lang", "published_at")


def get_article(session: Session, article_id: str) -> Article | None:
    """The article with this id, or None."""
    with session.begin():
        return session.get(Article, article_id)


def save_article(session: Session, data: Mapping[str, Any]) -> tuple[Article, bool]:
    """Create the article or replace its fields.

    :return: the stored article, and whether it was created.
    """
    return atomic(session, lambda _attempt: put_article(session, data))


def put_article(session: Session, data: Mapping[str, Any]) -> tuple[Article, bool]:
    """Create or replace the article inside the caller's transaction.

    :return: the article, and whether it was created.
    """
    values = {name: data.get(name) for name in FIELDS}
    values["body"] = values["body"] or ""
    article = session.get(Article, data["id"])
    if article is None:
        article = Article(id=data["id"], **values)
        session.add(article)
        session.flush()  # a concurrent insert of the same id fails here, see atomic()
        return article, True
    if any(getattr(article, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(article, name, value)
        article.updated_at = utcnow()
    return article, False
