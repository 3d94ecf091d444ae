"""``moderation retrain`` end to end on SQLite: export the moderators' decisions, train on them.

Decisions are taken through the API with the fake model; training uses the small team subset of
the CLI tests (tests/classifier/fixtures.py) without the sentence encoder.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from classifier.serving.bundle import current_version, load_model, read_metadata
from classifier.types import ArticleText, CommentInput
from moderation.cli import cli
from service import create_app
from service.storage import db, upgrade_database

ON_TOPIC_HOLD = json.loads((Path(__file__).resolve().parents[2] / "policies" / "default.json")
                           .read_text(encoding="utf-8"))["rules"]["on_topic"]["hold"]


@pytest.fixture
def database(tmp_path, model, api_for):
    """A SQLite database with the service's tables and requests with keys to an app on it."""
    url = f"sqlite:///{tmp_path / 'moderation.sqlite'}"
    upgrade_database(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "MODEL": model,
                      "MODEL_DIR": str(tmp_path / "served-models")})
    yield url, api_for(app)
    db.engine(app).dispose()


def retrain(url: str, model_dir: Path, team_dir: Path) -> Result:
    env = {"MODERATION_DATABASE_URL": url, "MODERATION_DATA_DIR": None, "MODERATION_MODEL_DIR": None,
           "MODERATION_TEAM_DIR": None}
    return CliRunner().invoke(cli, ["retrain", "--no-encoder", "--team-dir", str(team_dir),
                                    "--model-dir", str(model_dir)], env=env)


def test_retrain_exports_the_decisions_and_trains_on_them(database, tmp_path, clf_cli_team_dir):
    url, api = database
    api.post_article(id="a-1", title="Neue Ladesäulen", body="Die Stadtwerke bauen Schnellladesäulen.")
    decisions = [("c-1", "Die Säulen am Bahnhof sind oft belegt.", "approve", None),
                 ("c-2", "Du bist dumm wie Brot.", "reject", None),  # the machine's reason: ABUSIVE
                 ("c-3", "Schönes Wetter heute.", "reject", "IRRELEVANT_CONTENT"),
                 ("c-4", "Wird gelöscht.", "reject", "OTHER")]
    for comment_id, text, decision, code in decisions:
        assert api.post_comment(id=comment_id, text=text, lang="de").status_code == 201
        response = api.post(f"/v1/comments/{comment_id}/decision", role="moderator",
                            json={"decision": decision, "reason_code": code})
        assert response.status_code == 200, response.json
    model_dir = tmp_path / "models"

    result = retrain(url, model_dir, clf_cli_team_dir)

    assert result.exit_code == 0, result.output
    bundle = Path(result.stdout.strip())
    assert current_version(model_dir) == bundle.name  # what the service swaps in
    (exported,) = (model_dir / "decisions").iterdir()
    assert exported.name.startswith("decisions-") and exported.suffix == ".jsonl"
    assert [json.loads(line)["id"] for line in exported.read_text(encoding="utf-8").splitlines()] == [
        "c-1", "c-2", "c-3", "c-4"]
    assert f"exported 4 decisions to {exported}" in result.stderr
    assert "moderator_decisions: 4 decisions (1 approve, 3 reject; 1 unusable)" in result.stderr
    sources = {source["name"]: source for source in read_metadata(model_dir)["sources"]}
    assert sources["moderator_decisions"]["examples"] == 3
    assert sources["moderator_decisions"]["files"] == [
        {"path": str(exported), "sha256": hashlib.sha256(exported.read_bytes()).hexdigest()}]


def test_retrain_without_decisions_says_so_and_trains(database, tmp_path, clf_cli_team_dir):
    url, _ = database
    model_dir = tmp_path / "models"

    result = retrain(url, model_dir, clf_cli_team_dir)

    assert result.exit_code == 0, result.output
    assert "No moderators' decisions in the database: training without them." in result.stderr
    assert list((model_dir / "decisions").iterdir()) == []
    assert [source["name"] for source in read_metadata(model_dir)["sources"]] == ["training_data"]


def test_retrain_stops_when_the_database_is_unreachable(tmp_path, clf_cli_team_dir):
    model_dir = tmp_path / "models"
    result = retrain("postgresql+psycopg://postgres@127.0.0.1:1/test", model_dir, clf_cli_team_dir)
    assert result.exit_code == 1
    assert "Cannot read the decisions from" in result.output and "Traceback" not in result.output
    assert list((model_dir / "decisions").iterdir()) == []  # no half-written export
    assert current_version(model_dir) is None


CHARGING_BODY = ("Die Stadtwerke bauen zwanzig Schnellladesäulen in der Innenstadt. Die Säulen sollen "
                 "bis zum Sommer in Betrieb gehen; geladen wird mit bis zu 150 Kilowatt.")
# Comments a moderator approved although they share no word with the article, with close variants.
APPROVED_OFF_LOOKING = {
    "c-11": ("Danke dir, genau so läuft es bei uns im Viertel auch jeden Abend!",
             "Danke dir, so läuft es bei uns im Viertel auch jeden Abend."),
    "c-12": ("Mein Nachbar hat sich eine Wallbox in die Garage gehängt und tankt nur noch nachts.",
             "Mein Nachbar hat eine Wallbox in der Garage und tankt nur nachts."),
    "c-13": ("Schönen Abend euch allen, und danke für die vielen Antworten!",
             "Schönen Abend euch allen und danke für eure vielen Antworten."),
}


def test_approvals_teach_the_on_topic_rule_for_their_article(database, tmp_path, clf_cli_team_dir):
    url, api = database
    api.post_article(id="a-2", title="Neue Ladesäulen in der Innenstadt", body=CHARGING_BODY)
    article = ArticleText("Neue Ladesäulen in der Innenstadt", CHARGING_BODY)
    before = tmp_path / "before"
    assert retrain(url, before, clf_cli_team_dir).exit_code == 0
    old = load_model(before)
    for comment_id, (text, _) in APPROVED_OFF_LOOKING.items():
        assert api.post_comment(id=comment_id, text=text, lang="de", article_id="a-2").status_code == 201
        response = api.post(f"/v1/comments/{comment_id}/decision", role="moderator",
                            json={"decision": "approve"})
        assert response.status_code == 200, response.json
    after = tmp_path / "after"

    result = retrain(url, after, clf_cli_team_dir)

    assert result.exit_code == 0, result.output
    assert "3 approved comments kept with their articles" in result.stderr
    new = load_model(after)
    before_scores = []
    for text, variant in APPROVED_OFF_LOOKING.values():
        for comment in (text, variant):
            was = old.score(CommentInput(comment, article))["on_topic"].score
            now = new.score(CommentInput(comment, article))["on_topic"]
            assert now.score < ON_TOPIC_HOLD, (comment, was, now.score)
            assert now.score <= was and now.signals["like_approved_comment"]["text"] == text
            before_scores.append(was)
    assert max(before_scores) >= ON_TOPIC_HOLD  # held before the moderators taught the rule
    chatter = "Hat jemand ein gutes Rezept für Zwiebelkuchen? Der Boden wird bei mir immer matschig."
    assert "like_approved_comment" not in new.score(CommentInput(chatter, article))["on_topic"].signals
