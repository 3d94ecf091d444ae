"""``moderation train | evaluate | score | benchmark`` through click's CliRunner.

Errors must be one clear message and a non-zero exit status, never a traceback. The environment
variables the commands read are removed for every call, so a developer's or CI's settings (for
example MODERATION_DATA_DIR pointing at the real corpora) cannot leak in.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import classifier.training.train as training
from classifier.serving.bundle import current_version
from classifier.training.evaluation import EVALUATION_CORPORA
from moderation.cli import cli

CLEAN_ENV = {"MODERATION_DATA_DIR": None, "MODERATION_MODEL_DIR": None, "MODERATION_TEAM_DIR": None}
RESULT_KEYS = {"corpus", "split", "n", "macro_precision", "macro_recall", "official_f1", "macro_f1",
               "accuracy", "confusion_matrix", "per_class"}


def run(*args: str | Path, input: bytes | str | None = None, env: dict[str, str] | None = None) -> Result:
    """Run ``moderation`` with ``args``, the variables of CLEAN_ENV unset unless ``env`` sets them."""
    return CliRunner().invoke(cli, [str(arg) for arg in args], input=input, env={**CLEAN_ENV, **(env or {})})


def assert_clean_failure(result: Result, *fragments: str, code: int = 1) -> None:
    """Exit status ``code``, the fragments in the message, and no traceback."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def json_lines(result: Result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def cli_trained(tmp_path_factory, clf_cli_team_dir) -> tuple[Result, Path]:
    """``moderation train --no-encoder`` on two articles of the team data, no public corpora."""
    model_dir = tmp_path_factory.mktemp("cli-models")
    return run("train", "--no-encoder", "--team-dir", clf_cli_team_dir, "--model-dir", model_dir), model_dir


# --- train ---------------------------------------------------------------------------------


def test_train_writes_a_bundle_and_reports_progress(cli_trained) -> None:
    result, model_dir = cli_trained
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.parent == model_dir and path.is_dir()
    assert current_version(model_dir) == path.name
    for step in ("training_data:", "respect model", "spam model", "on-topic model", "saved model"):
        assert step in result.stderr
    metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in metadata["sources"]] == ["training_data"]
    assert metadata["options"]["encoder"] is False


def test_the_trained_bundle_scores(cli_trained) -> None:
    _, model_dir = cli_trained
    # the last line may lack its newline
    result = run("score", "--model-dir", model_dir, input='{"text": "Danke, guter Artikel."}')
    assert result.exit_code == 0, result.output
    assert json_lines(result)[0]["model_version"] == current_version(model_dir)


def test_train_with_a_missing_data_dir(tmp_path) -> None:
    result = run("train", "--no-encoder", "--data-dir", tmp_path / "nope", "--model-dir", tmp_path / "m")
    assert_clean_failure(result, "does not exist", code=2)


def test_train_with_a_missing_team_dir(tmp_path) -> None:
    result = run("train", "--no-encoder", "--team-dir", tmp_path / "nope", "--model-dir", tmp_path / "m")
    assert_clean_failure(result, "team data folder", "does not exist")
    assert current_version(tmp_path / "m") is None


def test_train_refuses_a_corpus_without_its_test_file(tmp_path, clf_cli_team_dir, clf_corpora) -> None:
    # without the test split, training could not make sure it never trains on test texts
    data_dir = tmp_path / "data"
    shutil.copytree(clf_corpora.data_dir / "germeval2018", data_dir / "germeval2018")
    (data_dir / "germeval2018" / "germeval2018.test.txt").unlink()
    result = run("train", "--no-encoder", "--team-dir", clf_cli_team_dir, "--data-dir", data_dir,
                 "--model-dir", tmp_path / "m")
    assert_clean_failure(result, "germeval2018.test.txt is missing")
    assert current_version(tmp_path / "m") is None


def test_train_with_an_unknown_corpus_name(tmp_path, clf_cli_team_dir, clf_corpora, monkeypatch) -> None:
    def no_training(*args, **kwargs):
        raise RuntimeError("training started although the corpus name is unknown")

    monkeypatch.setattr(training, "_train_respect", no_training)  # keep the failing case fast
    result = run("train", "--no-encoder", "--corpus", "germeval18", "--team-dir", clf_cli_team_dir,
                 "--data-dir", clf_corpora.data_dir, "--model-dir", tmp_path / "m")
    assert_clean_failure(result, "germeval18", "germeval2018", "hasoc-de")


def test_train_with_a_missing_decisions_file(tmp_path, clf_cli_team_dir) -> None:
    result = run("train", "--no-encoder", "--decisions", tmp_path / "missing.jsonl", "--team-dir", clf_cli_team_dir,
                 "--model-dir", tmp_path / "m")
    assert_clean_failure(result, "cannot read the decisions file", "missing.jsonl")
    assert current_version(tmp_path / "m") is None


def test_train_with_a_bad_decisions_file_names_the_line(tmp_path, clf_cli_team_dir) -> None:
    decisions = tmp_path / "decisions.jsonl"
    decisions.write_text('\n{"id": "c-1"}\n', encoding="utf-8")
    result = run("train", "--no-encoder", "--decisions", decisions, "--team-dir", clf_cli_team_dir,
                 "--model-dir", tmp_path / "m")
    assert_clean_failure(result, f"{decisions}:2: missing field 'revision'")
    assert current_version(tmp_path / "m") is None


# --- evaluate ------------------------------------------------------------------------------


def test_evaluate_json_on_a_public_corpus(trained_bundle) -> None:
    result = run("evaluate", "--corpus", "germeval2018", "--format", "json", "--data-dir",
                 trained_bundle.corpora.data_dir, "--model-dir", trained_bundle.model_dir)
    assert result.exit_code == 0, result.output
    (report,) = json_lines(result)
    assert set(report) >= RESULT_KEYS
    assert (report["corpus"], report["split"], report["n"]) == ("germeval2018", "test", 60)
    assert 0.0 <= report["official_f1"] <= 1.0
    assert "scoring 60 texts" in result.stderr


def test_evaluate_json_on_the_team_held_out_split(trained_bundle) -> None:
    result = run("evaluate", "--corpus", "training_data", "--format", "json", "--team-dir",
                 trained_bundle.team_dir, "--model-dir", trained_bundle.model_dir)
    assert result.exit_code == 0, result.output
    (report,) = json_lines(result)
    assert set(report) >= RESULT_KEYS | {"targets", "hard_cases"}
    assert report["split"] == "heldout"


def test_evaluate_checks_the_team_targets_at_the_thresholds_given(trained_bundle) -> None:
    def targets(*thresholds: str) -> dict:
        result = run("evaluate", "--corpus", "training_data", "--format", "json", "--team-dir",
                     trained_bundle.team_dir, "--model-dir", trained_bundle.model_dir, *thresholds)
        assert result.exit_code == 0, result.output
        return json_lines(result)[0]["targets"]

    default, lenient = targets(), targets("--hold", "0", "--reject", "1")
    assert (default["hold_threshold"], default["reject_threshold"]) == (0.5, 0.9)
    # every score is >= 0 and < 1 (a calibrated sigmoid): all caught, every fine one below reject
    assert lenient["insults_caught"] == lenient["off_topic_caught"] == 1.0
    assert lenient["respectful_on_topic_below_reject"] == 1.0


@pytest.mark.parametrize(("options", "message"), [
    (("--hold", "0.9", "--reject", "0.5"), "must not be above --reject"),
    (("--hold", "1.5"), "1.5 is not in the range"),
])
def test_evaluate_refuses_thresholds_out_of_order_or_range(trained_bundle, options, message) -> None:
    result = run("evaluate", "--corpus", "training_data", "--model-dir", trained_bundle.model_dir,
                 "--team-dir", trained_bundle.team_dir, *options)
    assert_clean_failure(result, message, code=2)


def test_evaluate_text_format(trained_bundle) -> None:
    result = run("evaluate", "--corpus", "germeval2021", "--data-dir", trained_bundle.corpora.data_dir,
                 "--model-dir", trained_bundle.model_dir)
    assert result.exit_code == 0, result.output
    assert "germeval2021 (test), n=60" in result.stdout
    assert "official F1 (GermEval)" in result.stdout


def test_evaluate_an_unknown_corpus_lists_the_valid_names(trained_bundle) -> None:
    result = run("evaluate", "--corpus", "germeval2017", "--data-dir", trained_bundle.corpora.data_dir,
                 "--model-dir", trained_bundle.model_dir)
    assert_clean_failure(result, "germeval2017", *EVALUATION_CORPORA)


def test_evaluate_a_corpus_that_is_not_there(trained_bundle) -> None:
    result = run("evaluate", "--corpus", "hasoc-de", "--data-dir", trained_bundle.corpora.data_dir,
                 "--model-dir", trained_bundle.model_dir)
    assert_clean_failure(result, "hasoc-de", "not found")


def test_evaluate_a_public_corpus_without_data_dir(trained_bundle) -> None:
    result = run("evaluate", "--corpus", "germeval2018", "--model-dir", trained_bundle.model_dir)
    assert_clean_failure(result, "--data-dir", "MODERATION_DATA_DIR")


def test_evaluate_team_data_ignores_the_data_dir(trained_bundle, tmp_path) -> None:
    result = run("evaluate", "--corpus", "training_data", "--data-dir", tmp_path / "nope",
                 "--model-dir", trained_bundle.model_dir, "--team-dir", trained_bundle.team_dir,
                 "--format", "json")
    assert result.exit_code == 0, result.output


def test_train_into_a_file_fails_before_training(tmp_path, clf_cli_team_dir) -> None:
    (tmp_path / "m").write_text("not a folder")
    result = run("train", "--no-encoder", "--team-dir", clf_cli_team_dir, "--model-dir", tmp_path / "m")
    assert_clean_failure(result, "is a file, not a directory", code=2)
    assert "s] " not in result.output  # no training progress line: it stopped before


def test_evaluate_an_unknown_split(trained_bundle) -> None:
    result = run("evaluate", "--corpus", "germeval2018", "--split", "dev", "--data-dir",
                 trained_bundle.corpora.data_dir, "--model-dir", trained_bundle.model_dir)
    assert_clean_failure(result, "unknown split 'dev'")


def test_evaluate_without_a_model(tmp_path, trained_bundle) -> None:
    result = run("evaluate", "--corpus", "germeval2018", "--data-dir", trained_bundle.corpora.data_dir,
                 "--model-dir", tmp_path / "models")
    assert_clean_failure(result, "No model in", "moderation train")


# --- score ---------------------------------------------------------------------------------

ARTICLE = {"title": "Neue Ladesäulen an der Autobahn", "body": "Der Bund fördert Schnellladesäulen."}


def test_score_a_valid_line(trained_bundle) -> None:
    line = {"text": "Du bist ein V 0 l l i d i o t, echt.", "article": ARTICLE,
            "parent_text": "Die Ladesäulen sind oft kaputt."}
    result = run("score", "--model-dir", trained_bundle.model_dir, input=json.dumps(line) + "\n")
    assert result.exit_code == 0, result.output
    (scores,) = json_lines(result)
    assert set(scores["scores"]) == {"respectful", "on_topic", "spam"}
    assert all(0.0 <= value <= 1.0 for value in scores["scores"].values())
    assert scores["scores"]["respectful"] > 0.5
    evidence = scores["respectful"]["evidence"]
    assert evidence and set(evidence[0]) == {"text", "start", "end", "weight"}
    for item in evidence:
        assert line["text"][item["start"] : item["end"]] == item["text"]
    assert "V 0 l l i d i o t" in [item["text"] for item in evidence]
    assert scores["on_topic"]["signals"]["reply"] is True
    assert scores["model_version"] == trained_bundle.path.name


def test_score_without_an_article_leaves_on_topic_unscored(trained_bundle) -> None:
    result = run("score", "--model-dir", trained_bundle.model_dir, input=b'{"text": "Gute Karte."}\n')
    assert result.exit_code == 0, result.output
    (scores,) = json_lines(result)
    assert scores["scores"]["on_topic"] is None and scores["on_topic"]["score"] is None
    assert scores["on_topic"]["signals"]["skipped"]
    assert 0.0 <= scores["scores"]["respectful"] <= 1.0


def test_score_without_evidence(trained_bundle) -> None:
    result = run("score", "--no-evidence", "--model-dir", trained_bundle.model_dir,
                 input=json.dumps({"text": "Du Idiot", "article": ARTICLE}) + "\n")
    assert result.exit_code == 0, result.output
    (scores,) = json_lines(result)
    assert scores["respectful"]["evidence"] == scores["on_topic"]["evidence"] == []


BAD_LINES = [
    (b'{"text": ""}', "text is empty"),
    (b'{"text": "   "}', "text is empty"),
    (json.dumps({"text": "a" * 1_000_000}).encode(), "at most 20000"),
    (b'\xff\xfe{"text": "kaputt"}', "not valid UTF-8"),
    (b'{"text": "Gr\xfc\xdfe"}', "not valid UTF-8"),
    (b"das ist kein JSON", "not valid JSON"),
    (b'{"text": "abgeschnitten', "not valid JSON"),
    (b'["text", "liste"]', "JSON object"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"text": ' + b"1" * 5000 + b"}", "too many digits"),
    (b'{"no_text": "x"}', "unknown field 'no_text'"),
    (b'{"article": {"title": "t"}}', "text must be a string"),
    (b'{"text": 42}', "text must be a string"),
    (b'{"text": "ok", "article": "Titel"}', "article must be an object"),
    (b'{"text": "ok", "article": {"title": 7}}', "article.title must be a string"),
    (b'{"text": "ok", "article": {"title": "", "body": " "}}', "article needs a title or a body"),
    (b'{"text": "ok", "parent_text": ["x"]}', "parent_text must be a string"),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES, ids=[m for _, m in BAD_LINES])
def test_score_a_bad_line_gives_an_error_object(trained_bundle, line: bytes, message: str) -> None:
    result = run("score", "--model-dir", trained_bundle.model_dir, input=line + b"\n")
    assert_clean_failure(result, "could not be scored")
    (error,) = json_lines(result)
    assert error["line"] == 1
    assert message in error["error"]
    assert len(result.stdout) < 500  # the 1 MB text is not echoed back


def test_score_keeps_going_after_bad_lines(trained_bundle) -> None:
    lines = [b'{"text": "Danke, guter Artikel."}', b"", b'{"text": ""}', b"\xff", b"nope",
             b'{"text": "Du D3pp!"}']
    result = run("score", "--model-dir", trained_bundle.model_dir, input=b"\n".join(lines) + b"\n")
    assert_clean_failure(result, "3 line(s) could not be scored")
    outputs = json_lines(result)
    assert [o.get("line") for o in outputs] == [None, 3, 4, 5, None]  # blank line 2 is skipped
    assert "scores" in outputs[0] and "scores" in outputs[-1]


def test_score_a_lone_surrogate(trained_bundle) -> None:
    lines = b'{"text": "Du Vollidiot\\ud800"}\n{"text": "Danke."}\n'
    result = run("score", "--model-dir", trained_bundle.model_dir, input=lines)
    assert_clean_failure(result)
    outputs = json_lines(result)
    assert outputs[0]["line"] == 1 and "error" in outputs[0]
    assert "scores" in outputs[1]


@pytest.mark.parametrize("line", [b'{"text": "Genau so.", "parent": "Die Akkus halten lange."}',
                                  b'{"text": "Genau so.", "article": {"titel": "Akkus", "body": "Akkus."}}'])
def test_score_an_unknown_field(trained_bundle, line: bytes) -> None:
    result = run("score", "--model-dir", trained_bundle.model_dir, input=line + b"\n")
    assert_clean_failure(result)
    assert "error" in json_lines(result)[0]


def test_score_without_a_model(tmp_path) -> None:
    result = run("score", "--model-dir", tmp_path / "models", input='{"text": "Hallo"}\n')
    assert_clean_failure(result, "No model in", "moderation train")


def test_score_a_damaged_model(trained_bundle, tmp_path) -> None:
    model_dir = tmp_path / "models"
    shutil.copytree(trained_bundle.model_dir, model_dir)
    model_file = model_dir / current_version(model_dir) / "model.joblib"
    model_file.write_bytes(model_file.read_bytes() + b"x")
    result = run("score", "--model-dir", model_dir, input='{"text": "Hallo"}\n')
    assert_clean_failure(result, "does not match its metadata", "retrain")


def test_score_with_a_blank_model_dir_variable_uses_the_default(trained_bundle, tmp_path, monkeypatch) -> None:
    shutil.copytree(trained_bundle.model_dir, tmp_path / "models")
    monkeypatch.chdir(tmp_path)
    result = run("score", "--no-evidence", input='{"text": "Hallo"}\n', env={"MODERATION_MODEL_DIR": "  "})
    assert result.exit_code == 0, result.output
    assert json_lines(result)[0]["model_version"] == trained_bundle.path.name


def test_evaluate_with_a_blank_data_dir_variable_has_no_data_dir(trained_bundle) -> None:
    result = run("evaluate", "--corpus", "germeval2018", "--model-dir", trained_bundle.model_dir,
                 env={"MODERATION_DATA_DIR": " "})
    assert_clean_failure(result, "give --data-dir or set MODERATION_DATA_DIR")


def test_a_malformed_variable_is_named(trained_bundle) -> None:
    result = run("benchmark", "--model-dir", trained_bundle.model_dir,
                 env={"MODERATION_TEAM_DIR": "~no-such-user-for-this-test/data"})
    assert_clean_failure(result, "MODERATION_TEAM_DIR='~no-such-user-for-this-test/data' is not valid")


def test_the_path_options_show_their_variable_and_default() -> None:
    result = run("train", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())  # click wraps the help
    for fragment in ("[env MODERATION_MODEL_DIR, default ./models]", "[env MODERATION_DATA_DIR]",
                     "[env MODERATION_TEAM_DIR, default ./training_data"):
        assert fragment in text


# --- benchmark and help --------------------------------------------------------------------


def test_benchmark_json_keys(trained_bundle) -> None:
    result = run("benchmark", "--format", "json", "--rounds", "1", "--team-dir", trained_bundle.team_dir,
                 "--model-dir", trained_bundle.model_dir)
    assert result.exit_code == 0, result.output
    (report,) = json_lines(result)
    for key in ("single_p50_us", "single_p99_us", "fast_path_p50_us", "pipeline_p50_us", "batch_us_per_comment"):
        assert report[key] > 0, key
    assert report["model_version"] == trained_bundle.path.name


def test_benchmark_without_a_model(tmp_path) -> None:
    assert_clean_failure(run("benchmark", "--model-dir", tmp_path / "models"), "moderation train")


def test_help_lists_the_classifier_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("train", "evaluate", "score", "benchmark"):
        assert command in result.output
