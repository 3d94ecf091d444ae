"""Storage (SQLAlchemy 2, Alembic migrations): one module per stored thing.

``articles``, ``comments`` (with their revisions), ``reviews`` (moderators' decisions), ``queue``
(the moderation queue's pages), ``keys`` (API keys) and ``decisions`` (their export for
training); ``models`` maps the tables, ``database`` holds the engine and sessions. Storage reads
and writes the values of :mod:`service.domain` and never calls the layers above it.
"""

from service.storage.database import Database, make_engine, shown_url
from service.storage.migrate import database_revision, head_revision, upgrade_database

#: The app's database extension; ``create_app`` calls its ``init_app``.
db = Database()

__all__ = ["Database", "database_revision", "db", "head_revision", "make_engine", "shown_url", "upgrade_database"]
