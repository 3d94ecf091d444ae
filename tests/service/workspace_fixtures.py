"""Workspace fixtures: users, and a test client that logs in through the form."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service.storage import db
from service.storage.users import create_user

PASSWORD = "richtig-geheim-1"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Moderator:
    """A browser-less moderator: a test client with the workspace's CSRF token at hand."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = ""

    def log_in(self, username: str, password: str = PASSWORD) -> TestResponse:
        """Open the log-in page, then send the form with its token."""
        self.token = csrf_token(self.client.get("/moderate/login"))
        response = self.client.post("/moderate/login", data={
            "username": username, "password": password, "csrf_token": self.token})
        return response

    def page(self, path: str = "/moderate") -> TestResponse:
        """GET a page and keep its CSRF token."""
        response = self.client.get(path)
        if response.status_code == 200:
            self.token = csrf_token(response)
        return response

    def post(self, path: str, *, htmx: bool = True, **data: Any) -> TestResponse:
        """POST a form with the token, as htmx sends it unless ``htmx`` is False."""
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(path, data={"csrf_token": self.token, **data}, headers=headers)

    def decide(self, comment_id: str, **data: Any) -> TestResponse:
        """Post a decision on a comment."""
        return self.post(f"/moderate/comments/{comment_id}/decision", **data)


def csrf_token(response: TestResponse) -> str:
    """The CSRF token in a workspace page."""
    return _TOKEN.search(response.get_data(as_text=True)).group(1)


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    """Create a workspace user (password :data:`PASSWORD`)."""

    def make(username: str = "anna", role: str = "moderator") -> Any:
        with app.app_context():
            return create_user(db.session(), username=username, role=role, password=PASSWORD)

    return make


@pytest.fixture
def log_in_as(app: Flask, make_user: Callable[..., Any]) -> Callable[..., Moderator]:
    """A new moderator account, logged in with its own client, on ``path`` (default: the queue)."""

    def log_in(username: str, path: str = "/moderate") -> Moderator:
        make_user(username)
        user = Moderator(app.test_client())
        assert user.log_in(username).status_code == 303
        user.page(path)
        return user

    return log_in


@pytest.fixture
def moderator(log_in_as: Callable[..., Moderator]) -> Moderator:
    """Anna, logged in."""
    return log_in_as("anna")
