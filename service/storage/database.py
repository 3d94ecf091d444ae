"""The database connection: one engine per app, one session per request.

Sessions do not begin transactions by themselves (``autobegin=False``): every unit of work is
explicit, ``with session.begin():`` to read and ``with writing(session):`` (or :func:`atomic`)
to write, so no request can leave a write half done, and objects stay readable after their
transaction (``expire_on_commit=False``) for the response.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from common.settings import ConfigError

_EXTENSION = "moderation.database"
_WRITES = "moderation_writes"  # execution option marking a unit of work that writes

T = TypeVar("T")


_PASSWORD = re.compile(r"(://[^:/@]*:)[^@/]*@")  # the password in scheme://user:password@host


def shown_url(url: str) -> str:
    """The database URL with its password masked, for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # unparsable, or a byte that is not UTF-8: mask by hand
        return _PASSWORD.sub(r"\1***@", url)


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``; SQLite gets the settings a multi-process server needs.

    :raise ConfigError: the URL is malformed, not UTF-8 or names a driver that is not installed.
    """
    try:
        # An environment variable may hold bytes that are not UTF-8 (Python keeps them as
        # surrogates); the drivers would fail on them only when connecting, with a traceback.
        url.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ConfigError(f"MODERATION_DATABASE_URL {shown_url(url)!r} is not usable: it holds a byte that is "
                          f"not UTF-8 (at character {error.start}).") from error
    try:
        parsed = sa.make_url(url)
        if parsed.get_backend_name() == "sqlite" and (
                not parsed.database or ":memory:" in parsed.database or parsed.query.get("mode") == "memory"):
            # Each connection (each worker, each command) would get an empty database of its own.
            raise ConfigError(f"MODERATION_DATABASE_URL {shown_url(url)!r} is an in-memory SQLite database, "
                              "which every connection sees empty; give a file, e.g. "
                              "sqlite:///instance/moderation.sqlite.")
        engine = sa.create_engine(parsed)
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise ConfigError(f"MODERATION_DATABASE_URL {shown_url(url)!r} is not usable: {error}") from error
    except ImportError as error:  # the dialect is known, its driver is not installed
        raise ConfigError(f"MODERATION_DATABASE_URL {shown_url(url)!r} needs a database driver that is not "
                          f"installed ({error.name}); use sqlite:/// or postgresql+psycopg://.") from error
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _configure_sqlite)
        sa.event.listen(engine, "begin", _begin_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Set up each new SQLite connection."""
    # Let SQLAlchemy emit BEGIN (see _begin_sqlite) instead of the sqlite3 driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # WAL lets readers run while one process writes; NORMAL sync is safe with WAL and spares
    # an fsync per commit.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _begin_sqlite(connection: sa.Connection) -> None:
    """Begin a SQLite transaction; one that will write takes the write lock right away.

    A transaction that reads and then writes would otherwise fail at once with "database is
    locked" when another process wrote in between; with IMMEDIATE it waits its turn instead.
    Reads begin DEFERRED: in WAL mode they never wait for writers.
    """
    mode = "IMMEDIATE" if connection.get_execution_options().get(_WRITES) else "DEFERRED"
    connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """Flask extension: the engine and a session per request for each app."""

    def init_app(self, app: Flask) -> None:
        """Create the app's engine and close the request's session when the request ends."""
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions[_EXTENSION] = sessionmaker(
            engine, autobegin=False, expire_on_commit=False
        )
        app.teardown_appcontext(_close_session)

    @staticmethod
    def engine(app: Flask | None = None) -> Engine:
        """The engine of ``app`` (default: the current app)."""
        factory = (app or current_app).extensions[_EXTENSION]
        return factory.kw["bind"]

    @staticmethod
    def session() -> Session:
        """The current request's session, opened on first use."""
        if "db_session" not in g:
            g.db_session = current_app.extensions[_EXTENSION]()
        return g.db_session

    def ping(self) -> None:
        """Run a trivial query; raises the driver's error if the database is unreachable."""
        with self.engine().connect() as connection:
            connection.execute(sa.text("SELECT 1"))


def _close_session(_error: BaseException | None = None) -> None:
    """Close the request's session, if it opened one."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def writing(session: Session) -> Iterator[None]:
    """A transaction that writes (on SQLite it takes the write lock when it begins)."""
    with session.begin():
        session.connection(execution_options={_WRITES: True})
        yield


def atomic(session: Session, work: Callable[[int], T], *, attempts: int = 3) -> T:
    """Run ``work(attempt)`` in a writing transaction, again if a concurrent writer won.

    Inserts rely on unique keys instead of checking first, so two requests racing for the same
    id cannot both insert: the loser gets an IntegrityError, and on the next attempt (``attempt``
    counts from 0) ``work`` reads the winner's row and takes its update path. A StaleDataError
    (the row changed since it was read, see ``version_id_col``) is retried the same way.
    """
    for attempt in range(attempts - 1):
        try:
            with writing(session):
                return work(attempt)
        except (IntegrityError, StaleDataError):
            pass  # a concurrent writer won; the next attempt sees its row
    with writing(session):
        return work(attempts - 1)
