"""Command-line tools of the API: ``db upgrade``, ``keys create``, and :func:`serve`.

The ``moderation`` command adds the ``db`` and ``keys`` groups; its ``serve`` command calls
:func:`serve`. Each command only wraps plain functions (``upgrade_database``, ``create_key``)
that tests and other code call directly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask
from sqlalchemy.engine import make_url

from service import create_app
from service.storage import db, upgrade_database
from service.storage.keys import create_key
from service.storage.models import ROLES

GUNICORN_CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
APP_TARGET = "service:create_app()"


@contextmanager
def _app() -> Iterator[Flask]:
    """The app as configured by the environment, without loading a model."""
    app = create_app({"MODEL_PRELOAD": False})
    try:
        yield app
    finally:
        db.engine(app).dispose()


def _shown(url: str) -> str:
    """The database URL with its password masked."""
    return make_url(url).render_as_string(hide_password=True)


@click.group("db")
def db_cli() -> None:
    """Manage the database."""


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the tables to the newest schema."""
    with _app() as app:
        url = app.config["DATABASE_URL"]
    upgrade_database(url)
    click.echo(f"Database {_shown(url)} is up to date.")


@click.group("keys")
def keys_cli() -> None:
    """Manage API keys."""


@keys_cli.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the key may do.")
@click.option("--name", required=True, help="Who or what uses the key, e.g. 'site-backend'.")
def keys_create(role: str, name: str) -> None:
    """Create an API key and print it, once, on the last line."""
    with _app() as app, app.app_context():
        upgrade_database(app.config["DATABASE_URL"])  # so that this works on a fresh machine
        try:
            api_key, key = create_key(db.session(), role=role, name=name)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--name") from error
    click.echo(f"Created {role} key #{api_key.id} '{api_key.name}'.")
    click.echo("Only its hash is stored: copy the key now, it cannot be shown again.")
    click.echo(key)


def serve(host: str, port: int, workers: int) -> None:
    """Bring the database up to date, then replace this process with gunicorn serving the API.

    gunicorn reads the repository's ``gunicorn.conf.py`` (which preloads the app, so that the
    workers share one loaded model) and runs ``service:create_app()``.

    :raise click.ClickException: ``gunicorn.conf.py`` is missing (the package was installed
        without its repository; install it with ``pip install -e .``).
    """
    if not GUNICORN_CONF.is_file():
        raise click.ClickException(
            f"{GUNICORN_CONF} is missing; run the service from its repository "
            "(pip install -e .)."
        )
    with _app() as app:
        url = app.config["DATABASE_URL"]
    upgrade_database(url)
    click.echo(f"Database {_shown(url)} is up to date; starting gunicorn.", err=True)
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
