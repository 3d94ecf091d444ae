"""Near-duplicate search: exactness against brute force, and the command-line report."""

from __future__ import annotations

import json
import random
from itertools import combinations
from pathlib import Path

import pytest

from classifier.data.near_duplicates import (
    duplicate_rate,
    find_near_duplicates,
    jaccard,
    main,
    shingles,
)


def test_shingles_fold_case_and_whitespace() -> None:
    assert shingles("Ab  C\nDEF") == shingles("ab c def")
    assert shingles("ab c def") == frozenset({"ab c ", "b c d", " c de", "c def"})
    assert shingles("Hi!") == frozenset({"hi!"})  # shorter than a shingle: the whole text
    assert shingles("   ") == frozenset()


def test_finds_variants_and_ignores_different_texts() -> None:
    texts = [
        "Der Akku hält bei mir nach zwei Jahren noch locker einen ganzen Arbeitstag durch.",
        "Ein völlig anderer Kommentar über die Busspur in der Innenstadt.",
        "der akku hält bei mir nach zwei jahren  noch locker einen ganzen arbeitstag durch!",
        "",
        "",
    ]
    pairs = find_near_duplicates(texts)
    assert [(i, j) for i, j, _ in pairs] == [(0, 2)]
    assert pairs[0][2] == pytest.approx(jaccard(shingles(texts[0]), shingles(texts[2])))
    assert 0.8 <= pairs[0][2] < 1.0
    assert duplicate_rate(len(texts), pairs) == pytest.approx(2 / 5)


def test_sorted_by_similarity() -> None:
    base = "Wann kommt endlich das Update für die älteren Geräte heraus, kennt jemand den Plan"
    texts = [base + "?", "Ganz anders.", base + "??", base.upper() + "?"]
    pairs = find_near_duplicates(texts, threshold=0.9)
    assert [(i, j) for i, j, _ in pairs][0] == (0, 3)  # identical after lowercasing
    assert pairs[0][2] == 1.0
    assert [p[2] for p in pairs] == sorted((p[2] for p in pairs), reverse=True)
    assert {(i, j) for i, j, _ in pairs} == {(0, 2), (0, 3), (2, 3)}


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.8, 0.9, 1.0])
def test_matches_brute_force(threshold: float) -> None:
    """Prefix filtering must be exact: the same pairs as comparing every pair."""
    rng = random.Random(7)
    words = ["der", "die", "das", "nicht", "akku", "update", "preis", "netz", "bahn", "strom"]
    texts = []
    for _ in range(150):
        sentence = rng.choices(words, k=rng.randint(1, 15))
        texts.append(" ".join(sentence))
        if rng.random() < 0.5:  # a light edit of the same sentence
            sentence[rng.randrange(len(sentence))] = rng.choice(words)
            texts.append(" ".join(sentence))
    sets = [shingles(text) for text in texts]
    expected = {
        (i, j)
        for i, j in combinations(range(len(texts)), 2)
        if sets[i] and sets[j] and jaccard(sets[i], sets[j]) >= threshold
    }
    found = find_near_duplicates(texts, threshold)
    assert {(i, j) for i, j, _ in found} == expected
    assert all(i < j for i, j, _ in found)


def test_bad_threshold() -> None:
    with pytest.raises(ValueError):
        find_near_duplicates(["a"], threshold=0)


def test_command_line_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = {"id": "de-probe", "lang": "de", "title": "Probe", "body": "Text.", "topic": "ai"}
    texts = [
        "Das Modell rät bei Fragen zur Steuer erstaunlich oft einfach ins Blaue hinein.",
        "Das Modell rät bei Fragen zur Steuer erstaunlich oft einfach ins Blaue hinein!",
        "Wer hat das Training eigentlich bezahlt, steht das irgendwo im Artikel?",
    ]
    (tmp_path / "articles").mkdir()
    (tmp_path / "comments").mkdir()
    (tmp_path / "articles/de-probe.json").write_text(json.dumps(article), encoding="utf-8")
    lines = [
        {"id": f"de-probe-{n:03d}", "article_id": "de-probe", "lang": "de", "text": text,
         "respectful": True, "on_topic": True, "category": "civil"}  # fmt: skip
        for n, text in enumerate(texts, start=1)
    ]
    (tmp_path / "comments/de-probe.jsonl").write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    assert main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "3 comments, 1 near-duplicate pairs" in out
    assert "near-duplicate rate: 66.7%" in out
    assert "de-probe-001  <->  de-probe-002" in out


def test_command_line_reports_invalid_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err
