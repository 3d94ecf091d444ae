"""Service fixtures: the app on SQLite and on PostgreSQL, a fake model, requests with API keys.

Storage and API tests run once per database: ``database_url`` is parametrized over a SQLite
file and the PostgreSQL server at 127.0.0.1:5432 (database ``test``; another server with
``MODERATION_TEST_POSTGRES_URL``), in a schema of its own per test run so that parallel runs do
not collide. If PostgreSQL is unreachable those tests fail, unless
``MODERATION_TEST_SKIP_POSTGRES=1`` says to skip them.

"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from classifier.scores import SCORES
from classifier.types import ArticleText, CommentInput, CommentScores, Evidence, Score
from common import settings
from policies import Policy, load_policy
from policies.policy import RulePolicy
from service import create_app
from service.storage import db, make_engine, upgrade_database
from service.storage.keys import create_key
from service.storage.models import ROLES, Base

POSTGRES_SERVER = settings.TEST_POSTGRES_URL.value()


# --- a deterministic model -----------------------------------------------------------------


class FakeModel:
    """A stand-in for the trained model whose scores follow marker words in the comment.

    It gives every score of the registry. The scores sit between the thresholds of the policy's
    rule that reads them, so that the expected decisions follow from the policy rather than from
    numbers written into the tests:

    - "idiot": disrespectful enough to reject; "dumm": enough to hold;
    - "wetter" (weather): off-topic enough to hold;
    - "http": spam enough to reject;
    - "explode": scoring raises;
    - anything else (and every score without markers): clearly fine on every rule.
    """

    version = "fake-1"
    #: Per score, marker word -> the threshold its score reaches.
    MARKERS = {
        "respectful": {"idiot": "reject", "dumm": "hold"},
        "on_topic": {"wetter": "hold"},
        "spam": {"http": "reject"},
    }

    def __init__(self, policy: Policy) -> None:
        rules = policy.rules
        self.fine = min(rule.clearly_fine_below for rule in rules.values()) / 2
        readers: dict[str, RulePolicy] = {}  # the first rule that reads each score
        for rule in rules.values():
            for name in rule.scores:
                readers.setdefault(name, rule)
        self.levels = {
            name: {"hold": _between(rule.hold, rule.reject), "reject": _between(rule.reject, None)}
            for name, rule in readers.items()
        }
        self.scored: list[CommentInput] = []  # every comment scored, in order
        self.prepared: list[ArticleText] = []  # every article prepared, in order

    def score(self, comment: CommentInput, *, evidence_above: float = 0.0) -> CommentScores:
        """Score one comment from its marker words (the fake always gives its evidence)."""
        if "explode" in comment.text:
            raise RuntimeError("the fake model exploded")
        self.scored.append(comment)
        return CommentScores({spec.name: self._score(comment.text, spec.name) for spec in SCORES},
                             model_version=self.version)

    def score_many(self, comments: Sequence[CommentInput], *,
                   evidence_above: float = 0.0) -> list[CommentScores]:
        """Score several comments; like a real batch, one failure fails them all."""
        return [self.score(comment) for comment in comments]

    def warm_up(self) -> None:
        """Nothing to load."""

    def prepare_article(self, article: ArticleText) -> None:
        """Remember the article (the tests check that publishing one prepares it)."""
        self.prepared.append(article)

    def _score(self, text: str, name: str) -> Score:
        """The score and evidence: the first marker found, or a clearly fine score."""
        lowered = text.lower()
        levels = self.levels.get(name)
        for word, threshold in self.MARKERS.get(name, {}).items():
            start = lowered.find(word)
            if levels is not None and start >= 0:
                evidence = Evidence(text[start : start + len(word)], start, start + len(word), 2.5)
                return Score(levels[threshold], (evidence,), {"marker": word})
        return Score(self.fine)


def _between(low: float | None, high: float | None) -> float | None:
    """A score at or above ``low`` and below ``high`` (1 if None); None if ``low`` is None."""
    if low is None:
        return None
    return (low + (1.0 if high is None else high)) / 2


@pytest.fixture
def policy() -> Policy:
    """The site's default policy, the one the app serves in tests."""
    return load_policy()


@pytest.fixture
def model(policy: Policy) -> FakeModel:
    """The fake model the app serves."""
    return FakeModel(policy)


# --- databases -----------------------------------------------------------------------------


def _postgres_url() -> str:
    """A fresh schema on the test PostgreSQL server, as a URL that uses it."""
    server = make_engine(POSTGRES_SERVER)
    try:
        with server.begin() as connection:
            schema = f"test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    except sa.exc.OperationalError as error:
        message = f"PostgreSQL at {POSTGRES_SERVER} is unreachable: {error.orig}"
        if settings.TEST_SKIP_POSTGRES.value():
            pytest.skip(message)
        pytest.fail(message + f" (set {settings.TEST_SKIP_POSTGRES.variable}=1 to skip these tests)")
    finally:
        server.dispose()
    return f"{POSTGRES_SERVER}?options=-csearch_path%3D{schema}"


def _drop_schema(url: str) -> None:
    """Drop the test run's PostgreSQL schema."""
    schema = re.search(r"search_path%3D(\w+)", url).group(1)
    server = make_engine(POSTGRES_SERVER)
    with server.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    server.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty, migrated database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'moderation.sqlite'}"
    else:
        url = _postgres_url()
    upgrade_database(url)
    yield url
    if request.param == "postgresql":
        _drop_schema(url)


def empty_tables(url: str) -> None:
    """Delete every row, children first, so that each test starts from empty tables."""
    engine = make_engine(url)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


# --- the app -------------------------------------------------------------------------------


@pytest.fixture
def app_config(database_url: str, model: FakeModel, tmp_path) -> dict[str, Any]:
    """The test settings; tests change them before the ``app`` fixture is built."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "MODEL": model,
        "MODEL_DIR": str(tmp_path / "models"),
        "SECRET_KEY": "test secret key",  # else one is written into the instance folder
    }


@pytest.fixture
def build_app(app_config: dict[str, Any]) -> Iterator[Callable[..., Flask]]:
    """A function creating apps from the test settings plus overrides; cleaned up after."""
    apps = []

    def build(**overrides: Any) -> Flask:
        apps.append(create_app({**app_config, **overrides}))
        return apps[-1]

    yield build
    for app in apps:
        db.engine(app).dispose()
    empty_tables(app_config["DATABASE_URL"])


@pytest.fixture
def app(build_app: Callable[..., Flask]) -> Flask:
    """The app on the test database, emptied after the test."""
    return build_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


class ApiActions:
    """Requests with an API key of a given role (flaskr's AuthActions, for API keys)."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app = app
        self.client = client
        with app.app_context():
            self.keys = {
                role: create_key(db.session(), role=role, name=f"test {role}")[1] for role in ROLES
            }

    def headers(self, role: str) -> dict[str, str]:
        """The Authorization header of the role's key."""
        return {"Authorization": f"Bearer {self.keys[role]}"}

    def get(self, path: str, *, role: str, **kwargs: Any) -> TestResponse:
        """GET with the role's key."""
        return self.client.get(path, headers=self.headers(role), **kwargs)

    def post(self, path: str, *, role: str, **kwargs: Any) -> TestResponse:
        """POST with the role's key."""
        return self.client.post(path, headers=self.headers(role), **kwargs)

    def post_article(self, **fields: Any) -> dict[str, Any]:
        """Store an article (defaults for the required fields) and return it."""
        article = {"id": "a-1", "title": "Neue Grafikkarten im Test", "body": "Die GPU ...", **fields}
        response = self.post("/v1/articles", role="backend", json=article)
        assert response.status_code in (200, 201), response.json
        return response.json

    def post_comment(self, **fields: Any) -> TestResponse:
        """Post a comment (defaults for the required fields)."""
        comment = {"id": "c-1", "article_id": "a-1", "text": "Gute Karte, danke.", **fields}
        return self.post("/v1/comments", role="backend", json=comment)


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> ApiActions:
    """Requests with a key of each role."""
    return ApiActions(app, client)


@pytest.fixture
def api_for() -> Callable[[Flask], ApiActions]:
    """Requests with keys of each role to another app (one from ``build_app``)."""
    return lambda app: ApiActions(app, app.test_client())


@pytest.fixture
def rows(app: Flask) -> Callable[[], dict[str, int]]:
    """A function giving the number of rows in every table, to check what a request wrote."""

    def count() -> dict[str, int]:
        with db.engine(app).connect() as connection:
            return {
                table.name: connection.execute(sa.select(sa.func.count()).select_from(table))
                .scalar_one()
                for table in Base.metadata.sorted_tables
            }

    return count
