"""``moderation decisions export``: moderators' decisions as JSON lines, on SQLite and PostgreSQL.

Decisions are taken through the API (the fake model's marker words decide what the machine
says) and exported through the command, reading ``MODERATION_DATABASE_URL`` like the service.
"""

from __future__ import annotations

import errno
import io
import json
import os
import stat
import threading
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner, Result

from classifier.data.moderator_decisions import load_decisions
from moderation.cli import cli
from service.storage import database_revision, db, make_engine
from service.storage.decisions import write_decisions
from service.storage.migrate import alembic_config


@pytest.fixture
def export(app, app_config, monkeypatch):
    """Run ``moderation decisions export`` with arguments against the test database."""
    monkeypatch.setenv("MODERATION_DATABASE_URL", app_config["DATABASE_URL"])

    def run(*args: str) -> Result:
        result = CliRunner().invoke(cli, ["decisions", "export", *args])
        assert result.exit_code == 0, result.output
        return result

    return run


def lines(result: Result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def decide(api, comment_id: str, **body) -> dict:
    """A moderator's decision through the API; returns the comment."""
    response = api.post(f"/v1/comments/{comment_id}/decision", role="moderator", json=body)
    assert response.status_code == 200, response.json
    return response.json


@pytest.fixture
def comments(api):
    """An article and comments the fake model approves ("Gute Karte."), holds for disrespect
    ("dumm", reason ABUSIVE) or holds as off topic ("Wetter", IRRELEVANT_CONTENT)."""
    api.post_article(id="a-1", title="Neue Grafikkarten im Test", body="Die GPU ist schnell.", lang="de")
    for comment_id, text in [("c-fine", "Gute Karte."), ("c-dumb", "Das ist dumm."),
                             ("c-weather", "Schönes Wetter."), ("c-plain", "Teuer, aber gut.")]:
        assert api.post_comment(id=comment_id, text=text, lang="de").status_code == 201


def test_each_decision_with_its_text_article_and_reason_code(api, comments, export):
    reviews = {
        "c-dumb": decide(api, "c-dumb", decision="reject")["review"],  # no code: the machine's reason
        "c-weather": decide(api, "c-weather", decision="reject", reason_code="SPAM")["review"],
        "c-fine": decide(api, "c-fine", decision="reject")["review"],  # no code, no automated reason
        "c-plain": decide(api, "c-plain", decision="approve")["review"],
    }
    result = export()
    exported = lines(result)
    assert [line["id"] for line in exported] == ["c-dumb", "c-weather", "c-fine", "c-plain"]  # by decided_at
    by_id = {line["id"]: line for line in exported}
    assert by_id["c-dumb"] == {
        "id": "c-dumb", "revision": 1, "article_id": "a-1", "lang": "de", "text": "Das ist dumm.",
        "parent_text": None,
        "article": {"title": "Neue Grafikkarten im Test", "body": "Die GPU ist schnell.", "lang": "de"},
        "decision": "reject", "reason_code": "ABUSIVE", "overrule_reason": None,
        "decided_at": by_id["c-dumb"]["decided_at"],
    }
    assert by_id["c-weather"]["reason_code"] == "SPAM"  # the moderator's code, not the machine's
    assert by_id["c-fine"]["reason_code"] is None
    assert (by_id["c-plain"]["decision"], by_id["c-plain"]["reason_code"]) == ("approve", None)
    for comment_id, review in reviews.items():
        assert datetime.fromisoformat(by_id[comment_id]["decided_at"]) == datetime.fromisoformat(review["decided_at"])
    assert result.stderr == "exported 4 decisions\n"


def test_an_approval_keeps_the_moderators_code_only(api, comments, export):
    decide(api, "c-dumb", decision="approve")
    decide(api, "c-weather", decision="approve", reason_code="OTHER")
    assert [line["reason_code"] for line in lines(export())] == [None, "OTHER"]


def test_an_edited_comment_is_exported_with_the_reviewed_revisions_text(api, comments, export):
    decide(api, "c-dumb", decision="reject", reason_code="OFFENSIVE")
    api.post_comment(id="c-dumb", text="Schönes Wetter, übrigens.")  # revision 2, not reviewed
    api.post_comment(id="c-fine", text="Gute Karte, aber laut.")  # revision 2
    decide(api, "c-fine", decision="approve")
    exported = lines(export())
    assert [(line["id"], line["revision"], line["text"]) for line in exported] == [
        ("c-dumb", 1, "Das ist dumm."), ("c-fine", 2, "Gute Karte, aber laut.")]


def test_every_reviewed_revision_has_a_line(api, comments, export):
    decide(api, "c-dumb", decision="reject")
    api.post_comment(id="c-dumb", text="Schönes Wetter, übrigens.")
    decide(api, "c-dumb", decision="reject")
    exported = lines(export())
    assert [(line["revision"], line["text"], line["reason_code"]) for line in exported] == [
        (1, "Das ist dumm.", "ABUSIVE"), (2, "Schönes Wetter, übrigens.", "IRRELEVANT_CONTENT")]


def test_the_latest_review_of_a_revision_wins(api, comments, export):
    first = decide(api, "c-dumb", decision="approve")
    decide(api, "c-fine", decision="approve")
    decide(api, "c-dumb", decision="reject", reason_code="HATE_SPEECH", version=first["version"])
    exported = lines(export())
    assert [(line["id"], line["decision"], line["reason_code"]) for line in exported] == [
        ("c-fine", "approve", None), ("c-dumb", "reject", "HATE_SPEECH")]  # ordered by the latest decision


def test_a_reply_carries_its_parents_current_text(api, comments, export):
    api.post_comment(id="c-fine", text="Gute Karte, aber laut.")  # the parent, edited
    api.post_comment(id="c-reply", parent_id="c-fine", text="Stimmt, dumm gelaufen.")
    api.post_comment(id="c-orphan", parent_id="c-never-seen", text="Genau, dumm.")
    decide(api, "c-reply", decision="reject")
    decide(api, "c-orphan", decision="approve")
    exported = lines(export())
    assert [(line["id"], line["parent_text"]) for line in exported] == [
        ("c-reply", "Gute Karte, aber laut."), ("c-orphan", None)]


def test_lang_falls_back_to_the_articles(api, export):
    api.post_article(id="a-en", title="Phones", lang="en")
    api.post_comment(id="c-en", article_id="a-en", text="Nice phone, dumm price.")
    decide(api, "c-en", decision="reject")
    assert lines(export())[0]["lang"] == "en"


def test_the_article_keeps_its_own_language(api, comments, export):
    api.post_comment(id="c-english", text="Nice card, dumm price.", lang="en")  # under a German article
    decide(api, "c-english", decision="reject")
    [line] = lines(export())
    assert (line["lang"], line["article"]["lang"]) == ("en", "de")


def test_the_export_is_what_training_reads(api, comments, export, tmp_path):
    decide(api, "c-dumb", decision="reject")
    decide(api, "c-weather", decision="reject", reason_code="OTHER")
    decide(api, "c-plain", decision="approve")
    out = tmp_path / "decisions.jsonl"
    result = export("--out", str(out))
    assert result.stdout == ""
    loaded = load_decisions(out)
    assert dict(loaded.counts) == {"approve": 1, "reject": 2, "unusable": 1}
    # c-dumb was held as disrespectful and rejected without a code: the export gives it the
    # automated reason's (ABUSIVE), which says the comment breaks the respect rule.
    assert [(d.id, d.labels.get("respectful")) for d in loaded.usable] == [("c-dumb", True), ("c-plain", False)]


def test_an_empty_database_exports_nothing(app, export):
    result = export()
    assert result.stdout == ""
    assert result.stderr == "exported 0 decisions\n"


def test_the_export_reads_in_a_fixed_number_of_queries(app, api, comments):
    def statements_to_export(more: int) -> int:
        """Add ``more`` reviewed replies, then count the statements an export runs."""
        for number in range(more):
            api.post_comment(id=f"c-{more}-{number}", text="dumm", parent_id="c-fine")
            decide(api, f"c-{more}-{number}", decision="reject")
        statements: list[str] = []

        def record(_connection, _cursor, statement, *_args) -> None:
            statements.append(statement)

        sa.event.listen(db.engine(app), "before_cursor_execute", record)
        try:
            with app.app_context():
                assert write_decisions(db.session(), io.StringIO()) >= more
        finally:
            sa.event.remove(db.engine(app), "before_cursor_execute", record)
        return len(statements)

    assert statements_to_export(2) == statements_to_export(20)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("nosuchdb://x", "MODERATION_DATABASE_URL 'nosuchdb://x' is not usable"),
        ("postgresql+psycopg://postgres@127.0.0.1:1/test", "Cannot read the decisions from"),
    ],
    ids=["malformed", "unreachable"],
)
def test_an_unusable_database_is_one_message(monkeypatch, url, says):
    monkeypatch.setenv("MODERATION_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["decisions", "export"])
    assert result.exit_code == 1
    assert says in result.output
    assert "Traceback" not in result.output and len(result.output.splitlines()) == 1


def test_a_database_without_tables_exports_nothing_and_stays_untouched(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    make_engine(url).connect().close()  # an empty database file, as SQLite makes it
    monkeypatch.setenv("MODERATION_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["decisions", "export"])
    assert result.exit_code == 0, result.output
    assert (result.stdout, result.stderr) == ("", "exported 0 decisions\n")
    assert database_revision(url) is None  # exporting never creates or migrates tables


def test_a_missing_database_file_is_named_and_not_created(tmp_path, monkeypatch):
    path = tmp_path / "typo.sqlite"
    monkeypatch.setenv("MODERATION_DATABASE_URL", f"sqlite:///{path}")
    result = CliRunner().invoke(cli, ["decisions", "export"])
    assert result.exit_code == 0, result.output
    assert f"no database file {path}" in result.stderr
    assert result.stderr.endswith("exported 0 decisions\n")
    assert not path.exists()


def test_an_empty_out_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setenv("MODERATION_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    result = CliRunner().invoke(cli, ["decisions", "export", "--out", ""])
    assert result.exit_code == 2
    assert "--out" in result.output and "Traceback" not in result.output


def test_out_inside_a_file_is_one_message(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("MODERATION_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    result = CliRunner().invoke(cli, ["decisions", "export", "--out", str(tmp_path / "file" / "d.jsonl")])
    assert result.exit_code == 1
    assert "Cannot write" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("folder", ["/", ".", "tmp"])
def test_out_that_is_a_folder_is_one_message(tmp_path, monkeypatch, folder):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MODERATION_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    out = str(tmp_path) if folder == "tmp" else folder
    result = CliRunner().invoke(cli, ["decisions", "export", "--out", out])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert f"Cannot write {out}: it is a folder" in result.output
    assert sorted(tmp_path.iterdir()) == []  # nothing written, the database not even opened


def test_out_that_is_a_named_pipe_is_written_into(api, comments, export, tmp_path):
    # Like --out /dev/stdout or a shell's <(...): replacing it by a file would leave its reader
    # without the export (and, run as root, remove the device or pipe itself).
    decide(api, "c-dumb", decision="reject")
    fifo = tmp_path / "decisions.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    result = export("--out", str(fifo))
    reader.join(timeout=10)
    assert result.stderr == "exported 1 decisions\n"
    assert [json.loads(line)["id"] for line in received[0].splitlines()] == ["c-dumb"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(tmp_path.iterdir()) == [fifo]


def test_a_stdout_that_cannot_be_written_is_one_message(app, app_config, monkeypatch):
    # As with "moderation decisions export > /dev/full".
    monkeypatch.setenv("MODERATION_DATABASE_URL", app_config["DATABASE_URL"])

    def full_disk(_session, _out):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("service.cli.write_decisions", full_disk)
    result = CliRunner().invoke(cli, ["decisions", "export"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Cannot write the decisions to stdout: No space left on device" in result.output


def test_a_database_at_another_schema_revision_is_refused_not_migrated(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    command.upgrade(alembic_config(url), "0001")
    monkeypatch.setenv("MODERATION_DATABASE_URL", url)
    out = tmp_path / "decisions.jsonl"
    out.write_text("an earlier export\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["decisions", "export", "--out", str(out)])
    assert result.exit_code == 1
    assert "schema revision 0001" in result.output and "moderation db upgrade" in result.output
    assert database_revision(url) == "0001"
    assert out.read_text(encoding="utf-8") == "an earlier export\n"  # a failed export replaces nothing
    assert sorted(tmp_path.iterdir()) == sorted([tmp_path / "old.sqlite", out])  # no partial file left


def test_export_to_a_file_writes_the_same_lines(api, comments, export, tmp_path):
    decide(api, "c-dumb", decision="reject")
    out = tmp_path / "decisions.jsonl"
    to_stdout = export()
    to_file = export("--out", str(out))
    assert to_file.stdout == "" and to_file.stderr == "exported 1 decisions\n"
    assert out.read_text(encoding="utf-8") == to_stdout.stdout


def test_out_that_is_a_symbolic_link_replaces_the_file_it_points_to(api, comments, export, tmp_path):
    decide(api, "c-dumb", decision="reject")
    target = tmp_path / "exports" / "latest.jsonl"
    target.parent.mkdir()
    target.write_text("an earlier export\n", encoding="utf-8")
    link = tmp_path / "decisions.jsonl"
    link.symlink_to(target)
    result = export("--out", str(link))
    assert result.stderr == "exported 1 decisions\n"
    assert link.is_symlink() and link.resolve() == target
    assert [json.loads(line)["id"] for line in target.read_text(encoding="utf-8").splitlines()] == ["c-dumb"]


def test_a_closed_stdout_is_one_message(app, app_config, monkeypatch):
    # As with "moderation decisions export >&-": Python then has no sys.stdout at all.
    monkeypatch.setenv("MODERATION_DATABASE_URL", app_config["DATABASE_URL"])
    runner = CliRunner()
    with runner.isolation() as streams:
        monkeypatch.setattr("sys.stdout", None)
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["decisions", "export"], prog_name="moderation")
        said = streams[1].getvalue().decode()
    assert exit_info.value.code == 1
    assert "Cannot write the decisions to stdout: it is closed; give --out FILE." in said


@pytest.mark.parametrize("kind", ["symlink-loop", "no-permission"])
def test_out_that_cannot_even_be_looked_at_is_one_message(tmp_path, monkeypatch, kind):
    monkeypatch.setenv("MODERATION_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    out = tmp_path / "decisions.jsonl"
    if kind == "symlink-loop":
        out.symlink_to(tmp_path / "other.jsonl")
        (tmp_path / "other.jsonl").symlink_to(out)
    else:
        def refused(self, *args, **kwargs):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

        monkeypatch.setattr("pathlib.Path.is_dir", refused)
    result = CliRunner().invoke(cli, ["decisions", "export", "--out", str(out)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert f"Cannot write {out}:" in result.output


def test_an_instance_folder_that_cannot_be_made_is_named_not_blamed_on_stdout(tmp_path, monkeypatch):
    monkeypatch.setenv("MODERATION_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")

    def refused(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr("os.makedirs", refused)
    result = CliRunner().invoke(cli, ["decisions", "export"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Cannot set up the service: Permission denied (" in result.output
    assert "stdout" not in result.output
