"""Access: API keys by role on every route, keys stored only as hashes, ``keys create``."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from moderation.cli import cli
from service.storage import db
from service.storage.keys import create_key
from service.storage.models import ROLES

# Every route that needs a key, a request that would succeed, and the roles besides admin.
ROUTES = [
    ("POST", "/v1/articles", {"id": "a-9", "title": "Neu"}, {"backend"}),
    ("GET", "/v1/articles/a-1", None, {"backend", "moderator"}),
    ("POST", "/v1/comments", {"id": "c-9", "article_id": "a-1", "text": "Hallo"}, {"backend"}),
    (
        "POST",
        "/v1/comments/batch",
        {"comments": [{"id": "c-9", "article_id": "a-1", "text": "Hallo"}]},
        {"backend"},
    ),
    ("GET", "/v1/comments/c-1", None, {"backend", "moderator"}),
    ("GET", "/v1/queue", None, {"moderator"}),
    ("POST", "/v1/comments/c-1/decision", {"decision": "approve"}, {"moderator"}),
]
ROUTE_IDS = [f"{method} {path}" for method, path, _, _ in ROUTES]


@pytest.fixture
def stored(api):
    """An article and a comment for the routes to find."""
    api.post_article(id="a-1")
    api.post_comment(id="c-1", article_id="a-1", text="Das ist dumm.")


def call(client, method: str, path: str, body, headers=None):
    """Send the route's request."""
    return client.open(path, method=method, json=body, headers=headers or {})


@pytest.mark.parametrize(("method", "path", "body", "roles"), ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer mod_wrong", "Basic dXNlcjpwYXNz", "mod_no_scheme"],
    ids=["none", "empty-bearer", "unknown-key", "basic", "no-scheme"],
)
def test_without_a_valid_key_every_route_is_401(api, stored, rows, method, path, body, roles, header):
    before = rows()
    response = call(api.client, method, path, body, {"Authorization": header} if header else None)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert rows() == before


@pytest.mark.parametrize(("method", "path", "body", "roles"), ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_only_its_routes(api, stored, method, path, body, roles, role):
    response = call(api.client, method, path, body, api.headers(role))
    if role in roles | {"admin"}:
        assert response.status_code in (200, 201), response.json
    else:
        assert response.status_code == 403
        assert role in response.json["detail"]


def test_key_is_checked_before_the_body_is_read(api):
    response = api.client.post("/v1/comments", data=b"{not json", content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_health_and_metrics_need_no_key(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/openapi.json", "/docs", "/docs/assets/swagger-ui.css"])
def test_docs_are_public_unless_configured_otherwise(build_app, api_for, path):
    with build_app().test_client().get(path) as public:  # a file response stays open until closed
        assert public.status_code == 200
    closed = api_for(build_app(DOCS_PUBLIC=False))
    assert closed.client.get(path).status_code == 401
    with closed.get(path, role="moderator") as answer:
        assert answer.status_code == 200


def test_only_the_hash_of_a_key_is_stored(app, api):
    with db.engine(app).connect() as connection:
        stored = connection.execute(sa.text("SELECT key_hash FROM api_keys")).scalars().all()
        dump = "\n".join(str(row) for row in connection.execute(sa.text("SELECT * FROM api_keys")))
    for key in api.keys.values():
        assert key not in dump
        assert hashlib.sha256(key.encode()).hexdigest() in stored


def test_keys_create_prints_a_working_key_on_the_last_line(app_config, build_app, monkeypatch):
    monkeypatch.setenv("MODERATION_DATABASE_URL", app_config["DATABASE_URL"])
    result = CliRunner().invoke(cli, ["keys", "create", "--role", "moderator", "--name", "Erika"])
    assert result.exit_code == 0, result.output
    key = result.output.splitlines()[-1]
    assert key.startswith("mod_") and " " not in key
    app = build_app()
    client = app.test_client()
    assert client.get("/v1/queue", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert client.post("/v1/articles", json={}, headers={"Authorization": f"Bearer {key}"}).status_code == 403


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["create", "--role", "root", "--name", "x"], "root"),
        (["create", "--role", "admin"], "--name"),
        (["create", "--role", "admin", "--name", "  "], "name"),
    ],
)
def test_keys_create_refuses_bad_options(app_config, monkeypatch, args, says):
    monkeypatch.setenv("MODERATION_DATABASE_URL", app_config["DATABASE_URL"])
    result = CliRunner().invoke(cli, ["keys", *args])
    assert result.exit_code == 2
    assert says in result.output
    assert "Traceback" not in result.output


def test_a_new_key_works_at_once_after_being_refused(app, api, monkeypatch):
    monkeypatch.setattr("service.storage.keys.secrets.token_urlsafe", lambda _size: "fixed")
    headers = {"Authorization": "Bearer mod_fixed"}
    assert api.client.get("/v1/queue", headers=headers).status_code == 401
    with app.app_context():
        create_key(db.session(), role="moderator", name="new")
    assert api.client.get("/v1/queue", headers=headers).status_code == 200
