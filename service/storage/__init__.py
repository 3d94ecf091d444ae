"""Storage of articles, comments, decisions and API keys (SQLAlchemy 2, Alembic migrations)."""

from service.storage.database import Database, make_engine, shown_url
from service.storage.migrate import database_revision, head_revision, upgrade_database

#: The app's database extension; ``create_app`` calls its ``init_app``.
db = Database()

__all__ = ["Database", "database_revision", "db", "head_revision", "make_engine", "shown_url", "upgrade_database"]
