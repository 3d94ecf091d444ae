"""The root ``moderation`` click group.

The classifier's commands (train, evaluate, score, benchmark), the policy check and the service's
commands (keys, db, decisions) are each defined next to the code they drive; this module only
puts them under one name. ``serve`` and ``retrain`` live here because they need both sides:
``serve`` trains a model first on a fresh machine, then hands over to the service; ``retrain``
exports the moderators' decisions from the service's database and trains on them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from classifier.cli import (
    COMMANDS,
    data_dir_option,
    model_dir_option,
    no_encoder_option,
    prepare_model_dir,
    resolve_data_dir,
    resolve_model_dir,
    run_training,
    team_dir_option,
)
from classifier.serving.bundle import ModelLoadError, current_version
from policies.cli import policy
from service.cli import check_settings, db_cli, decisions_cli, export_decisions_to, keys_cli, users_cli
from service.cli import serve as run_service

DECISIONS_FOLDER = "decisions"  # inside the model directory, beside the bundles trained on them


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Comment moderation: train and evaluate models, check policies, run the API."""


for command in (*COMMANDS, policy, db_cli, keys_cli, users_cli, decisions_cli):
    cli.add_command(command)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="gunicorn worker processes.")
def serve_command(host: str, port: int, workers: int) -> None:
    """Run the API under gunicorn; train a model first if there is none yet.

    The first start on a fresh machine trains on training_data/ (and the public corpora in
    MODERATION_DATA_DIR, if set), which takes a minute or two with team data alone.
    """
    check_settings()  # the service's settings, before a first training can take minutes
    model_dir = resolve_model_dir(None)  # the app's MODEL_DIR: both read common.settings
    try:
        version = current_version(model_dir)
    except ModelLoadError as error:
        raise click.ClickException(str(error)) from error
    if version is None:
        click.echo(f"No model in {model_dir}: training one before serving.", err=True)
        run_training(None, model_dir, resolve_data_dir(None), no_encoder=False)
    run_service(host, port, workers)


@cli.command("retrain")
@data_dir_option
@model_dir_option
@team_dir_option
@no_encoder_option
def retrain_command(data_dir: str | None, model_dir: str | None, team_dir: str | None,
                    no_encoder: bool) -> None:
    """Train on everything, including the moderators' decisions in MODERATION_DATABASE_URL.

    The decisions are exported to <model-dir>/decisions/decisions-<UTC time>.jsonl first, so the
    new bundle's metadata names the file it learnt from and it can be audited later. A running
    service picks up the new model by itself.
    """
    directory = resolve_model_dir(model_dir)
    data = resolve_data_dir(data_dir)
    prepare_model_dir(directory)
    decisions = _export_for_training(directory / DECISIONS_FOLDER)
    path = run_training(team_dir, directory, data, no_encoder=no_encoder, decisions=decisions)
    click.echo(str(path))


def _export_for_training(folder: Path) -> Path | None:
    """Export the decisions into a new file in ``folder``; None (and no file) if there are none."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"decisions-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}.jsonl"
    count = export_decisions_to(path)
    if not count:
        path.unlink()
        click.echo("No moderators' decisions in the database: training without them.", err=True)
        return None
    click.echo(f"exported {count} decisions to {path}", err=True)
    return path
