"""The workspace's users: created and disabled from the command line, checked at log-in.

Passwords are kept as werkzeug's salted scrypt hashes. Failed log-ins are counted per username
and per address over :data:`THROTTLE_WINDOW`; past the limits every attempt is refused until
the window has moved on, so guessing costs hours, not seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from service.storage.database import writing
from service.storage.models import USER_ROLES, LoginFailure, User, utcnow

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MIN_PASSWORD_LENGTH = 10
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
_HASH_METHOD = "scrypt"
# Checked against when the username is unknown, so that the answer takes as long either way.
_DUMMY_HASH = generate_password_hash("not a password of anyone", method=_HASH_METHOD)


class UserError(ValueError):
    """A username, role or password that cannot be used; the message says why."""


@dataclass(frozen=True)
class Throttled:
    """Too many failed log-ins: try again at ``until``."""

    until: datetime


def create_user(session: Session, *, username: str, role: str, password: str) -> User:
    """Create a user with a hashed password.

    :raise UserError: the username is malformed or taken, the role unknown, the password short.
    """
    if not USERNAME.fullmatch(username):
        raise UserError("a username is 1-64 letters, digits, '.', '_' or '-', starting with a "
                        "letter or digit")
    if role not in USER_ROLES:
        raise UserError(f"unknown role {role!r}; use one of {', '.join(USER_ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    user = User(username=username, role=role,
                password_hash=generate_password_hash(password, method=_HASH_METHOD))
    with writing(session):
        if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
            raise UserError(f"there is already a user {username!r}")
        session.add(user)
    return user


def list_users(session: Session) -> list[User]:
    """Every user, by username."""
    with session.begin():
        return list(session.scalars(sa.select(User).order_by(User.username)))


def disable_user(session: Session, username: str) -> User:
    """Disable a user: their sessions end with their next request.

    :raise UserError: there is no such user.
    """
    with writing(session):
        user = session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            raise UserError(f"there is no user {username!r}")
        user.disabled = True
    return user


def active_user(session: Session, user_id: int) -> User | None:
    """The user with this id, unless they are disabled or gone."""
    with session.begin():
        user = session.get(User, user_id)
        if user is not None:
            # Detached: a later write of the request that rolls back would otherwise expire it,
            # and the page that reports the failure could no longer read the user's name.
            session.expunge(user)
    return None if user is None or user.disabled else user


#: What a user may change about their own workspace.
PREFERENCES = ("language", "shortcuts")


def set_preferences(session: Session, user_id: int, **values: object) -> None:
    """Remember the user's choices: ``language`` (None: follow the browser), ``shortcuts`` (bool)."""
    unknown = set(values) - set(PREFERENCES)
    if unknown:
        raise ValueError(f"not a preference: {', '.join(sorted(unknown))}")
    with writing(session):
        session.execute(sa.update(User).where(User.id == user_id).values(**values))


def log_in(session: Session, username: str, password: str, address: str) -> User | Throttled | None:
    """The active user with this username and password, or None; Throttled past the limits.

    Every attempt is recorded as a failure for the username and the address *before* the
    password is checked (scrypt takes a tenth of a second), so that parallel attempts count
    against each other; a success clears the username's failures. A name no user can have
    (``USERNAME``; a NUL character, say) is never looked up and shares one throttle.
    """
    name = username if USERNAME.fullmatch(username) else _IMPOSSIBLE_NAME
    now = utcnow()
    with writing(session):
        throttled = _throttled(session, name, address, now)
        if throttled is not None:
            return throttled
        session.execute(sa.delete(LoginFailure).where(LoginFailure.failed_at < now - THROTTLE_WINDOW))
        session.add(LoginFailure(username=name, address=address[:64], failed_at=now))
        user = session.scalar(sa.select(User).where(User.username == name)) if name == username else None
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if not (valid and user is not None and not user.disabled):
        return None
    with writing(session):
        session.execute(sa.delete(LoginFailure).where(LoginFailure.username == name))
    return user


#: The throttle's key for a name that cannot be a username (it does not match ``USERNAME``).
_IMPOSSIBLE_NAME = "!"


def _throttled(session: Session, username: str, address: str, now: datetime) -> Throttled | None:
    """Whether the username or the address failed too often within the window (in the caller's
    transaction)."""
    since = now - THROTTLE_WINDOW
    for column, limit, value in ((LoginFailure.username, MAX_FAILURES_PER_USER, username[:64]),
                                 (LoginFailure.address, MAX_FAILURES_PER_ADDRESS, address[:64])):
        times = list(session.scalars(
            sa.select(LoginFailure.failed_at).where(column == value, LoginFailure.failed_at >= since)
            .order_by(LoginFailure.failed_at.desc()).limit(limit)))
        if len(times) >= limit:
            # Free again when the oldest of the last ``limit`` failures leaves the window.
            return Throttled(times[-1] + THROTTLE_WINDOW)
    return None
