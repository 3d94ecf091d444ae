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

from classifier.serving.bundle import current_version, read_metadata
from moderation.cli import cli
from service import create_app
from service.storage import db, upgrade_database


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
