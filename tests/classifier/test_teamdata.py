"""Validation of the team-data format on small invented folders."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from classifier.data.corpora import CorpusError
from classifier.data.teamdata import (
    CATEGORIES,
    TeamComment,
    is_heldout,
    load_team_data,
    team_files,
)

ARTICLE = {
    "id": "de-test-artikel",
    "lang": "de",
    "title": "Stadt testet neue Busspur",
    "body": "Die Stadt testet ab Montag eine neue Busspur in der Innenstadt.",
    "topic": "politics",
}


def comment(number: int, category: str = "civil", **fields: Any) -> dict[str, Any]:
    """A valid comment on ARTICLE; ``fields`` override or add keys."""
    respectful, on_topic = CATEGORIES[category]
    obj: dict[str, Any] = {
        "id": f"{ARTICLE['id']}-{number:03d}",
        "article_id": ARTICLE["id"],
        "lang": "de",
        "text": f"Kommentar Nummer {number} zur Busspur.",
        "respectful": respectful,
        "on_topic": True if on_topic is None else on_topic,
        "category": category,
    }
    obj.update(fields)
    return obj


def write_folder(root: Path, comments: list[dict[str, Any]], article: dict | None = None) -> Path:
    """An articles/ + comments/ folder with one article and its comments file."""
    article = article or ARTICLE
    (root / "articles").mkdir(parents=True, exist_ok=True)
    (root / "comments").mkdir(parents=True, exist_ok=True)
    (root / "articles" / f"{article['id']}.json").write_text(
        json.dumps(article, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    path = root / "comments" / f"{ARTICLE['id']}.jsonl"
    path.write_text(
        "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in comments), encoding="utf-8"
    )
    return path


def load_error(root: Path) -> str:
    with pytest.raises(CorpusError) as info:
        load_team_data(root)
    return str(info.value)


def test_valid_folder_loads(tmp_path: Path) -> None:
    write_folder(
        tmp_path,
        [
            comment(1),
            comment(2, "reply", parent_id=f"{ARTICLE['id']}-001", text="Quelle?"),
            comment(3, "insult_reader", on_topic=False, note="beleidigt und schweift ab"),
            comment(4, "insult_author", on_topic=True),
            comment(5, "spam", parent_id=None),
        ],
    )
    data = load_team_data(tmp_path)
    assert list(data.articles) == [ARTICLE["id"]]
    assert data.articles[ARTICLE["id"]].title == ARTICLE["title"]
    assert [c.id[-3:] for c in data.comments] == ["001", "002", "003", "004", "005"]
    first, reply, insult, _, spam = data.comments
    assert isinstance(reply, TeamComment)
    assert data.parent_text(reply) == first.text
    assert data.parent_text(first) is None
    assert insult.note == "beleidigt und schweift ab" and insult.on_topic is False
    assert spam.parent_id is None and spam.on_topic is False


def test_split_is_a_partition_by_id_hash(tmp_path: Path) -> None:
    write_folder(tmp_path, [comment(n) for n in range(1, 60)])
    data = load_team_data(tmp_path)
    train, heldout = data.split("train"), data.split("heldout")
    assert data.split("test") == heldout
    assert len(train) + len(heldout) == len(data.comments)
    assert all(is_heldout(c.id) for c in heldout)
    assert not any(is_heldout(c.id) for c in train)
    with pytest.raises(CorpusError, match="unknown split"):
        data.split("dev")


def test_is_heldout_follows_the_readme() -> None:
    ids = [f"de-artikel-{n:03d}" for n in range(1000)]
    for comment_id in ids[:50]:
        expected = hashlib.sha256(comment_id.encode()).digest()[0] < 52
        assert is_heldout(comment_id) == expected
    share = sum(map(is_heldout, ids)) / len(ids)
    assert 0.15 < share < 0.25  # 52 / 256 = 20.3 %


def test_unknown_category(tmp_path: Path) -> None:
    path = write_folder(tmp_path, [comment(1), comment(2, category="civil") | {"category": "rude"}])
    message = load_error(tmp_path)
    assert f"{path}:2: unknown category 'rude'" in message
    assert "insult_group" in message  # lists the known ones


def test_labels_must_agree_with_category(tmp_path: Path) -> None:
    path = write_folder(
        tmp_path,
        [comment(1, "spam", on_topic=True), comment(2, "threat", respectful=True), comment(3)],
    )
    message = load_error(tmp_path)
    assert f"{path}:1: category 'spam' requires on_topic=false, got true" in message
    assert f"{path}:2: category 'threat' requires respectful=false, got true" in message
    assert "2 problem(s)" in message


def test_duplicate_id(tmp_path: Path) -> None:
    path = write_folder(tmp_path, [comment(1), comment(2), comment(1, text="Noch einmal.")])
    message = load_error(tmp_path)
    assert f"{path}:3: duplicate id '{ARTICLE['id']}-001' (first at {path}:1)" in message


def test_missing_parent(tmp_path: Path) -> None:
    path = write_folder(tmp_path, [comment(1), comment(2, "reply", parent_id="de-anderer-001")])
    message = load_error(tmp_path)
    assert f"{path}:2: parent_id 'de-anderer-001' is not a comment in the same file" in message


def test_missing_article(tmp_path: Path) -> None:
    write_folder(tmp_path, [comment(1)], article=ARTICLE | {"id": "de-ein-anderer-artikel"})
    message = load_error(tmp_path)
    assert f"no article '{ARTICLE['id']}'" in message


def test_types_fields_and_json_errors(tmp_path: Path) -> None:
    path = write_folder(
        tmp_path,
        [
            comment(1, respectful="false"),
            comment(2, parent="x"),
            {k: v for k, v in comment(3).items() if k != "text"},
            comment(4, id="de-test-artikel-4"),
            comment(5, lang="fr"),
        ],
    )
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "kaputt",\n')
    message = load_error(tmp_path)
    assert f"{path}:1: field 'respectful' must be true/false, got \"false\"" in message
    assert f"{path}:2: unknown field 'parent'" in message
    assert f"{path}:3: missing field 'text'" in message
    assert f"{path}:4: id 'de-test-artikel-4' is not '<article_id>-<3-digit number>'" in message
    assert f"{path}:5: lang 'fr'" in message
    assert (f"{path}:6: the line is not valid JSON: "
            "Expecting property name enclosed in double quotes (character 17)") in message


def test_team_data_nested_too_deeply_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = write_folder(tmp_path, [comment(1)])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("[" * 100_000 + "]" * 100_000 + "\n")
    assert f"{path}:2: the line is nested too deeply" in load_error(tmp_path)


def test_bad_article(tmp_path: Path) -> None:
    write_folder(tmp_path, [comment(1)], article=ARTICLE | {"lang": "english", "topic": 3})
    message = load_error(tmp_path)
    article_path = tmp_path / "articles" / f"{ARTICLE['id']}.json"
    assert f"{article_path}:1: field 'topic' must be a string" in message


def test_invalid_utf8(tmp_path: Path) -> None:
    path = write_folder(tmp_path, [comment(1)])
    path.write_bytes(path.read_bytes() + b'{"text": "\xe4"}\n')
    assert f"{path}:2: not valid UTF-8" in load_error(tmp_path)


def test_missing_folder(tmp_path: Path) -> None:
    assert "does not exist" in load_error(tmp_path / "nowhere")


def test_team_files(tmp_path: Path) -> None:
    path = write_folder(tmp_path, [comment(1)])
    assert team_files(tmp_path) == [tmp_path / "articles" / f"{ARTICLE['id']}.json", path]
