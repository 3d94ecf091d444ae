"""API keys: created once, stored only as a SHA-256 hash, looked up by hash."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.storage.database import writing
from service.storage.models import ROLES, ApiKey

MAX_NAME_LENGTH = 200  # the column's size
KEY_PREFIX = "mod_"  # makes a leaked key easy to recognise, e.g. by secret scanners


def hash_key(key: str) -> str:
    """The SHA-256 hex digest under which a key is stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(session: Session, *, role: str, name: str) -> tuple[ApiKey, str]:
    """Create an API key; the key itself is returned here and never again.

    :raise ValueError: ``role`` is not one of :data:`ROLES`, or ``name`` is blank, longer than
        :data:`MAX_NAME_LENGTH` or holds control characters (it is shown as the moderator's name).
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    name = name.strip()
    if not name:
        raise ValueError("the key needs a name (who or what uses it)")
    if len(name) > MAX_NAME_LENGTH or not name.isprintable():
        raise ValueError(f"the name must be one line of at most {MAX_NAME_LENGTH} printable "
                         "characters")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey(name=name, role=role, key_hash=hash_key(key))
    with writing(session):
        session.add(api_key)
    return api_key, key


def find_key(session: Session, key: str) -> ApiKey | None:
    """The stored key matching ``key``, or None."""
    with session.begin():
        return session.scalar(sa.select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
