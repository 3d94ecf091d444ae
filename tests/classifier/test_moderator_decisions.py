"""Reading moderators' decisions (the export's JSON lines) into labelled examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.data.moderator_decisions import DecisionsError, load_decisions
from classifier.types import ArticleText


def decision(**fields) -> dict:
    """One exported decision: an approval of a comment under article a-1, unless overridden."""
    return {
        "id": "c-1", "revision": 1, "article_id": "a-1", "lang": "de",
        "text": "Die Ladesäulen an der A7 sind oft belegt.", "parent_text": None,
        "article": {"title": "Neue Ladesäulen", "body": "Der Bund fördert Schnellladesäulen."},
        "decision": "approve", "reason_code": None, "decided_at": "2026-11-25T18:18:18.306445+00:00",
        **fields,
    }


def write(path: Path, *lines: dict | str | bytes) -> Path:
    """A decisions file: dicts become JSON lines, strings and bytes are written as they are."""
    raw = [line if isinstance(line, bytes) else
           (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)).encode()
           for line in lines]
    path.write_bytes(b"\n".join(raw) + b"\n")
    return path


# True: the decision says the comment breaks the score's rule; absent: it does not say.
FINE = {"respectful": False, "on_topic": False, "spam": False}


@pytest.mark.parametrize(
    ("verdict", "code", "labels"),
    [
        ("approve", None, FINE),
        ("approve", "OTHER", FINE),  # an approval breaks no rule, whatever the code
        ("reject", "ABUSIVE", {"respectful": True}),
        ("reject", "OFFENSIVE", {"respectful": True}),
        ("reject", "HATE_SPEECH", {"respectful": True}),
        ("reject", "IRRELEVANT_CONTENT", {"on_topic": True}),
        ("reject", "SPAM", {"on_topic": True, "spam": True}),  # spam is off topic too
    ],
)
def test_each_decision_labels_what_it_tells(tmp_path, verdict, code, labels):
    loaded = load_decisions(write(tmp_path / "d.jsonl", decision(decision=verdict, reason_code=code)))
    (only,) = loaded.usable
    assert only.labels == labels
    assert (only.id, only.revision, only.article_id, only.lang) == ("c-1", 1, "a-1", "de")
    assert only.article == ArticleText("Neue Ladesäulen", "Der Bund fördert Schnellladesäulen.")


def test_rejects_without_a_usable_code_are_counted_and_skipped(tmp_path):
    path = write(tmp_path / "d.jsonl",
                 decision(id="c-1"),
                 decision(id="c-2", decision="reject", reason_code="OTHER"),
                 decision(id="c-3", decision="reject", reason_code=None),
                 decision(id="c-4", decision="reject", reason_code="SPAM", parent_text="Gute Frage."))
    loaded = load_decisions(path)
    assert [d.id for d in loaded.usable] == ["c-1", "c-4"]
    assert loaded.usable[1].parent_text == "Gute Frage."
    assert dict(loaded.counts) == {"approve": 1, "reject": 3, "unusable": 2}
    assert loaded.total == 4


def test_an_empty_file_has_no_decisions(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text("")
    loaded = load_decisions(path)
    assert loaded.usable == [] and loaded.total == 0


BAD_LINES = [
    ("das ist kein JSON", "not valid JSON"),
    (b'{"text": "Gr\xfc\xdfe"}', "not valid UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"revision": ' + b"7" * 5000 + b"}", "too many digits"),
    ('["eine", "Liste"]', "expected a JSON object, got list"),
    ({key: value for key, value in decision().items() if key != "text"}, "missing field 'text'"),
    ({key: value for key, value in decision().items() if key != "decided_at"}, "missing field 'decided_at'"),
    (decision(revision="2"), "field 'revision' must be an integer, got \"2\""),
    (decision(revision=True), "field 'revision' must be an integer, got true"),
    (decision(text=42), "field 'text' must be a string, got 42"),
    (decision(text=None), "field 'text' must be a string, got null"),
    (decision(text="  "), "field 'text' is empty"),
    (decision(lang=["de"]), "field 'lang' must be a string or null"),
    (decision(parent_text=1), "field 'parent_text' must be a string or null"),
    (decision(article="Neue Ladesäulen"), "field 'article' must be an object"),
    (decision(article={"title": "Neue Ladesäulen"}), "field 'article.body' must be a string, got null"),
    (decision(decision="hold"), "unknown decision 'hold'; known: approve, reject"),
    (decision(decision="reject", reason_code="RUDE"), "unknown reason_code 'RUDE'"),
    (decision(decided_at="gestern"), "field 'decided_at' is not an ISO 8601 time"),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES, ids=[m for _, m in BAD_LINES])
def test_a_bad_line_is_named_with_its_number_and_problem(tmp_path, line, message):
    # line 1 fine, line 2 blank (still counted), line 3 bad, line 4 fine
    path = write(tmp_path / "d.jsonl", decision(id="c-1"), "", line, decision(id="c-4"))
    with pytest.raises(DecisionsError) as error:
        load_decisions(path)
    assert str(error.value).startswith(f"{path}:3: ")
    assert message in str(error.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(DecisionsError, match="cannot read the decisions file .*missing.jsonl"):
        load_decisions(tmp_path / "missing.jsonl")


def test_fields_it_does_not_know_are_ignored(tmp_path):
    # a newer export may carry more; training reads what it knows
    loaded = load_decisions(write(tmp_path / "d.jsonl", decision(moderator="anna")))
    assert len(loaded.usable) == 1
