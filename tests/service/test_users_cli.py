"""``moderation users create / list / disable`` on a SQLite file."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from moderation.cli import cli


@pytest.fixture
def run(monkeypatch, tmp_path):
    monkeypatch.setenv("MODERATION_DATABASE_URL", f"sqlite:///{tmp_path / 'users.sqlite'}")
    monkeypatch.setenv("MODERATION_SECRET_KEY", "cli test")
    return lambda *args, stdin=None: CliRunner().invoke(cli, ["users", *args], input=stdin)


def test_create_list_and_disable(run):
    created = run("create", "--username", "anna", "--role", "moderator", "--password-stdin",
                  stdin="richtig-geheim-1\n")
    assert (created.exit_code, created.output) == (0, "Created moderator 'anna'.\n")
    prompted = run("create", "--username", "ben", "--role", "admin", stdin="ganz-geheim-22\nganz-geheim-22\n")
    assert prompted.exit_code == 0, prompted.output
    assert run("list").output == "anna\tmoderator\tactive\nben\tadmin\tactive\n"
    assert run("disable", "anna").output == "Disabled 'anna'.\n"
    assert run("list").output.splitlines()[0] == "anna\tmoderator\tdisabled"


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (("--username", "anna", "--role", "moderator"), "kurz\n", "the password needs at least 10 characters"),
    (("--username", "an na", "--role", "moderator"), "richtig-geheim-1\n", "a username is 1-64 letters"),
])
def test_create_refuses_with_one_message(run, args, stdin, message):
    result = run("create", *args, "--password-stdin", stdin=stdin)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_a_taken_name_and_an_unknown_user_are_one_message_each(run):
    run("create", "--username", "anna", "--role", "moderator", "--password-stdin", stdin="richtig-geheim-1\n")
    again = run("create", "--username", "anna", "--role", "admin", "--password-stdin", stdin="richtig-geheim-1\n")
    assert again.exit_code == 1 and "there is already a user 'anna'" in again.output
    missing = run("disable", "niemand")
    assert missing.exit_code == 1 and "there is no user 'niemand'" in missing.output
