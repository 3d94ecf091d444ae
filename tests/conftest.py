"""Shared fixtures: the app on SQLite and on PostgreSQL, a fake model, requests with API keys.

Storage and API tests run once per database: ``database_url`` is parametrized over a SQLite
file and the PostgreSQL server at 127.0.0.1:5432 (database ``test``; another server with
``MODERATION_TEST_POSTGRES_URL``), in a schema of its own per test run so that parallel runs do
not collide. If PostgreSQL is unreachable those tests fail, unless
``MODERATION_TEST_SKIP_POSTGRES=1`` says to skip them.

The classifier's fixtures are in their own section at the end.
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

from classifier.types import ArticleText, CommentInput, CommentScores, Evidence, RuleScore
from policies import Policy, load_policy
from service import create_app
from service.storage import db, make_engine, upgrade_database
from service.storage.keys import create_key
from service.storage.models import ROLES, Base

POSTGRES_SERVER = os.environ.get(
    "MODERATION_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


# --- a deterministic model -----------------------------------------------------------------


class FakeModel:
    """A stand-in for the trained model whose scores follow marker words in the comment.

    The scores sit between the policy's thresholds, so that the expected decisions follow
    from the policy rather than from numbers written into the tests:

    - "idiot": disrespectful enough to reject; "dumm": enough to hold;
    - "wetter" (weather): off-topic enough to hold;
    - "http": spam enough to reject;
    - "explode": scoring raises;
    - anything else: clearly fine on every rule.
    """

    version = "fake-1"

    def __init__(self, policy: Policy) -> None:
        rules = policy.rules
        self.fine = min(rule.clearly_fine_below for rule in rules.values()) / 2
        self.hold = {name: _between(rule.hold, rule.reject) for name, rule in rules.items()}
        self.reject = {name: _between(rule.reject, None) for name, rule in rules.items()}
        self.scored: list[CommentInput] = []  # every comment scored, in order
        self.prepared: list[ArticleText] = []  # every article prepared, in order

    def score(self, comment: CommentInput, *, evidence_above: float = 0.0) -> CommentScores:
        """Score one comment from its marker words (the fake always gives its evidence)."""
        if "explode" in comment.text:
            raise RuntimeError("the fake model exploded")
        self.scored.append(comment)
        return CommentScores(
            respectful=self._rule(comment.text, {"idiot": self.reject, "dumm": self.hold}, "respectful"),
            on_topic=self._rule(comment.text, {"wetter": self.hold}, "on_topic"),
            spam=self._rule(comment.text, {"http": self.reject}, "spam"),
            model_version=self.version,
        )

    def score_many(self, comments: Sequence[CommentInput], *,
                   evidence_above: float = 0.0) -> list[CommentScores]:
        """Score several comments; like a real batch, one failure fails them all."""
        return [self.score(comment) for comment in comments]

    def warm_up(self) -> None:
        """Nothing to load."""

    def prepare_article(self, article: ArticleText) -> None:
        """Remember the article (the tests check that publishing one prepares it)."""
        self.prepared.append(article)

    def _rule(self, text: str, markers: dict[str, dict[str, float]], rule: str) -> RuleScore:
        """The rule's score and evidence: the first marker found, or a clearly fine score."""
        lowered = text.lower()
        for word, level in markers.items():
            start = lowered.find(word)
            if start >= 0:
                evidence = Evidence(text[start : start + len(word)], start, start + len(word), 2.5)
                return RuleScore(level[rule], (evidence,), {"marker": word})
        return RuleScore(self.fine)


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
        if os.environ.get("MODERATION_TEST_SKIP_POSTGRES") == "1":
            pytest.skip(message)
        pytest.fail(message + " (set MODERATION_TEST_SKIP_POSTGRES=1 to skip these tests)")
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


# --- classifier fixtures -------------------------------------------------------------------
# Owned by the classifier tests (test_normalize, test_evidence, test_fast_path, test_domain,
# test_topic, test_bundle, test_training, test_classifier_cli); the names start with "clf_" or
# "trained_" so that they cannot clash with the service fixtures above. A small model is trained
# ONCE per session, on a subset of training_data/ plus tiny invented public corpora written in the
# real file formats, and shared read-only: tests that change a bundle work on a copy.

import csv as _csv  # noqa: E402  (kept in this section: the section is self-contained)
import io as _io  # noqa: E402
import json as _json  # noqa: E402
import shutil as _shutil  # noqa: E402
from dataclasses import dataclass as _dataclass  # noqa: E402
from pathlib import Path as _Path  # noqa: E402

CLF_REPO_ROOT = _Path(__file__).resolve().parents[1]
CLF_TRAINING_DATA = CLF_REPO_ROOT / "training_data"
# Four German and two English articles: every category, obfuscated insults, replies (about 700
# comments; the whole folder would triple the training time of the session model).
CLF_TEAM_ARTICLES = (
    "de-eauto-ladenetz",
    "de-kernfusion-rekord",
    "de-smartphone-reparatur",
    "de-ukraine-ceasefire-troops",
    "en-password-manager-breach",
    "en-smartphone-launch",
)
# An even smaller subset for tests that train through the CLI (with its default 5-fold CV): the
# first comments of one German and one English article.
CLF_CLI_TEAM_ARTICLES = ("de-eauto-ladenetz", "en-smartphone-launch")
CLF_CLI_TEAM_COMMENTS = 60

# Invented texts for the fixture corpora (none is taken from a real corpus). Line i combines opener
# i % 6, word i % 10 and closer i % 5, so the 30 lines of one kind are all different.
_CLF_INSULTS = ("Vollidiot", "Idiot", "Depp", "Trottel", "Schwachkopf", "Penner", "Dummschwätzer",
                "Volltrottel", "Hohlkopf", "Vollpfosten")
_CLF_TOPICS = ("regnet es in Kiel", "fährt die Bahn wieder pünktlich", "gibt es frischen Kuchen",
               "spielt der HSV zu Hause", "ist der Wochenmarkt geöffnet", "beginnt das Stadtfest",
               "läuft ein guter Film im Kino", "öffnet die neue Bibliothek",
               "kommt der Bus zehn Minuten später", "testen wir das neue Lastenrad")
_CLF_TEMPLATES = {
    # (corpus, split, offensive?) -> (openers, closers); 6 openers x 5 closers x 10 words
    ("germeval2018", "train", True): (
        ("@nutzer_a Du bist ein", "Was für ein", "Der Minister ist ein", "Halt die Klappe, du",
         "Jeder weiß es: du bist ein", "Unser Bürgermeister ist ein"),
        ("!", ", echt jetzt.", " und bleibst es.", " |LBR| Unfassbar.", " 🤬")),
    ("germeval2018", "train", False): (
        ("Heute", "Am Wochenende", "@nutzer_c Morgen", "Gestern Abend", "Seit Montag",
         "Nächste Woche"),
        (".", ", schön!", " – wer kommt mit?", " |LBR| Freue mich.", " 😊")),
    ("germeval2018", "test", True): (
        ("Schon wieder so ein", "Dieser Moderator ist ein", "@nutzer_z Geh weg, du",
         "Typisch für so einen", "Sag mal, bist du ein", "Der Typ da ist ein"),
        ("!!", ", mehr nicht.", " hoch drei.", " – sorry, ist so.", " 🙄")),
    ("germeval2018", "test", False): (
        ("Am Dienstag", "Heute früh", "Übermorgen", "Diesen Sommer", "Jeden Freitag", "Bald"),
        (" :)", ", klasse.", " – endlich!", ". Mal sehen.", " 👍")),
    ("germeval2021", "train", True): (
        ("Der Autor ist ein", "Wer so etwas schreibt, ist ein", "Der Kommentator über mir ist ein",
         "Nur ein", "Die Chefredakteurin ist ein", "Jeder, der das glaubt, ist ein"),
        (".", ", peinlich.", " – mehr gibt es nicht zu sagen.", "!!!", " 😡")),
    ("germeval2021", "train", False): (
        ("Danke für den Bericht, bei uns", "Interessant, in meiner Stadt", "Laut Rathaus",
         "Meine Nachbarin sagt, hier", "Kleine Ergänzung: dort", "Wie ich höre,"),
        (".", ", gut zu wissen.", " – das war überfällig.", ", Quelle folgt.", " 🙂")),
    ("germeval2021", "test", True): (
        ("Die Reporterin ist ein", "Jeder Leser hier ist ein", "So schreibt nur ein",
         "Der Verfasser bleibt ein", "Was ist das für ein", "Du bist und bleibst ein"),
        (".", "!", ", ganz ehrlich.", " – traurig.", " 🤮")),
    ("germeval2021", "test", False): (
        ("Bei mir um die Ecke", "In unserem Dorf", "Nach meiner Erfahrung", "Offiziell",
         "Zum Glück", "Soweit ich weiß"),
        (".", ", prima.", " – gute Nachricht.", ", oder?", " 😀")),
}


def _clf_lines(corpus: str, split: str, offensive: bool, count: int = 30) -> list[str]:
    """``count`` distinct invented texts of one kind."""
    openers, closers = _CLF_TEMPLATES[(corpus, split, offensive)]
    words = _CLF_INSULTS if offensive else _CLF_TOPICS
    return [f"{openers[i % 6]} {words[i % 10]}{closers[i % 5]}" for i in range(count)]


def _clf_germeval2018_file(rows: list[tuple[str, bool]]) -> str:
    return "".join(f"{text}\t{'OFFENSE' if bad else 'OTHER'}\t{'INSULT' if bad else 'OTHER'}\n"
                   for text, bad in rows)


def _clf_germeval2021_file(rows: list[tuple[str, bool]]) -> str:
    buffer = _io.StringIO(newline="")
    writer = _csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["comment_id", "comment_text", "Sub1_Toxic", "Sub2_Engaging", "Sub3_FactClaiming"])
    writer.writerows([number, text, int(bad), 0, 0] for number, (text, bad) in enumerate(rows, start=1))
    return buffer.getvalue()


def _clf_copy_team_subset(target: _Path, articles: tuple[str, ...], max_comments: int | None = None) -> _Path:
    """Copy ``articles`` and their comments (the first ``max_comments`` of each, keeping only
    replies whose parent is kept) into ``target``."""
    (target / "articles").mkdir(parents=True, exist_ok=True)
    (target / "comments").mkdir(parents=True, exist_ok=True)
    for article in articles:
        _shutil.copy(CLF_TRAINING_DATA / "articles" / f"{article}.json", target / "articles")
        lines = (CLF_TRAINING_DATA / "comments" / f"{article}.jsonl").read_text(encoding="utf-8").splitlines()
        kept: list[str] = []
        ids: set[str] = set()
        for line in filter(str.strip, lines[:max_comments]):
            comment = _json.loads(line)
            if comment.get("parent_id") in (None, *ids):
                kept.append(line)
                ids.add(comment["id"])
        (target / "comments" / f"{article}.jsonl").write_text("\n".join(kept) + "\n", encoding="utf-8")
    return target


@_dataclass(frozen=True)
class ClfCorpora:
    """The invented public corpora under ``data_dir`` and the texts planted to test leak checks."""

    data_dir: _Path
    # (text in a training file, the test or held-out text it duplicates after normalisation)
    planted: tuple[tuple[str, str], ...]
    test_counts: dict[str, int]


@_dataclass(frozen=True)
class TrainedBundle:
    """The session's trained model bundle and what went into it."""

    team_dir: _Path
    corpora: ClfCorpora
    model_dir: _Path
    path: _Path  # the bundle's version directory
    metadata: dict
    training_texts: tuple[str, ...]  # what the respect model was fitted on
    training_sources: tuple[str, ...]
    progress: tuple[str, ...]


@pytest.fixture(scope="session")
def clf_team_dir(tmp_path_factory: pytest.TempPathFactory) -> _Path:
    """A copy of six articles of training_data/ with their comments (read-only for tests)."""
    return _clf_copy_team_subset(tmp_path_factory.mktemp("team"), CLF_TEAM_ARTICLES)


@pytest.fixture(scope="session")
def clf_cli_team_dir(tmp_path_factory: pytest.TempPathFactory) -> _Path:
    """A copy of two articles of training_data/, 60 comments each, for training through the CLI."""
    return _clf_copy_team_subset(tmp_path_factory.mktemp("cli-team"), CLF_CLI_TEAM_ARTICLES,
                                 CLF_CLI_TEAM_COMMENTS)


@pytest.fixture(scope="session")
def clf_corpora(tmp_path_factory: pytest.TempPathFactory, clf_team_dir: _Path) -> ClfCorpora:
    """GermEval 2018 and 2021 folders with about 60 invented lines per file, in the real formats.

    Five training texts duplicate evaluation texts after normalisation (the same text, one with
    another @mention, one with a URL appended, one across corpora, one from the team's held-out
    split): training must drop all five.
    """
    from classifier.teamdata import load_team_data

    data_dir = tmp_path_factory.mktemp("corpora")
    splits = {
        (corpus, split): [(text, bad) for bad in (True, False) for text in _clf_lines(corpus, split, bad)]
        for corpus in ("germeval2018", "germeval2021") for split in ("train", "test")
    }
    ge18_test = [text for text, _ in splits[("germeval2018", "test")]]
    heldout = next(c.text for c in load_team_data(clf_team_dir).split("heldout")
                   if "\n" not in c.text and "\t" not in c.text and not c.respectful)
    planted = (
        (ge18_test[0], ge18_test[0]),
        ("@jemand_anderes " + ge18_test[31], ge18_test[31]),
        (ge18_test[2] + " https://t.co/AbC123", ge18_test[2]),
        (heldout, heldout),
    )
    splits[("germeval2018", "train")] += [(text, source not in ge18_test[30:]) for text, source in planted]
    cross = ge18_test[33]  # a GermEval 2018 test tweet planted in GermEval 2021 training data
    splits[("germeval2021", "train")].append((cross, False))
    planted += ((cross, cross),)

    ge18, ge21 = data_dir / "germeval2018", data_dir / "germeval2021"
    ge18.mkdir()
    ge21.mkdir()
    (ge18 / "germeval2018.training.txt").write_bytes(
        _clf_germeval2018_file(splits[("germeval2018", "train")]).encode())
    (ge18 / "germeval2018.test.txt").write_bytes(
        _clf_germeval2018_file(splits[("germeval2018", "test")]).encode())
    (ge21 / "GermEval21_TrainData.csv").write_bytes(
        _clf_germeval2021_file(splits[("germeval2021", "train")]).encode())
    (ge21 / "GermEval21_TestData.csv").write_bytes(
        _clf_germeval2021_file(splits[("germeval2021", "test")]).encode())
    return ClfCorpora(data_dir, planted, {"germeval2018": 60, "germeval2021": 60})


@pytest.fixture(scope="session")
def trained_bundle(tmp_path_factory: pytest.TempPathFactory, clf_team_dir: _Path,
                   clf_corpora: ClfCorpora) -> TrainedBundle:
    """Train once per session (2-fold CV, no sentence encoder) and record the training texts."""
    import classifier.training as training

    seen: dict[str, list[str]] = {}
    original = training._train_respect

    def spy(examples, *args, **kwargs):
        seen["texts"], seen["sources"] = list(examples.texts), list(examples.sources)
        return original(examples, *args, **kwargs)

    progress: list[str] = []
    model_dir = tmp_path_factory.mktemp("models")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(training, "_train_respect", spy)
        path = training.train_models(clf_team_dir, model_dir, clf_corpora.data_dir,
                                     options=training.TrainingOptions(cv=2, encoder=False),
                                     progress=progress.append)
    metadata = _json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    return TrainedBundle(clf_team_dir, clf_corpora, model_dir, path, metadata,
                         tuple(seen["texts"]), tuple(seen["sources"]), tuple(progress))


@pytest.fixture(scope="session")
def encoder_model_dir(tmp_path_factory: pytest.TempPathFactory, clf_cli_team_dir: _Path) -> _Path:
    """A model *with* the sentence encoder (both cascades), on the two-article CLI subset of the
    team data, no public corpora: a few seconds. Read-only for tests."""
    import classifier.training as training

    model_dir = tmp_path_factory.mktemp("encoder-model")
    training.train_models(clf_cli_team_dir, model_dir, None, options=training.TrainingOptions(cv=2))
    return model_dir


@pytest.fixture(scope="session")
def trained_model(trained_bundle: TrainedBundle):
    """The session bundle, loaded. Shared: never save it again or change its attributes."""
    from classifier.bundle import load_model

    return load_model(trained_bundle.model_dir)
