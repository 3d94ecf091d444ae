"""Schema migrations: bring a database up to the newest Alembic revision."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from service.storage.database import make_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for the service's migrations.

    :param url: the database to migrate; ``None`` lets ``migrations/env.py`` take it from the
        app's configuration (``MODERATION_DATABASE_URL``).
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        # Passed as an attribute, not an ini option: a URL may contain "%", which the ini
        # parser would try to interpolate.
        config.attributes["url"] = url
    return config


def upgrade_database(url: str) -> None:
    """Create or upgrade the tables of the database at ``url`` to the newest revision."""
    command.upgrade(alembic_config(url), "head")


def database_revision(url: str) -> str | None:
    """The Alembic revision the database at ``url`` is at; None for a database without tables."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str:
    """The newest schema revision this version of the service knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
