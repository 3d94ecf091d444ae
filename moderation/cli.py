"""The root ``moderation`` click group.

The classifier's commands (train, evaluate, score, benchmark), the policy check and the service's
commands (serve, keys, db) are each defined next to the code they drive; this module only puts
them under one name. ``serve`` lives here because it is the one command that needs both sides:
it trains a model first when none exists, then hands over to the service.
"""

from __future__ import annotations

import click

from classifier.cli import COMMANDS
from policies.cli import policy


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Comment moderation: train and evaluate models, check policies, run the API."""


for command in COMMANDS:
    cli.add_command(command)
cli.add_command(policy)
