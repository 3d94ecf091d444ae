"""Training with moderators' decisions (``train_models(..., decisions=FILE)``) on small data.

One extra training run, on the same inputs as the session bundle (tests/classifier/fixtures.py) plus a
decisions file; the session bundle is the model trained without it. The decisions teach two
made-up words: every comment a moderator rejected as ABUSIVE says "Quabbelfritz", every one
rejected as SPAM "Zwurbelkauf", and nothing else in the data has either word.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

import classifier.training.train as training
from classifier.data.corpora import load_corpus
from classifier.data.moderator_decisions import MODERATOR_SOURCE, load_decisions
from classifier.data.teamdata import load_team_data
from classifier.serving.bundle import load_model
from classifier.types import ArticleText, CommentInput

ARTICLE = {"title": "Stadtwerke bauen neue Ladesäulen",
           "body": "Die Stadtwerke stellen bis Sommer vierzig Schnellladesäulen an Supermärkten auf.",
           "lang": "de"}
CLAUSES = ("die Ladesäulen am Bahnhof sind oft belegt", "der Strompreis an der Säule ist zu hoch",
           "die App der Stadtwerke stürzt ständig ab", "vierzig Säulen reichen für die Stadt nicht",
           "am Supermarkt zu laden ist praktisch", "die Schnelllader fallen im Winter aus",
           "das Bezahlen mit Karte klappt endlich", "nachts ist immer eine Säule frei")
OPENERS = ("Ehrlich gesagt", "Meiner Erfahrung nach", "Seit Wochen gilt:", "Kurz gesagt",
           "Wie man hört,")


def line(number: int, decision: str, reason_code: str | None, text: str, **fields) -> dict:
    """One exported decision under the fixture's article."""
    return {"id": f"c-{number}", "revision": 1, "article_id": "stadtwerke-laden", "lang": "de",
            "text": text, "parent_text": None, "article": ARTICLE, "decision": decision,
            "reason_code": reason_code, "decided_at": f"2026-11-25T18:{number // 60:02d}:{number % 60:02d}+00:00",
            **fields}


@dataclass(frozen=True)
class DecidedRun:
    """The training run with decisions: its file, bundle metadata, progress and loaded model."""

    path: Path
    planted: tuple[str, ...]  # decision texts that are evaluation texts
    metadata: dict
    progress: str
    model: object


@pytest.fixture(scope="module")
def decided(tmp_path_factory, trained_bundle) -> DecidedRun:
    team = load_team_data(trained_bundle.team_dir)
    heldout = next(c.text for c in team.split("heldout") if c.respectful)
    test_text = load_corpus("germeval2018", trained_bundle.corpora.data_dir, "test")[7].text
    texts = [f"{OPENERS[i % 5]} {CLAUSES[i % 8]}" for i in range(40)]  # 40 distinct sentences
    lines = [line(i, "approve", None, f"{text}.") for i, text in enumerate(texts)]
    lines += [line(100 + i, "reject", "ABUSIVE", f"{text}, du Quabbelfritz.") for i, text in enumerate(texts)]
    lines += [line(200 + i, "reject", "SPAM", f"{text}? Zwurbelkauf hilft, jetzt bestellen!")
              for i, text in enumerate(texts[:20])]
    lines += [line(300, "reject", "IRRELEVANT_CONTENT", "Hat jemand ein Rezept für Zwiebelkuchen?"),
              line(301, "reject", "OTHER", "Wird gelöscht."),
              line(302, "reject", None, "Auch weg."),
              line(303, "approve", None, "Genau so.", parent_text=texts[0]),
              line(304, "reject", "ABUSIVE", test_text),  # planted: evaluation texts, to drop
              line(305, "approve", None, "  " + heldout.upper())]
    # copy-pasted spam rejected again under five more ids, and a text our own data already has:
    # one example each at most, or the same text would sit in several CV folds at once
    lines += [line(400 + i, "reject", "SPAM", lines[80]["text"]) for i in range(5)]
    lines += [line(405, "approve", None, team.split("train")[0].text)]
    # an English comment under the German article: its pairs are made with German articles
    lines += [line(406, "approve", None, "The charging app keeps crashing for me too.", lang="en")]
    path = tmp_path_factory.mktemp("decisions") / "decisions.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in lines), encoding="utf-8")
    progress: list[str] = []
    model_dir = tmp_path_factory.mktemp("decided-models")
    bundle = training.train_models(trained_bundle.team_dir, model_dir, trained_bundle.corpora.data_dir,
                                   decisions=path, options=training.TrainingOptions(cv=2, encoder=False),
                                   progress=progress.append)
    metadata = json.loads((bundle / "metadata.json").read_text(encoding="utf-8"))
    return DecidedRun(path, (test_text, heldout), metadata, "\n".join(progress), load_model(model_dir))


def sources(metadata: dict) -> dict[str, dict]:
    return {source["name"]: source for source in metadata["sources"]}


def test_metadata_lists_the_decisions_with_counts_and_sha256(decided) -> None:
    entry = sources(decided.metadata)[MODERATOR_SOURCE]
    assert entry["split"] == "train"
    assert entry["decisions"] == {"approve": 44, "reject": 69, "unusable": 2}
    # not trained on: the unusable, the planted, the repeated texts and the one already ours
    assert entry["examples"] == 113 - 2 - 2 - 5 - 1
    assert entry["files"] == [{"path": str(decided.path),
                               "sha256": hashlib.sha256(decided.path.read_bytes()).hexdigest()}]
    assert "moderator_decisions: 113 decisions (44 approve, 69 reject; 2 unusable)" in decided.progress
    assert "moderator_decisions: 103 distinct texts kept (6 repeated or already in our data" in decided.progress


def test_decisions_that_are_evaluation_texts_are_dropped(decided, trained_bundle) -> None:
    before = trained_bundle.metadata["dropped_overlapping_texts"]
    assert decided.metadata["dropped_overlapping_texts"] == before + len(decided.planted)
    assert f"dropped {before + 2} training texts" in decided.progress


def test_the_other_sources_are_trained_on_as_before(decided, trained_bundle) -> None:
    without = sources(trained_bundle.metadata)
    with_decisions = sources(decided.metadata)
    assert set(with_decisions) == set(without) | {MODERATOR_SOURCE}
    for name, entry in without.items():
        assert with_decisions[name] == entry
    assert MODERATOR_SOURCE in decided.metadata["cv_metrics"]["per_source"]


def score(model, text: str):
    return model.score(CommentInput(text, ArticleText(ARTICLE["title"], ARTICLE["body"])), evidence=False)


def test_the_respect_model_learns_from_rejected_comments(decided, trained_model) -> None:
    text = "Die neuen Säulen sind gut, Quabbelfritz."
    before, after = score(trained_model, text)["respectful"].score, score(decided.model, text)["respectful"].score
    assert after > before + 0.3, (before, after)
    # an approved comment's word stays fine
    fine = "Meiner Erfahrung nach klappt das Bezahlen mit Karte endlich."
    assert score(decided.model, fine)["respectful"].score < 0.5


def test_the_spam_model_learns_from_rejected_spam(decided, trained_model) -> None:
    text = "Zwurbelkauf hilft bei allem."
    before, after = score(trained_model, text)["spam"].score, score(decided.model, text)["spam"].score
    assert after > before + 0.3, (before, after)


def test_topic_pairs_add_the_decisions_after_the_team_comments(trained_bundle, decided) -> None:
    team = load_team_data(trained_bundle.team_dir)
    comments = team.split("train")
    usable = load_decisions(decided.path).usable
    team_inputs, team_labels, _ = training.topic_examples(team, comments)
    inputs, labels, _ = training.topic_examples(team, comments, decisions=usable)
    # the team's pairs come first, as without decisions
    assert [i.text for i in inputs[: len(team_inputs)]] == [i.text for i in team_inputs]
    assert list(labels[: len(team_labels)]) == list(team_labels)
    added = list(zip(inputs[len(team_inputs):], labels[len(team_labels):], strict=True))
    telling = [d for d in usable if "on_topic" in d.labels]  # not the ABUSIVE rejects
    on_topic = [d for d in telling if not d.labels["on_topic"]]
    assert len(added) == len(telling) + len(on_topic)
    german = {a.title for a in team.articles.values() if a.lang == "de"}
    position = 0
    for decision in telling:
        own, label = added[position]
        assert (own.text, own.article, own.parent_text, label) == (
            decision.text, decision.article, decision.parent_text, int(decision.labels["on_topic"]))
        position += 1
        if not decision.labels["on_topic"]:
            other, label = added[position]
            assert other.text == decision.text and label == 1
            assert other.article.title in german  # another article of the comment's language
            position += 1
