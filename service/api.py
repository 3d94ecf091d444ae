"""flask-smorest wired for this API: strict JSON bodies, roles per view, problem+json errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import flask_smorest
from flask import Flask, Response, current_app, request
from flask_smorest import abort
from flask_smorest.utils import prepare_response
from marshmallow import Schema
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from common.jsontext import JSONTextError, parse_json
from service import auth
from service.problems import PROBLEM_JSON, flatten, problem, validation_detail
from service.schemas import ID_PATTERN, ProblemSchema

BEARER = "bearerAuth"


class Parser(FlaskParser):
    """Reads JSON bodies strictly and says in plain words why a body is unusable.

    webargs would treat a non-JSON content type as "no body" (then every field is "missing")
    and answers every undecodable body with the same "Invalid JSON body.".
    """

    def load_json(self, req: Any, schema: Schema) -> Any:
        """Return the decoded JSON body, or abort with 415 or 400."""
        if not is_json_request(req):
            abort(415, message="The request body must be JSON, sent as 'application/json'.")
        if req.content_encoding not in (None, "", "identity"):
            # Not decoded here: the compressed bytes would be read as broken UTF-8.
            abort(415, message=f"Content-Encoding '{req.content_encoding}' is not supported; "
                  "send the body uncompressed.")
        body = req.get_data(cache=True)  # aborts with 413 beyond MAX_CONTENT_LENGTH
        _refuse_cut_stream(req, body)
        if not body.strip():
            abort(400, message="The request body is empty; send a JSON object.")
        try:
            return parse_json(body)
        except JSONTextError as error:
            abort(400, message=f"The request body {error}; send a JSON object, as UTF-8.")


def _refuse_cut_stream(req: Any, body: bytes) -> None:
    """Answer 413 for a body without Content-Length (chunked) that reached the size limit.

    werkzeug stops reading such a body at MAX_CONTENT_LENGTH without an error, and raises 413
    only on a read past it: without this, a cut-off body would be parsed as if it were whole.
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if req.content_length is None and limit is not None and len(body) >= limit:
        req.stream.read(1)


class IdConverter(BaseConverter):
    """The ``<id:...>`` URL converter: only ids the API accepts match, anything else is a 404.

    So a path such as ``/v1/comments/a%00b`` never reaches the database (PostgreSQL refuses
    NUL characters with an error).
    """

    regex = ID_PATTERN


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint with this API's parser and role checks."""

    ARGUMENTS_PARSER = Parser()

    def arguments(self, schema: type[Schema] | Schema, *args: Any, **kwargs: Any) -> Callable[..., Any]:
        """flask-smorest's ``arguments``, with one schema instance for every request.

        Given a schema class, webargs makes a new instance (copying every field) per request.
        """
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)

    def requires(self, *roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Let API keys of ``roles`` (and admin keys) call the view; documents 401 and 403.

        Put it above ``arguments``: the key is checked before the body is read.
        """

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            func = auth.restricted(*roles)(func)
            for status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
                func = self.alt_response(status, response=status.name)(func)
            return self.doc(security=[{BEARER: []}])(func)

        return decorator


class Api(flask_smorest.Api):
    """The API extension, answering every error as problem+json (RFC 9457)."""

    ERROR_SCHEMA = ProblemSchema

    def init_app(self, app: Flask, **kwargs: Any) -> None:
        """Set up the spec, the id converter, the bearer scheme and the error handler."""
        super().init_app(app, **kwargs)
        app.url_map.converters["id"] = IdConverter
        self.register_converter(IdConverter, lambda _converter: {"type": "string", "pattern": ID_PATTERN})
        self.spec.components.security_scheme(
            BEARER, {"type": "http", "scheme": "bearer", "description": "An API key."}
        )

    def _register_responses(self) -> None:
        """Document every error status (and the default error) as problem+json.

        flask-smorest documents them as application/json, the content type of its own body.
        """
        for status in HTTPStatus:
            if status >= 400:
                self._register_error_response(status.name, status.phrase)
        self._register_error_response(self.DEFAULT_ERROR_RESPONSE_NAME, "Any other error")

    def _register_error_response(self, name: str, description: str) -> None:
        """Register one lazily referenced error response component."""
        response = {"description": description, "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(name, response, lazy=True)

    def handle_http_exception(self, error: HTTPException) -> Response:
        """Answer an HTTP error (and, as 500, any unhandled exception) with problem details.

        ``abort`` keywords understood: ``message`` (the detail), ``errors`` (by field),
        ``headers``, and ``extra`` (more members of the body). Validation errors from webargs
        arrive as ``messages`` by location and are flattened to field paths.
        """
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or _field_errors(data.get("messages"))
        detail = data.get("message") or (
            validation_detail(errors) if errors else _default_detail(error)
        )
        body = problem(
            status, detail, instance=request.path, errors=errors, **data.get("extra", {})
        )
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        headers.extend((data.get("headers") or {}).items())
        return Response(
            json.dumps(body), status, headers, mimetype=PROBLEM_JSON
        )


def _field_errors(messages: Any) -> dict[str, list[str]]:
    """webargs' ``{location: {field: [messages]}}`` as ``{field.path: [messages]}``."""
    if not messages:
        return {}
    flat: dict[str, list[str]] = {}
    for by_field in messages.values():
        for path, texts in flatten(by_field).items():
            flat.setdefault(path, []).extend(texts)
    return flat


def _default_detail(error: HTTPException) -> str:
    """A plain-words detail for errors raised without a message."""
    if error.code == 404:
        return f"There is nothing at {request.path}."
    if error.code == 405:
        allowed = ", ".join(sorted(getattr(error, "valid_methods", None) or ()))
        return f"{request.method} is not allowed on {request.path}; allowed: {allowed}."
    if error.code == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        return f"The request body is larger than the limit of {limit} bytes."
    if error.code == 500:
        return "The server failed to answer this request; the error has been logged."
    return error.description or HTTPStatus(error.code or 500).phrase
