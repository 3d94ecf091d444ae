"""``moderation policy ...``: commands for policy files.

The root ``moderation`` group (``moderation/cli.py``) adds :data:`policy` as a subcommand.
"""

from __future__ import annotations

from pathlib import Path

import click

from policies.loader import load_policy
from policies.policy import PolicyError


@click.group("policy")
def policy() -> None:
    """Work with moderation policy files."""


@policy.command("check")
@click.argument("file", type=click.Path(path_type=Path))
def check(file: Path) -> None:
    """Validate a policy FILE; list every problem with its field path.

    Exits 0 if the policy is valid, 1 if not.
    """
    try:
        loaded = load_policy(file)
    except PolicyError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    click.echo(f"OK: policy {loaded.version} (rules: {', '.join(loaded.rules)})")
