"""The moderation API: a Flask application factory.

gunicorn runs ``service:create_app()`` (see ``gunicorn.conf.py``); settings are described in
:mod:`service.config`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from service import articles, auth, comments, docs, health, intake, metrics, queue
from service.api import Api
from service.config import defaults, from_environ
from service.model_registry import models
from service.storage import db


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the moderation API.

    :param test_config: settings that override the defaults and the environment (tests, and
        the CLI, which passes ``{"MODEL_PRELOAD": False}``).
    :raise service.config.ConfigError: an environment variable or the database URL is unusable.
    :raise policies.PolicyError: the policy file is invalid.
    """
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.config.from_mapping(
        API_TITLE="Comment moderation API",
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        **defaults(app.instance_path),
    )
    app.config.update(from_environ(os.environ))
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
    return app
