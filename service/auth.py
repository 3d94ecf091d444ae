"""Who may call what: API keys sent as ``Authorization: Bearer KEY``, one role per key.

Every route needs a key unless its view is marked :func:`public`; a view marked
:func:`restricted` names the roles it accepts, and any other view accepts admin keys only, so
a route nobody thought about is closed. Admin keys may call everything. The check runs before
the request body is read.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from flask_smorest import abort

from service.storage import db
from service.storage.keys import find_key, hash_key
from service.storage.models import ROLES

ADMIN = "admin"
#: How long a process trusts a key it has looked up, saving a query on most requests.
KEY_CACHE_SECONDS = 60.0

F = TypeVar("F", bound=Callable[..., Any])

_ROLES_ATTRIBUTE = "required_roles"
_PUBLIC: frozenset[str] = frozenset()
_CHALLENGE = 'Bearer realm="moderation"'
_KNOWN_KEYS = "moderation.known_keys"


@dataclass(frozen=True)
class Caller:
    """Who sent the request: the id, name and role of their API key."""

    id: int
    name: str
    role: str


def restricted(*roles: str) -> Callable[[F], F]:
    """Mark a view as callable by keys of ``roles`` (and admin keys)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; use {ROLES}")

    def mark(view: F) -> F:
        setattr(view, _ROLES_ATTRIBUTE, frozenset(roles) | {ADMIN})
        return view

    return mark


def public(view: F) -> F:
    """Mark a view as callable without a key."""
    setattr(view, _ROLES_ATTRIBUTE, _PUBLIC)
    return view


def init_app(app: Flask) -> None:
    """Check the key of every request before its view runs."""
    app.extensions[_KNOWN_KEYS] = {}
    app.before_request(_check_request)


def current_caller() -> Caller:
    """Who sent the current request (after :func:`authenticate`)."""
    return g.caller


def authenticate(roles: Collection[str]) -> Caller:
    """Check the request's key and that its role is one of ``roles``.

    :raise 401: no key, a malformed header or an unknown key.
    :raise 403: the key's role may not call this route.
    """
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        abort(
            401,
            message="This route needs an API key, sent as 'Authorization: Bearer <key>'.",
            headers={"WWW-Authenticate": _CHALLENGE},
        )
    caller = _look_up(key.strip())
    if caller is None:
        abort(
            401,
            message="The API key is not valid.",
            headers={"WWW-Authenticate": _CHALLENGE + ', error="invalid_token"'},
        )
    if caller.role not in roles:
        abort(
            403,
            message=f"A {caller.role} key may not {request.method} {request.path}; "
            f"this needs a key of role {' or '.join(sorted(roles))}.",
        )
    g.caller = caller
    return caller


def _look_up(key: str) -> Caller | None:
    """The owner of ``key``, or None; a known key is remembered for KEY_CACHE_SECONDS.

    Unknown keys are not remembered, so a key created a moment ago works at once.
    """
    known = current_app.extensions[_KNOWN_KEYS]
    digest = hash_key(key)
    caller, expires = known.get(digest, (None, 0.0))
    if caller is not None and time.monotonic() < expires:
        return caller
    api_key = find_key(db.session(), key)
    if api_key is None:
        return None
    caller = Caller(api_key.id, api_key.name, api_key.role)
    known[digest] = (caller, time.monotonic() + KEY_CACHE_SECONDS)
    return caller


def _check_request() -> None:
    """Authenticate the request as its view asks (before_request hook)."""
    if request.routing_exception is not None:
        return  # no view: routing answers 404 or 405
    roles = _required_roles()
    if roles:
        authenticate(roles)


def _required_roles() -> frozenset[str]:
    """The roles the request's view accepts; empty for public views and automatic OPTIONS."""
    view = current_app.view_functions[request.endpoint]
    handler = getattr(view, "view_class", None)  # a MethodView: the method's function decides
    if handler is not None:
        method = "get" if request.method == "HEAD" else request.method.lower()
        view = getattr(handler, method, None)
    if view is None or (request.method == "OPTIONS" and request.url_rule.provide_automatic_options):
        return _PUBLIC  # Flask answers OPTIONS itself, with the allowed methods only
    return getattr(view, _ROLES_ATTRIBUTE, frozenset({ADMIN}))
