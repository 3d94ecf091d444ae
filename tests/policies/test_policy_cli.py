"""``policy check``: a good file passes, every broken one is explained without a traceback."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from moderation.cli import cli
from policies import load_policy

DELETE = object()  # marks a field to remove in an edit


@pytest.fixture
def default_data() -> dict:
    """The default policy file as plain JSON data, to break in a test."""
    return json.loads(resources.files("policies").joinpath("default.json").read_text("utf-8"))


def edited(data: dict, edits: dict[str, object]) -> dict:
    """``data`` with each dotted path set to its value (or removed, for DELETE)."""
    for path, value in edits.items():
        *parents, key = path.split(".")
        target = data
        for parent in parents:
            target = target[parent]
        if value is DELETE:
            del target[key]
        else:
            target[key] = value
    return data


def check(path: Path | str):
    """Run ``moderation policy check PATH``, as a user does."""
    return CliRunner().invoke(cli, ["policy", "check", str(path)])


def test_check_accepts_the_default_policy():
    path = resources.files("policies").joinpath("default.json")
    result = check(path)
    assert result.exit_code == 0, result.output
    expected = load_policy()
    assert result.stdout == f"OK: policy {expected.version} (rules: respectful, on_topic, spam)\n"


def test_check_accepts_an_edited_valid_policy(tmp_path, default_data):
    path = tmp_path / "policy.json"
    edits = {"version": "strict-2", "premoderation": True, "rules.spam.reject": None}
    path.write_text(json.dumps(edited(default_data, edits)))
    result = check(path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: policy strict-2 ")


@pytest.mark.parametrize(
    ("edits", "problem"),
    [
        ({"rules.respectful.hold": "0.5"}, "rules.respectful.hold: Not a valid number."),
        ({"rules.spam.hold": 1.5}, "rules.spam.hold: Must be between 0 and 1, got 1.5."),
        ({"rules.spam.hold": float("nan")}, "rules.spam.hold: Special numeric values"),
        ({"premoderation": "false"}, "premoderation: Not a valid boolean."),
        ({"rules.respectful.reject_when_quoted": "no"}, "rules.respectful.reject_when_quoted: Not a valid boolean."),
        ({"version": ""}, "version: Must not be empty."),
        ({"rules.spam.hold": 0.5, "rules.spam.reject": 0.4},
         "rules.spam.reject: Must not be below hold (0.5), got 0.4."),
        ({"rules.spam.reject": DELETE}, "rules.spam.reject: Missing data for required field."),
        (
            {"rules.on_topic.hold": 0.6, "rules.on_topic.clearly_fine_below": 0.7},
            "rules.on_topic.clearly_fine_below: Must not be above hold (0.6), got 0.7.",
        ),
        ({"rules.spam.code": "RUDE"}, "rules.spam.code: Must be one of: ABUSIVE, "),
        (
            {"rules.respectful.commenter_message.en": DELETE},
            "rules.respectful.commenter_message.en: Missing data for required field.",
        ),
        ({"system.moderator_message.de": " "}, "system.moderator_message.de: Must not be empty."),
        ({"rules": {}}, "rules: Must have at least one rule."),
        ({"rules": []}, "rules: must be a JSON object"),
        ({"rules.spam": "SPAM"}, "rules.spam: must be a JSON object"),
        ({"rules.respectfull": {}}, "rules.respectfull.scores: Missing data for required field."),
        (
            {"rules.spam.scores": ["spamm"]},
            "rules.spam.scores: Unknown score 'spamm'; the registered scores are: respectful, on_topic, spam.",
        ),
        ({"rules.spam.scores": []}, "rules.spam.scores: Must name at least one score."),
        ({"rules.spam.scores": "spam"}, "rules.spam.scores: Not a valid list."),
        ({"rules.spam.scores": ["spam", "spam"]}, "rules.spam.scores: Names the score 'spam' more than once."),
        (
            {"rules.spam.scores": ["spam", "on_topic"]},
            "rules.spam.combine: Required when the rule names several scores: one of max, min, mean.",
        ),
        ({"rules.spam.combine": "sum"}, "rules.spam.combine: Must be one of: max, min, mean."),
        ({"premoderation_message.fr": "Prémodération"}, "premoderation_message.fr: Unknown field."),
    ],
)
def test_check_names_the_field_of_each_problem(tmp_path, default_data, edits, problem):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(edited(default_data, edits)))
    result = check(path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"  - {problem}" in result.stderr
    assert "Traceback" not in result.output


BAD_NAME = "A rule's name is 1 to 32 lower-case letters, digits and _, starting with a letter."


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("system", "'system' names the reasons the system gives itself; a rule cannot have it."),
        ("Spam-2", BAD_NAME),
        ("a" * 33, BAD_NAME),
    ],
)
def test_check_refuses_a_rule_name_that_cannot_be(tmp_path, default_data, name, problem):
    default_data["rules"][name] = default_data["rules"]["spam"]  # a valid rule under that name
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(default_data))
    result = check(path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [f"  - rules.{name}: {problem}"]


def test_check_accepts_a_new_rule_that_combines_scores(tmp_path, default_data):
    rules = default_data["rules"]
    rules["off_topic_or_spam"] = {**rules.pop("spam"), "scores": ["on_topic", "spam"], "combine": "max"}
    del rules["on_topic"]
    for reason in default_data["moderator_reasons"]:  # the workspace's reasons follow the rules
        if reason["rule"] in ("on_topic", "spam"):
            reason["rule"] = "off_topic_or_spam"
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(default_data))
    result = check(path)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("(rules: respectful, off_topic_or_spam)\n")


def test_check_refuses_a_moderator_reason_for_a_rule_the_file_lacks(tmp_path, default_data):
    del default_data["rules"]["on_topic"]
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(default_data))
    result = check(path)
    assert result.exit_code == 1
    assert "moderator_reasons.0.rule: Must be one of the rules (respectful, spam) or null, got 'on_topic'." \
        in result.stderr


def test_check_lists_every_problem_at_once(tmp_path, default_data):
    edits = {
        "rules.spam.reject": 0.1,  # an ordering problem next to a field problem in one rule
        "rules.spam.moderator_message.de": DELETE,
        "rules.respectful.code": "RUDE",
        "version": 3,
    }
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(edited(default_data, edits)))
    result = check(path)
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert sorted(problem.split(":")[0] for problem in problems) == [
        "  - rules.respectful.code",
        "  - rules.spam.moderator_message.de",
        "  - rules.spam.reject",
        "  - version",
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{\n  "version": "1",\n  "premoderation": false,,\n}', "not valid JSON: Expecting"),
        ('{\n  "version": "1"\n  "rules": {}\n}', "(line 3, column 3)"),
        ("[]", "(top level): must be a JSON object"),
        (b"\xff\xfe{}", "the file is not valid UTF-8 (at byte 0)"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (b" " * 1_000_001, "larger than 1,000,000 bytes"),
    ],
)
def test_check_explains_a_file_that_is_not_a_policy_object(tmp_path, content, problem):
    path = tmp_path / "policy.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    result = check(path)
    assert result.exit_code == 1
    assert problem in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("make_path", "problem"),
    [
        (lambda tmp: tmp / "missing.json", "file not found"),
        (lambda tmp: tmp, "is a directory, not a file"),
    ],
)
def test_check_explains_a_path_that_cannot_be_read(tmp_path, make_path, problem):
    path = make_path(tmp_path)
    result = check(path)
    assert result.exit_code == 1
    assert result.stderr == f"Invalid policy {path}:\n  - {problem}\n"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_check_stops_reading_a_file_without_end() -> None:
    result = check(Path("/dev/zero"))
    assert result.exit_code == 1
    assert "larger than 1,000,000 bytes" in result.stderr


def test_a_policy_file_written_before_rules_named_their_scores_still_loads(tmp_path, default_data):
    for rule in default_data["rules"].values():
        del rule["scores"]
    del default_data["moderator_reasons"]  # nor did it have the workspace's reasons
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(default_data))
    assert check(path).exit_code == 0
    loaded = load_policy(path)
    assert {name: rule.scores for name, rule in loaded.rules.items()} == {
        "respectful": ("respectful",), "on_topic": ("on_topic",), "spam": ("spam",)}
    assert loaded.moderator_reasons == load_policy().moderator_reasons


def test_shipped_moderator_reasons_point_only_at_rules_the_file_has(tmp_path, default_data):
    del default_data["moderator_reasons"]
    del default_data["rules"]["on_topic"]
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(default_data))
    reasons = load_policy(path).moderator_reasons
    assert [reason.code for reason in reasons] == [reason.code for reason in load_policy().moderator_reasons]
    assert {reason.rule for reason in reasons} <= {"respectful", "spam", None}
    assert any(reason.rule is None and reason.code == "IRRELEVANT_CONTENT" for reason in reasons)


def test_a_rule_not_named_after_a_score_must_name_its_scores(tmp_path, default_data):
    rules = default_data["rules"]
    rules["tone"] = {key: value for key, value in rules["respectful"].items() if key != "scores"}
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(default_data))
    result = check(path)
    assert result.exit_code == 1
    assert "  - rules.tone.scores: Missing data for required field." in result.stderr.splitlines()
