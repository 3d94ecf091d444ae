"""``moderation train | evaluate | score | benchmark``: thin click wrappers over the library.

Each command resolves its paths (flag, then environment variable, then default), calls one plain
function and turns the library's errors into a one-line message and exit status 1: a user sees
what went wrong and what to do, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NoReturn

import click

from classifier.data.corpora import CorpusError
from classifier.data.teamdata import load_team_data, packaged_team_dir
from classifier.scoring_io import ScoreInputError, parse_score_line, scores_to_json
from classifier.serving.bundle import ModelLoadError, load_model
from common import settings


def _setting(setting: settings.Setting) -> Any:
    """The setting's value (see :mod:`common.settings`); a malformed one is one message, exit 1,
    as in the service's commands."""
    try:
        return setting.value()
    except settings.ConfigError as error:
        _fail(error)


def default_team_dir() -> Path:
    """``MODERATION_TEAM_DIR``, else ``./training_data``, else the one installed with the package."""
    configured = _setting(settings.TEAM_DIR)
    if configured:
        return Path(configured)
    local = Path("training_data")
    return local if local.is_dir() else packaged_team_dir()


def resolve_model_dir(value: str | None) -> Path:
    """``--model-dir``, else ``MODERATION_MODEL_DIR``, else ``./models``."""
    return Path(value or _setting(settings.MODEL_DIR))


def resolve_data_dir(value: str | None) -> Path | None:
    """``--data-dir``, else ``MODERATION_DATA_DIR``, else none (team data only)."""
    chosen = value or _setting(settings.DATA_DIR)
    if not chosen:
        return None
    path = Path(chosen)
    if not path.is_dir():
        given = "--data-dir" if value else settings.DATA_DIR.variable
        problem = "is not a directory" if path.exists() else "does not exist"
        raise click.UsageError(f"data directory {path} ({given}) {problem}")
    return path


def prepare_model_dir(model_dir: Path) -> list[Path]:
    """Create ``model_dir`` (refusing a file in its place) before minutes of training.

    :return: the folders it made, deepest first (none when ``model_dir`` existed).
    """
    made = [folder for folder in (model_dir, *model_dir.parents) if not folder.exists()]
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        problem = "is a file, not a directory" if model_dir.is_file() else f"cannot be made ({error})"
        raise click.UsageError(f"model directory {model_dir} {problem}") from error
    return made


@contextmanager
def _model_dir_for_training(model_dir: Path) -> Iterator[None]:
    """Prepare ``model_dir``; if training fails, remove the folders made for it that are still empty."""
    made = prepare_model_dir(model_dir)
    try:
        yield
    except BaseException:
        for folder in made:
            with suppress(OSError):  # not empty: something was written there, keep it
                folder.rmdir()
        raise


def _echo_err(message: str) -> None:
    click.echo(message, err=True)


def _fail(error: Exception) -> NoReturn:
    raise click.ClickException(str(error)) from error


# The defaults are resolved when a command runs (resolve_model_dir and so on), not by click: a
# blank variable counts as unset, and a malformed one gets the settings' message.
model_dir_option = click.option("--model-dir", default=None, metavar="DIR", help=settings.MODEL_DIR.help())
data_dir_option = click.option("--data-dir", default=None, metavar="DIR", help=settings.DATA_DIR.help())
team_dir_option = click.option("--team-dir", default=None, metavar="DIR", help=settings.TEAM_DIR.help())
no_encoder_option = click.option(
    "--no-encoder", is_flag=True,
    help="Lexical models only (faster training; no sentence-encoder second opinion).")


def run_training(team_dir: str | None, model_dir: Path, data_dir: Path | None, *, no_encoder: bool,
                 corpora: tuple[str, ...] = (), decisions: Path | None = None) -> Path:
    """Train and make the new bundle current, progress on stderr; a user's error exits 1."""
    from classifier.training.train import TrainingOptions, train_models

    options = TrainingOptions(encoder=not no_encoder, corpora=list(corpora) or None)
    with _model_dir_for_training(model_dir):
        try:
            return train_models(Path(team_dir) if team_dir else default_team_dir(), model_dir, data_dir,
                                decisions=decisions, options=options, progress=_echo_err)
        except (CorpusError, OSError) as error:
            _fail(error)


@click.command("train")
@data_dir_option
@model_dir_option
@team_dir_option
@no_encoder_option
@click.option("--corpus", "corpora", multiple=True, metavar="NAME",
              help="Train on these public corpora only (repeatable; default: all found).")
@click.option("--decisions", default=None, metavar="FILE",
              help="Also learn from moderators' decisions: a file of 'moderation decisions export'.")
def train_command(data_dir: str | None, model_dir: str | None, team_dir: str | None,
                  no_encoder: bool, corpora: tuple[str, ...], decisions: str | None) -> None:
    """Train the respect, spam and on-topic models and make them current."""
    path = run_training(team_dir, resolve_model_dir(model_dir), resolve_data_dir(data_dir),
                        no_encoder=no_encoder, corpora=corpora,
                        decisions=Path(decisions) if decisions else None)
    click.echo(str(path))


@click.command("evaluate")
@click.option("--corpus", required=True, metavar="NAME",
              help="germeval2018, germeval2019, germeval2021, hasoc-de, one-million-posts or "
                   "training_data (the team's held-out split).")
@click.option("--split", default="test", show_default=True, help="Which split to score.")
@data_dir_option
@model_dir_option
@team_dir_option
@click.option("--hold", default=0.5, show_default=True, type=click.FloatRange(0, 1),
              help="training_data only: the score at which a comment counts as caught.")
@click.option("--reject", default=0.9, show_default=True, type=click.FloatRange(0, 1),
              help="training_data only: respectful comments should score below it on every rule. "
                   "The default policy's respectful rule holds at 0.25 and rejects at 0.995.")
@click.option("--topic-hold", default=0.7, show_default=True, type=click.FloatRange(0, 1),
              help="training_data only: the on-topic score that holds a comment (the default "
                   "policy's on_topic hold).")
@click.option("--spam-hold", default=0.5, show_default=True, type=click.FloatRange(0, 1),
              help="training_data only: the spam score that holds a comment (the default "
                   "policy's spam hold).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def evaluate_command(corpus: str, split: str, data_dir: str | None, model_dir: str | None,
                     team_dir: str | None, hold: float, reject: float, topic_hold: float,
                     spam_hold: float, output_format: str) -> None:
    """Score a corpus' evaluation split with the installed model and print the metrics."""
    from classifier.training.evaluation import TEAM_SOURCE, evaluate

    if hold > reject:
        raise click.BadParameter(f"--hold ({hold}) must not be above --reject ({reject}).",
                                 param_hint="--hold")
    directory = resolve_model_dir(model_dir)
    try:
        model = load_model(directory)
        result = evaluate(model, directory, corpus, split=split,
                          data_dir=None if corpus == TEAM_SOURCE else resolve_data_dir(data_dir),
                          team_dir=Path(team_dir) if team_dir else default_team_dir(),
                          hold=hold, reject=reject, topic_hold=topic_hold, spam_hold=spam_hold,
                          progress=_echo_err)
    except (ModelLoadError, CorpusError, ValueError) as error:
        _fail(error)
    if output_format == "json":
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        click.echo(_format_text(result))


def _format_text(result: dict[str, Any]) -> str:
    lines = [f"{result['corpus']} ({result['split']}), n={result['n']}, model {result['model_version']}",
             f"  official F1 (GermEval) {result['official_f1']:.4f}   macro F1 {result['macro_f1']:.4f}"
             f"   accuracy {result['accuracy']:.4f}",
             f"  macro precision {result['macro_precision']:.4f}   macro recall "
             f"{result['macro_recall']:.4f}   threshold {result['threshold']:.2f}",
             f"  confusion matrix (rows true 0/1): {result['confusion_matrix']}"]
    for key in ("targets", "on_topic_targets", "hard_cases"):
        if key in result:
            lines.append(f"  {key}: {json.dumps(result[key])}")
    if "slow_path_share" in result:
        lines.append(f"  encoder consulted for {result['slow_path_share']:.1%} of texts")
    return "\n".join(lines)


@click.command("score")
@model_dir_option
@click.option("--no-evidence", is_flag=True, help="Skip the highlighted words (faster).")
def score_command(model_dir: str | None, no_evidence: bool) -> None:
    """Score JSON lines from stdin, one JSON line of scores and evidence per input line.

    Input: {"text": ..., "article": {"title": ..., "body": ...}, "parent_text": ...}. A bad line
    yields {"line": N, "error": ...} in its place; the exit status is then 1.
    """
    try:
        model = load_model(resolve_model_dir(model_dir))
    except ModelLoadError as error:
        _fail(error)
    failures = 0
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        if not raw.strip():
            continue
        try:
            comment = parse_score_line(raw)
        except ScoreInputError as error:
            failures += 1
            click.echo(json.dumps({"line": number, "error": str(error)}, ensure_ascii=False))
            continue
        scores = model.score(comment, evidence=not no_evidence)
        click.echo(json.dumps(scores_to_json(scores), ensure_ascii=False))
    if failures:
        _echo_err(f"{failures} line(s) could not be scored; see the error objects in the output")
        sys.exit(1)


@click.command("benchmark")
@model_dir_option
@team_dir_option
@click.option("--rounds", default=3, show_default=True, type=click.IntRange(min=1),
              help="Passes over the comments.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def benchmark_command(model_dir: str | None, team_dir: str | None, rounds: int,
                      output_format: str) -> None:
    """Time the full scoring path, the lexical fast path and a plain Pipeline.predict_proba."""
    from classifier.training.benchmark import benchmark_comments, run_benchmark

    try:
        model = load_model(resolve_model_dir(model_dir))
        team = load_team_data(Path(team_dir) if team_dir else default_team_dir())
    except (ModelLoadError, CorpusError) as error:
        _fail(error)
    comments = benchmark_comments(team)
    _echo_err(f"timing {len(comments)} comments x {rounds} rounds on each path")
    result = run_benchmark(model, comments, rounds=rounds)
    if output_format == "json":
        click.echo(json.dumps(result))
    else:
        click.echo("\n".join(f"{key:32s} {value}" for key, value in result.items()))


COMMANDS = (train_command, evaluate_command, score_command, benchmark_command)
