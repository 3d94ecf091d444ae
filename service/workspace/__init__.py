"""The moderators' workspace in the browser, under /moderate (see docs/workspace.md)."""

from __future__ import annotations

from flask import Flask

from service.workspace import security
from service.workspace.views import bp


def init_app(app: Flask) -> None:
    """Set up sessions and CSRF, and serve the workspace (after the API's URL converters)."""
    security.init_app(app)
    app.register_blueprint(bp)
