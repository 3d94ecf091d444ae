"""The root ``moderation`` click group.

The classifier's commands (train, evaluate, score, benchmark), the policy check and the service's
commands (keys, db) are each defined next to the code they drive; this module only puts them
under one name. ``serve`` lives here because it is the one command that needs both sides: on a
fresh machine it trains a model first, then hands over to the service.
"""

from __future__ import annotations

import click

from classifier.bundle import current_version
from classifier.cli import COMMANDS, default_team_dir, resolve_data_dir, resolve_model_dir
from policies.cli import policy
from service.cli import db_cli, keys_cli
from service.cli import serve as run_service


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Comment moderation: train and evaluate models, check policies, run the API."""


for command in (*COMMANDS, policy, db_cli, keys_cli):
    cli.add_command(command)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes.")
def serve_command(host: str, port: int, workers: int) -> None:
    """Run the API under gunicorn; train a model first if there is none yet.

    The first start on a fresh machine trains on training_data/ (and the public corpora in
    MODERATION_DATA_DIR, if set), which takes a minute or two with team data alone.
    """
    model_dir = resolve_model_dir(None)
    if current_version(model_dir) is None:
        from classifier.training import train_models

        click.echo(f"No model in {model_dir}: training one before serving.", err=True)
        train_models(default_team_dir(), model_dir, resolve_data_dir(None),
                     progress=lambda message: click.echo(message, err=True))
    run_service(host, port, workers)
