"""Storage on SQLite and PostgreSQL: migrations, races on unique keys and versions, timestamps."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner

from classifier.types import CommentScores, Evidence, Score
from moderation.cli import cli
from policies import decide
from service.domain import Outcome, Submission
from service.schemas import CommentSchema
from service.storage import database_revision, db, make_engine, upgrade_database
from service.storage.articles import get_article, save_article
from service.storage.comments import get_comment, save_comment
from service.storage.jsonvalues import plain
from service.storage.keys import create_key, find_key
from service.storage.migrate import alembic_config
from service.storage.models import Base, Comment, spot_sample
from service.storage.queue import queue_page
from service.storage.reviews import Conflict, review_comment


@pytest.fixture
def session(app):
    """A request's session, inside an app context."""
    with app.app_context():
        yield db.session()


@pytest.fixture
def decision(policy):
    """A hold decision with a reason that carries evidence and numpy-typed signals."""
    scores = CommentScores(
        {
            "respectful": Score(0.7, (Evidence("dumm", 8, 12, 1.5),), {"odd": np.float32(0.25)}),
            "on_topic": Score(0.1),
            "spam": Score(0.0),
        },
        model_version="m-1",
    )
    return decide(policy, scores)


@pytest.fixture
def article(session):
    """A stored article."""
    return save_article(session, {"id": "a-1", "title": "Grafikkarten"})[0]


def submission(**fields) -> Submission:
    """A comment on article a-1."""
    return Submission(**{"id": "c-1", "article_id": "a-1", "text": "Das ist dumm.", **fields})


def test_migrations_create_exactly_the_models(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


def test_upgrading_again_changes_nothing(database_url):
    upgrade_database(database_url)
    test_migrations_create_exactly_the_models(database_url)


def test_the_spot_sample_migration_fills_in_the_comments_there_are(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    command.upgrade(alembic_config(url), "0005")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO articles (id, title, body, created_at, updated_at) "
                                   "VALUES ('a-1', 't', 'b', '2026-01-01', '2026-01-01')"))
        connection.execute(sa.text(
            "INSERT INTO comments (id, article_id, status, revision, urgency, version, created_at, updated_at) "
            "VALUES ('c-old', 'a-1', 'approved', 1, 0.1, 1, '2026-01-01', '2026-01-01')"))
    upgrade_database(url)
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT spot_sample FROM comments")) == spot_sample("c-old")
    engine.dispose()


def test_db_upgrade_command_creates_the_tables(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    monkeypatch.setenv("MODERATION_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "created the tables" in result.output
    head = database_revision(url)
    assert head is not None and head in result.output
    again = CliRunner().invoke(cli, ["db", "upgrade"])
    assert again.exit_code == 0, again.output
    assert f"is up to date (schema revision {head})" in again.output
    engine = make_engine(url)
    assert {"comments", "comment_revisions", "api_keys"} <= set(sa.inspect(engine).get_table_names())
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("sqlite:////no/such/folder/x.sqlite", "Cannot upgrade"),
        ("postgresql+psycopg://postgres@127.0.0.1:1/test", "Cannot upgrade"),
        ("mysql://u@127.0.0.1/db", "driver that is not installed"),
        # A byte that is not UTF-8 in the variable ($'...te\xffst'), as Python decodes it.
        ("postgresql+psycopg://postgres@127.0.0.1:5432/te\udcffst", "not UTF-8"),
        # Would "create the tables" in a database that is gone when the command ends.
        ("sqlite:///:memory:", "in-memory SQLite database"),
        ("sqlite://", "in-memory SQLite database"),
        ("sqlite:///file:x?mode=memory&uri=true", "in-memory SQLite database"),
        ("sqlite:///file::memory:?uri=true", "in-memory SQLite database"),
    ],
    ids=["sqlite-folder-missing", "unreachable", "driver-missing", "not-utf8", "memory", "memory-no-path",
         "memory-uri", "memory-uri-name"],
)
def test_db_upgrade_on_an_unusable_database_is_one_message(monkeypatch, url, says):
    monkeypatch.setenv("MODERATION_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 1
    assert says in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    "url",
    ["mysql://moderation:s3cret@127.0.0.1/db", "postgresql+psycopg://moderation:s3cret@127.0.0.1/te\udcffst",
     "postgresql+psycopg://moderation:s3cret@127.0.0.1:1/test"],
    ids=["driver-missing", "not-utf8", "unreachable"],
)
def test_an_unusable_database_url_is_shown_without_its_password(monkeypatch, url):
    monkeypatch.setenv("MODERATION_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "moderation:***@127.0.0.1" in result.output and "s3cret" not in result.output


def test_db_upgrade_on_a_schema_from_a_newer_version_is_one_message(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'newer.sqlite'}"
    upgrade_database(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999future'"))
    engine.dispose()
    monkeypatch.setenv("MODERATION_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "9999future" in result.output and "Traceback" not in result.output


def test_db_upgrade_with_an_invalid_policy_file_is_one_message(tmp_path, monkeypatch):
    monkeypatch.setenv("MODERATION_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    monkeypatch.setenv("MODERATION_POLICY", str(tmp_path / "nope.json"))
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "nope.json" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("name", ["a" * 201, "two\nlines", "bell\x07"])
def test_key_names_are_one_printable_line(session, name):
    with pytest.raises(ValueError, match="printable"):
        create_key(session, role="backend", name=name)


def test_comment_round_trip_keeps_reasons_evidence_and_signals(session, article, decision):
    comment, outcome = save_comment(session, submission(), decision)
    assert outcome is Outcome.CREATED
    session.expunge_all()
    stored = get_comment(session, "c-1")
    assert stored is not comment
    [reason] = stored.current.reasons
    assert reason.evidence == [{"text": "dumm", "start": 8, "end": 12, "weight": 1.5}]
    assert reason.signals == {"odd": 0.25}
    assert reason.message == dict(decision.reasons[0].message)
    assert stored.current.statement_of_reasons == decision.statement_of_reasons
    assert stored.urgency == max(decision.scores.values())
    assert stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset() == timedelta(0)


def test_timestamps_come_back_in_utc(session):
    published = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    save_article(session, {"id": "a-1", "title": "T", "published_at": published})
    session.expunge_all()
    stored = get_article(session, "a-1")
    assert stored.published_at == published
    assert stored.published_at.utcoffset() == timedelta(0)


def test_saving_an_article_again_replaces_it(session):
    assert save_article(session, {"id": "a-1", "title": "T", "url": "https://x.example"})[1]
    article, created = save_article(session, {"id": "a-1", "title": "Neu"})
    assert not created
    session.expunge_all()
    stored = get_article(session, "a-1")
    assert (stored.title, stored.url, stored.body) == ("Neu", None, "")
    assert stored.updated_at > stored.created_at


def test_insert_race_on_the_unique_key_is_retried_as_the_update(session, article, decision, monkeypatch):
    save_comment(session, submission(), decision)
    session.expunge_all()
    real_get = session.get
    missed = []

    def get_missing_once(cls, ident, **kwargs):
        # As if another request inserted the comment right after this one looked.
        if cls is Comment and not missed:
            missed.append(ident)
            return None
        return real_get(cls, ident, **kwargs)

    monkeypatch.setattr(session, "get", get_missing_once)
    comment, outcome = save_comment(session, submission(), decision)
    assert missed == ["c-1"]
    assert outcome is Outcome.UNCHANGED
    assert comment.revision == 1


def test_review_racing_another_change_is_a_conflict(session, article, decision, app):
    save_comment(session, submission(), decision)
    moderator, _ = create_key(session, role="moderator", name="Erika")

    @sa.event.listens_for(session, "before_flush", once=True)
    def concurrent_update(flush_session, _context, _instances):
        # Another transaction changed the comment after this one read it (plain SQL, so
        # that the session's copy of the comment keeps the version it read).
        flush_session.connection().execute(
            sa.text("UPDATE comments SET version = version + 1 WHERE id = 'c-1'")
        )

    with pytest.raises(Conflict) as raised:
        review_comment(
            session, "c-1", decision="approve", api_key_id=moderator.id, moderator=moderator.name
        )
    assert raised.value.comment.status == "held"
    assert raised.value.comment.review is None
    # The 409 answer shows the comment as it is now, read after the rollback expired it.
    shown = CommentSchema().dump(raised.value.comment)
    assert (shown["version"], shown["text"], shown["reasons"][0]["code"]) == (1, "Das ist dumm.", "ABUSIVE")
    assert get_comment(session, "c-1").reviews == []


def test_queue_breaks_ties_by_age_then_id(session, article, decision):
    for comment_id in ("c-b", "c-a", "c-c"):
        save_comment(session, submission(id=comment_id), decision)
    same_time = datetime(2026, 1, 1, tzinfo=UTC)
    with session.begin():
        session.execute(sa.update(Comment).values(created_at=same_time))
    session.expunge_all()
    first, position = queue_page(session, status="held", limit=2)
    rest, end = queue_page(session, status="held", limit=2, after=position)
    assert [c.id for c in first + rest] == ["c-a", "c-b", "c-c"]
    assert end is None


def test_keys_are_found_by_the_key_only(session):
    api_key, key = create_key(session, role="backend", name="site")
    assert find_key(session, key).id == api_key.id
    assert find_key(session, key + "x") is None
    with pytest.raises(ValueError, match="role"):
        create_key(session, role="root", name="x")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"a": (1, 2)}, {"a": [1, 2]}),
        ({"n": np.int64(3), "f": np.float64(0.5)}, {"n": 3, "f": 0.5}),
        ([math.nan, math.inf, 1.0], [None, None, 1.0]),
        (np.array([1, 2]), [1, 2]),
        ({1: frozenset()}, {"1": []}),
        (object, str(object)),
    ],
)
def test_plain_makes_classifier_output_json(value, expected):
    assert plain(value) == expected
