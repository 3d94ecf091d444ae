"""The moderation API: a Flask application factory.

gunicorn runs ``service:create_app()`` (see ``service/gunicorn.conf.py``). The settings, their
``MODERATION_*`` variables and how they are read are in :mod:`common.settings`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask.sansio.scaffold import find_package

from common import settings
from service import articles, auth, comments, docs, health, intake, metrics, queue, workspace
from service.api import Api
from service.model_registry import models
from service.storage import db


def instance_folder() -> str:
    """The folder of the default SQLite database (Flask's instance folder), an absolute path.

    In a source checkout it is Flask's default, ``instance/`` beside the package. For an
    installed package Flask would pick ``<prefix>/var/service-instance``: hidden inside the
    virtual environment, or system-wide where the service's user cannot write. There it is
    ``instance/`` in the working directory instead, beside ``models/``, which is found there too.
    """
    prefix, package_parent = find_package(__name__)
    return os.path.join(os.getcwd() if prefix is not None else package_parent, "instance")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the moderation API.

    The settings come in three layers, each overriding the one before: the defaults, the
    ``MODERATION_*`` environment variables (:data:`common.settings.SERVICE`), ``test_config``.

    :param test_config: settings that override the defaults and the environment (tests, and
        the CLI, which passes ``{"MODEL_PRELOAD": False}``). It also takes keys no variable
        sets: ``MODEL``, a ready model object instead of loading one from ``MODEL_DIR`` (tests
        inject a small fake model this way), and Flask's own, such as ``TESTING``.
    :raise common.settings.ConfigError: an environment variable or the database URL is unusable.
    :raise policies.PolicyError: the policy file is invalid.
    """
    app = Flask(__name__, instance_path=instance_folder(), instance_relative_config=True,
                static_folder=None)
    app.config.from_mapping(
        API_TITLE="Comment moderation API",
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        **settings.defaults(settings.SERVICE),
    )
    # The one default only the app knows: a database file in its instance folder.
    app.config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "moderation.sqlite")
    app.config.update(settings.from_environ(os.environ, settings.SERVICE))
    if test_config is not None:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.logger.level == logging.NOTSET:
        # Model swaps and scoring failures are worth seeing; Flask's handler writes to stderr.
        app.logger.setLevel(logging.INFO)

    # Timing first, so that refused requests are timed too; then the key check.
    metrics.init_app(app)
    auth.init_app(app)
    db.init_app(app)
    intake.init_app(app)
    models.init_app(app)
    # flask-smorest's Api keeps the app's spec on itself: one per app, not one per process.
    api = Api()
    api.init_app(app)
    for module in (articles, comments, queue, health):
        api.register_blueprint(module.blp)
    app.register_blueprint(docs.bp)
    workspace.init_app(app)
    return app
