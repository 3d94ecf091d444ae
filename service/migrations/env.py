"""Alembic environment: the URL and the metadata come from the service itself.

The URL is the one :func:`service.storage.upgrade_database` passes in, or else the app's
``DATABASE_URL`` (so ``alembic -c service/alembic.ini ...`` uses the same configuration as the
service); the engine is built by the same function the app uses.
"""

from __future__ import annotations

from alembic import context

from service.storage.database import make_engine
from service.storage.models import Base


def _url() -> str:
    """The database to migrate."""
    url = context.config.attributes.get("url")
    if url is None:
        from service import create_app  # only when run from the alembic command line

        url = create_app({"MODEL_PRELOAD": False}).config["DATABASE_URL"]
    return url


def run_offline() -> None:
    """Write the migration SQL instead of running it (``alembic upgrade --sql``)."""
    context.configure(url=_url(), target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run the migrations against the database."""
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            # Batch mode lets later migrations alter tables on SQLite too.
            context.configure(
                connection=connection, target_metadata=Base.metadata, render_as_batch=True
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
