"""The OpenAPI document and human-readable docs (Swagger UI), served without internet access.

Swagger UI's files come from the installed ``swagger_ui_bundle`` package, not from a CDN.
This blueprint is plain Flask: it documents the API and is not part of it.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    render_template,
    send_from_directory,
    url_for,
)
from swagger_ui_bundle import swagger_ui_path

from service import auth
from service.storage.models import ROLES

bp = Blueprint("docs", __name__, template_folder="templates")


@bp.before_request
def _check_access() -> None:
    """Ask for a key of any role unless the docs are public (``DOCS_PUBLIC``)."""
    if not current_app.config["DOCS_PUBLIC"]:
        auth.authenticate(ROLES)


def openapi_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of ``app``, generated from its blueprints and schemas."""
    return app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()


@bp.get("/openapi.json")
@auth.public
def openapi_json() -> Response:
    """The OpenAPI document, generated from the blueprints and schemas."""
    return jsonify(openapi_document(current_app))


@bp.get("/docs")
@auth.public
def swagger_ui() -> str:
    """The API documentation page."""
    return render_template(
        "docs.html",
        title=current_app.config["API_TITLE"],
        spec_url=url_for("docs.openapi_json"),
    )


@bp.get("/docs/assets/<path:filename>")
@auth.public
def asset(filename: str) -> Response:
    """A Swagger UI file from the installed package."""
    return send_from_directory(swagger_ui_path, filename)

