"""The workspace's safety: secret key, session cookie, CSRF, who is logged in, strict headers.

The JSON API under /v1 keeps its bearer keys: the session cookie is sent for /moderate only,
and the CSRF check runs in the workspace's blueprint only (a browser cannot be tricked into
sending a bearer key, so the API needs none).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from service import auth
from service.storage import db
from service.storage.models import User
from service.storage.users import active_user
from service.workspace.texts import choose_language

F = TypeVar("F", bound=Callable[..., Any])

PATH = "/moderate"
SECRET_KEY_FILE = "secret_key"
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
_USER_ID = "user_id"

#: No inline script or style, nothing from elsewhere, no framing, forms to this site only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: Flask-WTF refuses HTTPS posts without a same-origin Referer.
    "Referrer-Policy": "same-origin",
    # Pages hold readers' comments and personal data: no copies in caches.
    "Cache-Control": "no-store",
}

csrf = CSRFProtect()


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, Secure unless configured otherwise or served to this machine."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """MODERATION_SECURE_COOKIES if set; else on over HTTPS or unless the host is 127.0.0.1/localhost."""
        configured = app.config["SECURE_COOKIES"]
        if configured is not None:
            return configured
        # request.is_secure: HTTPS that a local proxy ended (it sends X-Forwarded-Proto), even
        # when the proxy passes on Host: 127.0.0.1.
        return request.is_secure or urlsplit("//" + request.host).hostname not in _LOCAL_HOSTS


def init_app(app: Flask) -> None:
    """Set the secret key, the cookie's attributes and CSRF protection (checked by the views)."""
    if app.config.get("SECRET_KEY") is None:
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    app.config.update(
        SESSION_COOKIE_NAME="moderation_session",
        SESSION_COOKIE_PATH=PATH,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # A working day, renewed by every request: an idle or copied cookie stops working then
        # (log-out clears the cookie; the server keeps no list of sessions to revoke).
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # Checked in the workspace's before_request only, so the API stays as it is.
        WTF_CSRF_CHECK_DEFAULT=False,
        # The token lives as long as the session: a queue left open over lunch keeps working.
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.session_interface = SessionInterface()
    csrf.init_app(app)


def _instance_secret_key(folder: Path) -> str:
    """The key kept in the instance folder, made on first use (readable by its owner only).

    Written to a temporary file and linked into place, which fails if the file exists: two
    processes starting at once agree on one key, and none ever reads a half-written file.
    """
    path = folder / SECRET_KEY_FILE
    if not path.exists():
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".secret_key-")  # mode 600
        try:
            with os.fdopen(handle, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(32) + "\n")
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # another process was first: use its key
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise RuntimeError(f"{path} is empty: write a key into it (or delete it while the service is stopped)")
    return key


def secure_headers(response: Response) -> Response:
    """Add the strict headers to a workspace response (after_request hook)."""
    response.headers.update(_HEADERS)
    return response


def start_session(user: User) -> None:
    """Log ``user`` in: a fresh session, so that nothing from before the log-in carries over."""
    session.clear()
    session[_USER_ID] = user.id
    session.permanent = True


def end_session() -> None:
    """Log out."""
    session.clear()


def current_user() -> User:
    """The user of the current request (in a view marked :func:`login_required`)."""
    return g.user


def login_required(view: F) -> F:
    """Let logged-in, active users call the view; others are sent to the log-in page.

    The user is read on every request, so that disabling them ends their sessions at once.
    htmx requests get 401 instead of a redirect that would swap the log-in page into a card.
    """

    @wraps(view)
    def check(*args: Any, **kwargs: Any) -> Any:
        user_id = session.get(_USER_ID)
        user = active_user(db.session(), user_id) if isinstance(user_id, int) else None
        if user is None:
            session.clear()
            if request.headers.get("HX-Request"):
                abort(401)
            return redirect(url_for("workspace.login"))
        g.user = user
        g.language = choose_language(user.language)
        return view(*args, **kwargs)

    return auth.public(check)  # type: ignore[return-value]
