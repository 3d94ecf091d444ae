"""Command-line tools of the API: ``db upgrade``, ``keys create``, ``users``, ``decisions export``, :func:`serve`.

The ``moderation`` command adds the ``db``, ``keys``, ``users`` and ``decisions`` groups; its ``serve``
command calls :func:`serve` and its ``retrain`` command :func:`export_decisions_to`. Each command
only wraps plain functions (``upgrade_database``, ``create_key``, ``write_decisions``) that
tests and other code call directly.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

import click
from alembic.util import CommandError as AlembicCommandError
from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from common.settings import ConfigError
from policies import PolicyError
from service import create_app
from service.storage import database_revision, db, head_revision, shown_url, upgrade_database
from service.storage.decisions import write_decisions
from service.storage.keys import create_key
from service.storage.models import ROLES, USER_ROLES
from service.storage.users import UserError, create_user, disable_user, list_users

# Inside the package, so that an installed service has it too; not importable as a module
# (the dot in its name), so nothing runs its setup by importing it.
GUNICORN_CONF = Path(__file__).resolve().with_name("gunicorn.conf.py")
APP_TARGET = "service:create_app()"


@contextmanager
def _app() -> Iterator[Flask]:
    """The app as configured by the environment, without loading a model."""
    try:
        app = create_app({"MODEL_PRELOAD": False})
    except (ConfigError, PolicyError) as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:  # the instance folder cannot be made
        raise click.ClickException(f"Cannot set up the service: {error.strerror} ({error.filename})") from error
    try:
        yield app
    finally:
        db.engine(app).dispose()


def check_settings() -> None:
    """Set the app up as :func:`serve` will, so that a bad setting stops a command before it
    spends minutes on anything else (``moderation serve`` training a first model).

    :raise click.ClickException: a setting, the database URL or the policy is unusable.
    """
    with _app():
        pass


@contextmanager
def _database(url: str, doing: str) -> Iterator[None]:
    """Turn a database that cannot be used into a message saying which one and why."""
    try:
        yield
    except DBAPIError as error:
        reason = str(error.orig).splitlines()[0]
        raise click.ClickException(f"Cannot {doing} {shown_url(url)}: {reason}") from error
    except AlembicCommandError as error:  # e.g. a schema revision a newer version wrote
        raise click.ClickException(f"Cannot {doing} {shown_url(url)}: {error}") from error


def _missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite database file that does not exist (connecting would create it).

    Only file URLs get here: ``make_engine`` refuses in-memory SQLite when the app is made.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or Path(parsed.database).exists():
        return None
    return parsed.database


@click.group("db")
def db_cli() -> None:
    """Manage the database."""


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the tables to the newest schema."""
    with _app() as app:
        url = app.config["DATABASE_URL"]
    with _database(url, "upgrade"):
        before = database_revision(url)
        upgrade_database(url)
        after = database_revision(url)
    if before is None:
        click.echo(f"Database {shown_url(url)}: created the tables (schema revision {after}).")
    elif before != after:
        click.echo(f"Database {shown_url(url)}: upgraded the schema from revision {before} to {after}.")
    else:
        click.echo(f"Database {shown_url(url)} is up to date (schema revision {after}).")


@click.group("keys")
def keys_cli() -> None:
    """Manage API keys."""


@keys_cli.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the key may do.")
@click.option("--name", required=True, help="Who or what uses the key, e.g. 'site-backend'.")
def keys_create(role: str, name: str) -> None:
    """Create an API key and print it, once, on the last line."""
    with _app() as app, app.app_context(), _database(app.config["DATABASE_URL"], "store a key in"):
        upgrade_database(app.config["DATABASE_URL"])  # so that this works on a fresh machine
        try:
            api_key, key = create_key(db.session(), role=role, name=name)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--name") from error
    click.echo(f"Created {role} key #{api_key.id} '{api_key.name}'.")
    click.echo("Only its hash is stored: copy the key now, it cannot be shown again.")
    click.echo(key)


@click.group("users")
def users_cli() -> None:
    """Manage the people who log in to the workspace (/moderate)."""


@users_cli.command("create")
@click.option("--username", required=True, help="The name to log in with, e.g. 'anna'.")
@click.option("--role", type=click.Choice(USER_ROLES), required=True, help="What the user may do.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin instead of asking.")
def users_create(username: str, role: str, password_stdin: bool) -> None:
    """Create a user; the password is asked for twice (or read from stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _app() as app, app.app_context(), _database(app.config["DATABASE_URL"], "store a user in"):
        upgrade_database(app.config["DATABASE_URL"])
        try:
            user = create_user(db.session(), username=username, role=role, password=password)
        except UserError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"Created {role} '{user.username}'.")


@users_cli.command("list")
def users_list() -> None:
    """List the users: name, role, and whether they are disabled."""
    with _app() as app, app.app_context(), _database(app.config["DATABASE_URL"], "read the users of"):
        upgrade_database(app.config["DATABASE_URL"])
        for user in list_users(db.session()):
            click.echo(f"{user.username}\t{user.role}\t{'disabled' if user.disabled else 'active'}")


@users_cli.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable a user: they cannot log in, and their open sessions end with their next click."""
    with _app() as app, app.app_context(), _database(app.config["DATABASE_URL"], "change a user in"):
        upgrade_database(app.config["DATABASE_URL"])
        try:
            disable_user(db.session(), username)
        except UserError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"Disabled '{username}'.")


@click.group("decisions")
def decisions_cli() -> None:
    """Moderators' decisions, to retrain the classifier on."""


@decisions_cli.command("export")
@click.option("--out", default="-", metavar="FILE",
              help="Where to write the JSON lines ('-': stdout)  [default: stdout]")
def decisions_export(out: str) -> None:
    """Write the latest decision on every reviewed comment revision as JSON lines.

    One line per decision, oldest first: the text the moderator judged, the article, the
    parent's text, the decision and its reason code ('moderation train --decisions' reads it).
    The database is only read, never migrated.
    """
    if not out.strip():
        raise click.BadParameter("give a file name, or '-' for stdout", param_hint="--out")
    count = _export_decisions_to_stdout() if out == "-" else export_decisions_to(Path(out))
    click.echo(f"exported {count} decisions", err=True)


def _export_decisions_to_stdout() -> int:
    """Export to stdout; one that cannot be written (``> /dev/full``) is one message.

    :return: how many decisions were written.
    """
    if sys.stdout is None:  # started with stdout closed (``>&-``)
        raise click.ClickException("Cannot write the decisions to stdout: it is closed; give --out FILE.")
    try:
        count = export_decisions(sys.stdout)
        sys.stdout.flush()  # a write error shows here, not as a traceback when Python exits
    except OSError as error:
        if error.errno == errno.EPIPE:
            raise  # the reader left (| head): click ends quietly
        raise click.ClickException(f"Cannot write the decisions to stdout: {error.strerror}") from error
    return count


def export_decisions_to(path: Path) -> int:
    """Export into the file ``path``, all or nothing: it is replaced only by a complete export.

    A device or named pipe (``/dev/stdout``, a shell's ``<(...)``) is written into instead:
    replacing it by a file would leave its reader without the export, and run as root would
    remove the device or pipe itself.

    A symbolic link is followed: the file it points to is replaced, not the link.

    :return: how many decisions were written.
    """
    try:
        target = path.resolve() if path.is_symlink() else path
        is_folder, is_special = target.is_dir(), target.exists() and not target.is_file()
    except (OSError, RuntimeError) as error:  # no permission to look; a symlink loop
        raise click.ClickException(f"Cannot write {path}: {getattr(error, 'strerror', None) or error}") from error
    path = target
    if is_folder:  # also "/" and ".", which have no name to put ".partial" after
        raise click.ClickException(f"Cannot write {path}: it is a folder; give a file name.")
    if is_special:
        try:
            with path.open("w", encoding="utf-8") as out:
                return export_decisions(out)
        except OSError as error:
            raise click.ClickException(f"Cannot write {path}: {error.strerror}") from error
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as out:
            count = export_decisions(out)
        partial.replace(path)
    except OSError as error:
        raise click.ClickException(
            f"Cannot write {path} (through {partial.name} beside it): {error.strerror}"
        ) from error
    finally:
        with suppress(OSError):  # nothing to remove when it could not be made
            partial.unlink(missing_ok=True)
    return count


def export_decisions(out: TextIO) -> int:
    """Write the decisions stored in ``MODERATION_DATABASE_URL``'s database to ``out``.

    A database without tables has no decisions (a fresh machine); one at another schema
    revision than this version's is refused rather than migrated: exporting must not change a
    database a running service uses.

    :return: how many were written.
    :raise click.ClickException: the database is unusable, unreachable or at another revision.
    """
    with _app() as app, app.app_context():
        url = app.config["DATABASE_URL"]
        missing = _missing_sqlite_file(url)
        if missing is not None:  # a fresh machine, or a mistyped path: say which, create nothing
            click.echo(f"There is no database file {missing} (MODERATION_DATABASE_URL) yet.",
                       err=True)
            return 0
        with _database(url, "read the decisions from"):
            revision, head = database_revision(url), head_revision()
            if revision is None:
                return 0
            if revision != head:
                raise click.ClickException(
                    f"Database {shown_url(url)} is at schema revision {revision}, this version reads "
                    f"{head}: run 'moderation db upgrade' (or export with the version that serves it).")
            return write_decisions(db.session(), out)


def serve(host: str, port: int, workers: int) -> None:
    """Bring the database up to date, then replace this process with gunicorn serving the API.

    gunicorn reads the package's ``service/gunicorn.conf.py`` (which preloads the app, so that
    the workers share one loaded model), then ``GUNICORN_CMD_ARGS`` over it, and runs
    ``service:create_app()``.
    """
    with _app() as app:
        url = app.config["DATABASE_URL"]
    with _database(url, "upgrade"):
        upgrade_database(url)
    click.echo(f"Database {shown_url(url)} is up to date; starting gunicorn.", err=True)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    os.execv(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(GUNICORN_CONF),
            "--bind",
            bind,
            "--workers",
            str(workers),
            APP_TARGET,
        ],
    )
